import { describe, expect, it } from 'vitest';
import { type PendingItems, takePendingItems } from './pending-items.js';

describe('takePendingItems', () => {
  it('hands over every item once, in arrays that later pushes never change', () => {
    const pending: PendingItems<number> = { items: [] };
    const handedOver: number[][] = [];
    let next = 0;
    // Rounds of 0, 1, 2 and 3 items, twice: every path, each after every other.
    for (const count of [1, 0, 2, 1, 3, 1, 1, 0, 0, 2]) {
      for (let index = 0; index < count; index += 1) pending.items.push(next++);
      handedOver.push(takePendingItems(pending));
    }
    expect(handedOver).toEqual([[0], [], [1, 2], [3], [4, 5, 6], [7], [8], [], [], [9, 10]]);
    expect(new Set(handedOver).size).toBe(handedOver.length);
    expect(pending.items).toEqual([]);
  });

  it('hands over a one-item array the caller may keep and change', () => {
    const pending: PendingItems<string> = { items: ['a'] };
    const first = takePendingItems(pending);
    first.push('changed by the caller');
    pending.items.push('b');
    expect(takePendingItems(pending)).toEqual(['b']);
    expect(first).toEqual(['a', 'changed by the caller']);
  });
});
