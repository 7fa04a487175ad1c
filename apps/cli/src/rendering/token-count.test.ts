import { describe, expect, it } from 'vitest';
import { formatTokenCount, groupThousands } from './token-count.js';

describe('groupThousands', () => {
  it('writes numbers like toLocaleString("en-US") for whole numbers', () => {
    for (const value of [0, 7, 999, 1000, 12_345, 999_999, 1_000_000, 1_234_567_890, -1234]) {
      expect(groupThousands(value)).toBe(value.toLocaleString('en-US'));
    }
  });
});

describe('formatTokenCount', () => {
  it('is compact', () => {
    expect([950, 12_345, 272_000, 1_200_000].map(formatTokenCount)).toEqual(['950', '12.3k', '272k', '1.2M']);
  });
});
