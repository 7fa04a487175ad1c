import { isRecord } from './is-record.js';
import { GatewayError } from './openai-error.js';

/** The most items one request may add to a conversation (OpenAI's limit). */
export const MAX_ITEMS_PER_REQUEST = 20;
/** What an id the client gives (of a conversation, or of an item) may look like. */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
/** What a conversation id looks like (the gateway makes `conv_` and 48 hex digits). */
export const CONVERSATION_ID_PATTERN = /^conv_[A-Za-z0-9_-]{1,128}$/;
/** The `include` value that lists reasoning items with their `encrypted_content`. */
export const ENCRYPTED_REASONING_INCLUDE = 'reasoning.encrypted_content';

const ITEM_TYPE_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;
const MESSAGE_ROLES: ReadonlySet<string> = new Set(['user', 'assistant', 'system', 'developer']);
/** The longest part of a client's value an error message repeats. */
const ECHOED_LENGTH = 64;

function invalid(param: string, message: string, code = 'invalid_value'): GatewayError {
  return new GatewayError(400, 'invalid_request_error', message, { param, code });
}

/** A client's value as an error message repeats it: JSON, cut to a few dozen characters. */
export function echoed(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return JSON.stringify(text.length > ECHOED_LENGTH ? `${text.slice(0, ECHOED_LENGTH)}…` : text);
}

/**
 * One item as a conversation keeps it: a message without `type` gets `type: "message"`, its string
 * content becomes one `input_text` (`output_text` for the assistant) part and it gets
 * `status: "completed"`, as OpenAI lists messages. Checks what the gateway relies on: an object, a
 * plain `type`, a message's `role` and `content`, a plain `id` when it has one; item references
 * cannot be resolved (the upstream keeps no items).
 *
 * @param value - the item
 * @param param - where it is in the request (`items[2]`, `input[0]`)
 * @throws {GatewayError} 400 naming the bad field
 */
export function normalizeConversationItem(value: unknown, param: string): Record<string, unknown> {
  if (!isRecord(value)) throw invalid(param, `Invalid '${param}': each item must be a JSON object.`);
  const item: Record<string, unknown> = { ...value };
  if (item.type === undefined) {
    if (item.role === undefined)
      throw invalid(
        `${param}.type`,
        `Missing '${param}.type': give each item a \`type\` (or a message its \`role\`).`,
        'missing_required_parameter',
      );
    item.type = 'message';
  }
  if (typeof item.type !== 'string' || !ITEM_TYPE_PATTERN.test(item.type))
    throw invalid(`${param}.type`, `Invalid '${param}.type': ${echoed(item.type)} is not an item type.`);
  // References are resolved before (`resolveItemReferences`): one left here named nothing it holds.
  if (item.type === 'item_reference')
    throw invalid(
      `${param}.type`,
      `Invalid '${param}.type': this item_reference names no item this gateway holds. Send the item itself.`,
      'unsupported_parameter',
    );
  if (item.id !== undefined && (typeof item.id !== 'string' || !CLIENT_ID_PATTERN.test(item.id)))
    throw invalid(
      `${param}.id`,
      `Invalid '${param}.id': ${echoed(item.id)}. An item id is 1 to 128 letters, digits, '_' or '-'; leave it out to get one.`,
    );
  if (item.type === 'message') normalizeMessage(item, param);
  return item;
}

function normalizeMessage(item: Record<string, unknown>, param: string): void {
  if (typeof item.role !== 'string' || !MESSAGE_ROLES.has(item.role))
    throw invalid(
      `${param}.role`,
      `Invalid '${param}.role': ${echoed(item.role)}. Send user, assistant, system or developer.`,
    );
  if (typeof item.content === 'string') {
    item.content = [{ type: item.role === 'assistant' ? 'output_text' : 'input_text', text: item.content }];
  } else if (!Array.isArray(item.content)) {
    throw invalid(
      `${param}.content`,
      `Invalid '${param}.content': send a string or an array of content parts.`,
    );
  } else {
    const badPart = item.content.findIndex((part) => !isRecord(part) || typeof part.type !== 'string');
    if (badPart >= 0)
      throw invalid(
        `${param}.content[${badPart}]`,
        `Invalid '${param}.content[${badPart}]': each content part is an object with a \`type\`.`,
      );
  }
  item.status ??= 'completed';
}

/**
 * Reads the `items` of a request that adds items to a conversation: an array of at most `maxItems`
 * items, each normalised by {@link normalizeConversationItem}.
 *
 * @param value - the body's `items`
 * @param options - `required`: absent is an error (else none); `maxItems` (default 20)
 * @throws {GatewayError} 400 naming `items` or the bad item's field
 */
export function readConversationItems(
  value: unknown,
  options: { required: boolean; maxItems?: number },
): Record<string, unknown>[] {
  const maxItems = options.maxItems ?? MAX_ITEMS_PER_REQUEST;
  if (value === undefined || value === null) {
    if (!options.required) return [];
    throw invalid('items', "Missing required parameter: 'items'.", 'missing_required_parameter');
  }
  if (!Array.isArray(value)) throw invalid('items', "Invalid 'items': send an array of items.");
  if (value.length > maxItems)
    throw invalid(
      'items',
      `Invalid 'items': ${value.length} items, at most ${maxItems} can be added at a time. Add them in several requests.`,
      'array_above_max_length',
    );
  return value.map((item, index) => normalizeConversationItem(item, `items[${index}]`));
}

/**
 * A stored item as it goes upstream in a request's input: without its `id` (the upstream keeps no
 * items, so an id it never gave out is an error there) and, for a message other than the assistant's,
 * without the `status` the gateway added; `undefined` for a reasoning item without `encrypted_content`,
 * which the upstream cannot take back without its stored copy.
 *
 * @param item - the item as stored
 */
export function upstreamItemOf(item: Readonly<Record<string, unknown>>): Record<string, unknown> | undefined {
  if (item.type === 'reasoning' && typeof item.encrypted_content !== 'string') return undefined;
  const rest: Record<string, unknown> = { ...item };
  delete rest.id;
  if (rest.type === 'message' && rest.role !== 'assistant') delete rest.status;
  return rest;
}

/**
 * A stored item as the Conversations API lists it: a reasoning item's `encrypted_content` only when
 * `include` asks for `reasoning.encrypted_content`, as OpenAI lists it.
 *
 * @param item - the item as stored
 * @param include - the request's `include` values
 */
export function listedItemOf(
  item: Readonly<Record<string, unknown>>,
  include: readonly string[],
): Readonly<Record<string, unknown>> {
  if (item.type !== 'reasoning' || !('encrypted_content' in item)) return item;
  if (include.includes(ENCRYPTED_REASONING_INCLUDE)) return item;
  const { encrypted_content: _hidden, ...rest } = item;
  return rest;
}
