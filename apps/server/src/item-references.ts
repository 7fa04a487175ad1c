import { authorizationOf } from './api-key-header.js';
import { clientTagOf } from './conversation-index.js';
import { echoedId } from './echoed-id.js';
import type { GatewayContext } from './gateway-context.js';
import { isRecord } from './is-record.js';
import { GatewayError } from './openai-error.js';
import type { ParsedOutputs } from './stored-response.js';

function itemNotFound(itemId: string, param: string): GatewayError {
  return new GatewayError(
    404,
    'invalid_request_error',
    `Item with id '${echoedId(itemId)}' not found. Only items this gateway holds for the same key can be referenced (output items of the responses it answered recently, and a conversation's own items); send the item itself instead of an item_reference.`,
    { param },
  );
}

/** How {@link resolveItemReferences} treats a list of items. */
export interface ItemReferenceResolution {
  /** The item an id names, when it is known (as the client was shown it). */
  lookup(itemId: string): Readonly<Record<string, unknown>> | undefined;
  /** The list's parameter name in errors (`input`, `items`). */
  param: string;
  /** Leave a reference to an unknown id as it is (for an upstream that may know it) instead of the 404. */
  keepUnknown: boolean;
  /** Resolved items without their `id` (they join a conversation, which gives them their own). */
  withoutIds: boolean;
}

/**
 * `items` with each `item_reference` replaced by a copy of the item its id names (`lookup`); the list
 * itself when it holds none. An unknown id is OpenAI's 404 "Item with id … not found" (unless
 * `keepUnknown`); a reference without an id a 400 naming `<param>[i].id`.
 */
export function resolveItemReferences(items: unknown, resolution: ItemReferenceResolution): unknown {
  if (!Array.isArray(items) || !items.some((item) => isRecord(item) && item.type === 'item_reference'))
    return items;
  const { param } = resolution;
  return items.map((item: unknown, position) => {
    if (!isRecord(item) || item.type !== 'item_reference') return item;
    const itemId = item.id;
    if (typeof itemId !== 'string' || itemId === '')
      throw new GatewayError(
        400,
        'invalid_request_error',
        `Missing required parameter: '${param}[${position}].id'. An item_reference names an item by its id.`,
        { param: `${param}[${position}].id`, code: 'missing_required_parameter' },
      );
    const found = resolution.lookup(itemId);
    if (found === undefined) {
      if (resolution.keepUnknown) return item;
      throw itemNotFound(itemId, param);
    }
    if (!resolution.withoutIds) return { ...found };
    const { id: _id, ...rest } = found;
    return rest;
  });
}

/**
 * A Responses body whose `item_reference` input items name items the gateway holds — output items of
 * responses it answered to the same client key (`ConversationIndex.findItem`) — with each replaced by
 * the item itself, as the client was shown it. Clients that rely on the OpenAI API's default `store:
 * true` refer to their earlier turns' items so (the AI SDK's Responses model does for reasoning and
 * assistant messages); the ChatGPT backend keeps no items (`store: false`), so forwarded as they are
 * they would fail or lose the turn. Resolved, the input is what the client would have sent in full,
 * and a conversation the gateway holds is continued as usual. A reference the gateway does not hold is
 * left for the upstream when the request stores (`store: true`, which only an API key can: the OpenAI
 * API may hold it), else it is OpenAI's 404 "Item with id … not found"; a reference without an id is a
 * 400. The body is returned as it was when it has no reference.
 *
 * @param context - shared gateway state (the conversation index)
 * @param body - the client's Responses body
 * @param headers - the request headers (the client key)
 * @param conversationItem - for a Conversations API turn: an item of its conversation by id (found first)
 */
export function withItemReferencesResolved(
  context: GatewayContext,
  body: Record<string, unknown>,
  headers: Headers,
  conversationItem?: (itemId: string) => Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> {
  const clientTag = clientTagOf(authorizationOf(headers));
  const parsed: ParsedOutputs = new Map();
  const input = resolveItemReferences(body.input, {
    lookup: (itemId) =>
      conversationItem?.(itemId) ?? context.conversations?.findItem(clientTag, itemId, parsed),
    param: 'input',
    keepUnknown: body.store === true,
    withoutIds: conversationItem !== undefined,
  });
  return input === body.input ? body : { ...body, input };
}
