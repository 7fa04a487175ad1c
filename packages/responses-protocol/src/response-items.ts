import type { ResponseItem } from './stream-chunk.js';

/**
 * An item as it goes back into a request's `input`: the same fields without its `id`. With
 * `store: false` the server keeps no items, so an id it gave out cannot be resolved later (sending
 * one is an error); everything else — a reasoning item's `encrypted_content` and `summary`, a call's
 * `call_id` — must come back unchanged.
 *
 * @param item - an output item as the server sent it
 * @returns a shallow copy without `id` (the item itself when it has none)
 */
export function toInputItem(item: ResponseItem): ResponseItem {
  if (!('id' in item)) return item;
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
