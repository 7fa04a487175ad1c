import type { ResponseItem } from '@codetether/responses-protocol';
import { isRecord } from './is-record.js';

/**
 * Fields of a response object that echo the request settings: a stored response leaves them out when
 * they equal the settings (the Codex CLI's instructions and tool schemas are tens of kilobytes) and
 * takes them back from the settings when it is rebuilt.
 */
const SETTINGS_ECHO_FIELDS = ['instructions', 'tools'] as const;

/**
 * A response the gateway answered, as the conversation index keeps it for `GET /v1/responses/{id}`
 * and its input items: the smallest form it can be rebuilt from. Its size is
 * {@link storedResponseBytes}, counted in the index's byte limit.
 */
export interface StoredResponse {
  /** The final response object as JSON, without the fields named in `settingsEchoes`. */
  readonly body: string;
  /** The fields left out of `body` because they equal the settings' ones. */
  readonly settingsEchoes: readonly string[];
  /** The input items of the response (each with an `id`) as JSON. */
  readonly inputItems: string;
  /** The ids of its output items (what an `item_reference` may name; see `ConversationIndex.findItem`). */
  readonly outputItemIds: readonly string[];
  /**
   * The conversation's canonical settings (the same string the index entry holds, so not counted
   * twice), where the left-out fields are read back from.
   */
  readonly settings: string;
}

/** The id prefix of an input item the client sent without one, by item type. */
function idPrefixOf(type: unknown): string {
  if (type === 'message') return 'msg';
  if (type === 'function_call_output') return 'fco';
  return 'item';
}

/**
 * The input items of a response as OpenAI lists them: each with an `id` (the client's, else one derived
 * from the response id and the item's position) and a message's `status` and content parts.
 */
function listedInputItems(responseId: string, items: readonly ResponseItem[]): Record<string, unknown>[] {
  const tail = responseId.replace(/^resp_/, '');
  return items.map((item, position) => {
    const listed: Record<string, unknown> = { ...item };
    if (typeof listed.id !== 'string' || listed.id === '')
      listed.id = `${idPrefixOf(listed.type)}_${tail}_${position}`;
    if (listed.type === 'message') {
      if (typeof listed.content === 'string')
        listed.content = [
          { type: listed.role === 'assistant' ? 'output_text' : 'input_text', text: listed.content },
        ];
      listed.status ??= 'completed';
    }
    return listed;
  });
}

/**
 * The stored form of a response the gateway answered.
 *
 * @param response - the final response object (with its `id`)
 * @param inputItems - the input items the client sent for it
 * @param settings - the conversation's canonical settings (JSON of the request without its per-turn fields)
 * @param template - the same settings as the object they were written from (the caller holds it: the
 *   settings, tens of kilobytes with a coding agent's tools, are not parsed again at every turn)
 */
export function storeResponse(
  response: Record<string, unknown>,
  inputItems: readonly ResponseItem[],
  settings: string,
  template: Readonly<Record<string, unknown>>,
): StoredResponse {
  const body = { ...response };
  const settingsEchoes: string[] = [];
  for (const field of SETTINGS_ECHO_FIELDS) {
    if (
      field in body &&
      field in template &&
      JSON.stringify(body[field]) === JSON.stringify(template[field])
    ) {
      delete body[field];
      settingsEchoes.push(field);
    }
  }
  const output = Array.isArray(response.output) ? response.output : [];
  const outputItemIds = output
    .map((item) => (isRecord(item) ? item.id : undefined))
    .filter((id): id is string => typeof id === 'string' && id !== '');
  return {
    body: JSON.stringify(body),
    outputItemIds,
    settingsEchoes,
    inputItems: JSON.stringify(listedInputItems(String(response.id), inputItems)),
    settings,
  };
}

/** The bytes a stored response holds (JSON length; its settings are the index entry's own). */
export function storedResponseBytes(stored: StoredResponse): number {
  return stored.body.length + stored.inputItems.length;
}

/** Parsed outputs of stored responses, kept for the length of one request (see {@link outputItemOf}). */
export type ParsedOutputs = Map<StoredResponse, readonly unknown[]>;

/**
 * An output item of a stored response by its id (`undefined` when it has none with that id). With
 * `parsed`, each response's output is parsed once however many of its items are asked for (a request
 * may reference thousands).
 */
export function outputItemOf(
  stored: StoredResponse,
  itemId: string,
  parsed?: ParsedOutputs,
): Record<string, unknown> | undefined {
  if (!stored.outputItemIds.includes(itemId)) return undefined;
  let output = parsed?.get(stored);
  if (output === undefined) {
    const value = (JSON.parse(stored.body) as { output?: unknown }).output;
    output = Array.isArray(value) ? value : [];
    parsed?.set(stored, output);
  }
  const item = output.find((candidate) => isRecord(candidate) && candidate.id === itemId);
  return isRecord(item) ? item : undefined;
}

/** The response object a stored response was made from. */
export function rebuildResponse(stored: StoredResponse): Record<string, unknown> {
  const body = JSON.parse(stored.body) as Record<string, unknown>;
  if (stored.settingsEchoes.length === 0) return body;
  const template: unknown = JSON.parse(stored.settings);
  if (!isRecord(template)) return body;
  const echoes = Object.fromEntries(stored.settingsEchoes.map((field) => [field, template[field]]));
  return { ...body, ...echoes };
}

/** The input items of a stored response, each with an `id`, in the order the client sent them. */
export function inputItemsOf(stored: StoredResponse): Record<string, unknown>[] {
  return JSON.parse(stored.inputItems) as Record<string, unknown>[];
}
