import type { ResponseItem } from './stream-chunk.js';

/**
 * An item as it goes back into a request's `input`: the same fields without its `id`. With
 * `store: false` the server keeps no items, so an id it gave out cannot be resolved later (sending
 * one is an error); everything else — a reasoning item's `encrypted_content` and `summary`, a call's
 * `call_id` — must come back unchanged. An `item_reference` keeps its `id`: it is the item (without
 * it the server cannot tell what it names; whether it can resolve the id is up to the server).
 *
 * @param item - an output item as the server sent it
 * @returns a shallow copy without `id` (the item itself when it has none, or is an `item_reference`)
 */
export function toInputItem(item: ResponseItem): ResponseItem {
  if (!('id' in item) || item.type === 'item_reference') return item;
  const { id: _id, ...rest } = item;
  return rest;
}

/**
 * The call ids (`call_…`) of the tool calls among `items` (`function_call` and `custom_tool_call`):
 * the ids a later `function_call_output` may answer.
 *
 * @param items - output or input items
 */
export function toolCallIdsOf(items: readonly ResponseItem[]): string[] {
  const ids: string[] = [];
  for (const item of items) {
    if (
      (item.type === 'function_call' || item.type === 'custom_tool_call') &&
      typeof item.call_id === 'string'
    )
      ids.push(item.call_id);
  }
  return ids;
}

/**
 * The `call_id`s of the custom (freeform) tool calls among `items`: their results go back as
 * `custom_tool_call_output`, not `function_call_output`.
 *
 * @param items - response items
 */
export function customToolCallIdsOf(items: readonly ResponseItem[]): string[] {
  const ids: string[] = [];
  for (const item of items) {
    if (item.type === 'custom_tool_call' && typeof item.call_id === 'string') ids.push(item.call_id);
  }
  return ids;
}

/**
 * The call ids a server corrected after it streamed the calls: a call's `tool-call-*` chunks keep
 * the id its call started with, while its finished item (in `outputItems`) may carry another one,
 * the only one the server then knows. The ids of `shownCalls` that no tool call of `outputItems`
 * carries are paired, in order, with the call ids of `outputItems` that no shown call has — when
 * both lists are equally long (otherwise which became which is unknown, and nothing is paired).
 *
 * @param shownCalls - the answer's tool calls as its chunks showed them, in the order they started
 * @param outputItems - the same answer's output items (see `DoneChunk.outputItems`)
 * @returns the shown id → the id of the server's item, for the calls whose id changed
 */
export function correctedCallIds(
  shownCalls: readonly { readonly id: string }[],
  outputItems: readonly ResponseItem[],
): Map<string, string> {
  const corrections = new Map<string, string>();
  const itemCallIds = toolCallIdsOf(outputItems);
  if (itemCallIds.length === 0) return corrections;
  const itemCallIdSet = new Set(itemCallIds);
  const shownIdSet = new Set(shownCalls.map((call) => call.id));
  const shownOnly = [...shownIdSet].filter((id) => !itemCallIdSet.has(id));
  const itemsOnly = [...itemCallIdSet].filter((id) => !shownIdSet.has(id));
  if (shownOnly.length === 0 || shownOnly.length !== itemsOnly.length) return corrections;
  for (const [index, id] of shownOnly.entries()) corrections.set(id, itemsOnly[index] as string);
  return corrections;
}

/**
 * The call id a tool result goes out under: `answeredId` itself when it is a call the server knows
 * (one of `knownCallIds`), else the id the server corrected it to (see {@link correctedCallIds}),
 * else `answeredId` unchanged.
 *
 * @param answeredId - the call id the caller answered (the one its chunks showed)
 * @param knownCallIds - the call ids of the items the request sends before the result
 * @param corrections - shown id → the server's id, of earlier answers
 */
export function serverCallIdFor(
  answeredId: string,
  knownCallIds: ReadonlySet<string>,
  corrections: ReadonlyMap<string, string>,
): string {
  if (knownCallIds.has(answeredId)) return answeredId;
  return corrections.get(answeredId) ?? answeredId;
}
