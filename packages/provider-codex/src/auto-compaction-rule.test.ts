import { describe, expect, it } from 'vitest';
import { isAutoCompactionDue, recompactionInputTokens } from './auto-compaction-rule.js';

const facts = { contextWindow: 1_000, share: 0.8 };

describe('isAutoCompactionDue', () => {
  it('is due from the threshold on, before any compaction or after one that worked', () => {
    expect(isAutoCompactionDue({ ...facts, inputTokens: 799, inputAfterCompaction: undefined })).toBe(false);
    expect(isAutoCompactionDue({ ...facts, inputTokens: 800, inputAfterCompaction: undefined })).toBe(true);
    expect(isAutoCompactionDue({ ...facts, inputTokens: 800, inputAfterCompaction: 300 })).toBe(true);
  });

  it('waits for the input to grow halfway to the window after a compaction that left it above', () => {
    expect(recompactionInputTokens(900, 1_000)).toBe(950);
    expect(isAutoCompactionDue({ ...facts, inputTokens: 949, inputAfterCompaction: 900 })).toBe(false);
    expect(isAutoCompactionDue({ ...facts, inputTokens: 950, inputAfterCompaction: 900 })).toBe(true);
  });

  it('never waits past the input itself when compaction left it over the window', () => {
    expect(recompactionInputTokens(1_200, 1_000)).toBe(1_200);
    expect(isAutoCompactionDue({ ...facts, inputTokens: 1_200, inputAfterCompaction: 1_200 })).toBe(true);
  });
});
