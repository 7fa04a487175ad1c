import type { ResponseItem } from '@codetether/responses-protocol';

/**
 * The JSON length of each item measured so far. A conversation's history snapshots share their item
 * objects, so each item is serialised once however many snapshots hold it.
 */
const itemBytes = new WeakMap<object, number>();

function bytesOfItem(item: ResponseItem): number {
  let bytes = itemBytes.get(item);
  if (bytes === undefined) {
    bytes = JSON.stringify(item)?.length ?? 0;
    itemBytes.set(item, bytes);
  }
  return bytes;
}

/**
 * The bytes the histories kept for earlier responses hold — the length of each item's JSON, in UTF-16
 * code units (as the conversation index counts transcripts) — each item counted once however many of
 * them hold it: the earlier responses of one conversation keep histories that are prefixes of one
 * another and share their item objects, so counting each history in full would count a long
 * conversation's first items once per turn.
 */
export class KeptHistoryBytes {
  /** How many kept histories hold each item. */
  private readonly holders = new WeakMap<object, number>();

  /**
   * A history is kept: returns the bytes of its items no other kept history held (now counted).
   *
   * @param items - the history
   */
  hold(items: readonly ResponseItem[]): number {
    let added = 0;
    for (const item of items) {
      const holders = this.holders.get(item) ?? 0;
      if (holders === 0) added += bytesOfItem(item);
      this.holders.set(item, holders + 1);
    }
    return added;
  }

  /**
   * A kept history is let go: returns the bytes of its items no kept history holds any more (no
   * longer counted).
   *
   * @param items - the history, as it was given to {@link KeptHistoryBytes.hold}
   */
  release(items: readonly ResponseItem[]): number {
    let freed = 0;
    for (const item of items) {
      const holders = (this.holders.get(item) ?? 0) - 1;
      if (holders > 0) {
        this.holders.set(item, holders);
        continue;
      }
      this.holders.delete(item);
      freed += bytesOfItem(item);
    }
    return freed;
  }
}
