import type { ResponseItem } from '@codetether/responses-protocol';

/**
 * The JSON length of each item measured so far. A conversation's history snapshots share their item
 * objects, so each item is serialised once however many snapshots hold it.
 */
const itemBytes = new WeakMap<object, number>();

/**
 * About how many bytes a conversation history holds: the length of each item's JSON, in UTF-16 code
 * units (as the conversation index counts transcripts). An item shared by several histories counts in
 * each of them: a history kept for an earlier response stays counted in full after its conversation
 * is gone, so the index never holds more than its byte limit says.
 *
 * @param items - the history (`conversation.history`)
 */
export function historyBytes(items: readonly ResponseItem[]): number {
  let total = 0;
  for (const item of items) {
    let bytes = itemBytes.get(item);
    if (bytes === undefined) {
      bytes = JSON.stringify(item)?.length ?? 0;
      itemBytes.set(item, bytes);
    }
    total += bytes;
  }
  return total;
}
