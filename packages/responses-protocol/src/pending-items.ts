/** Where a parser's callbacks push their output until it is handed over. @internal */
export interface PendingItems<Item> {
  /** The items pushed since the last hand-over. */
  items: Item[];
}

/**
 * Hands over what was pushed into `pending` since the last call, always in an array of its own: one
 * item (most WebSocket frames give one chunk) in a new one-element array while `pending` keeps its
 * array (a fresh array would get room for 17 items on its first push); more items in `pending`'s
 * array as is (a fresh one takes its place, so nothing is copied); none in a new empty array.
 * @internal
 */
export function takePendingItems<Item>(pending: PendingItems<Item>): Item[] {
  const items = pending.items;
  if (items.length === 0) return [];
  if (items.length === 1) {
    const only = [items[0] as Item];
    items.pop();
    return only;
  }
  pending.items = [];
  return items;
}
