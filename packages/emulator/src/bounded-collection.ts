/** A `Map` or `Set`: keys in insertion order, removable one by one. */
export interface InsertionOrderedCollection<Key> {
  /** How many entries there are. */
  readonly size: number;
  /** The keys, oldest first. */
  keys(): IterableIterator<Key>;
  /** Removes one entry. */
  delete(key: Key): boolean;
}

/**
 * Removes the oldest entries of a `Map` or `Set` (insertion order) until at most `limit` are left: how
 * the emulator's state stays bounded however many requests a client sends.
 *
 * @param collection - the map or set
 * @param limit - the most entries kept (a negative limit keeps none)
 */
export function dropOldest<Key>(collection: InsertionOrderedCollection<Key>, limit: number): void {
  for (const key of collection.keys()) {
    if (collection.size <= Math.max(0, limit)) return;
    collection.delete(key);
  }
}
