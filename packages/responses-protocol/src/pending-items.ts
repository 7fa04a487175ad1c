/** Where a parser's callbacks push their output until it is handed over. @internal */
export interface PendingItems<Item> {
  /** The items pushed since the last hand-over. */
  items: Item[];
}

/**
 * Hands over what was pushed into `pending` since the last call: its array as is (a fresh one takes
 * its place, so nothing is copied), or a new empty array when nothing was pushed.
 * @internal
 */
export function takePendingItems<Item>(pending: PendingItems<Item>): Item[] {
  const items = pending.items;
  if (items.length === 0) return [];
  pending.items = [];
  return items;
}
