import { describe, expect, it } from 'vitest';
import { computeRetryDelayMs } from './retry-policy.js';

const policy = { baseDelayMs: 1_000, maxDelayMs: 8_000, maxRetryAfterMs: 20_000 };

describe('computeRetryDelayMs', () => {
  it('doubles the delay with equal jitter between half and all of it', () => {
    expect(computeRetryDelayMs(0, policy, () => 0)).toBe(500);
    expect(computeRetryDelayMs(0, policy, () => 0.999_999)).toBe(1_000);
    expect(computeRetryDelayMs(1, policy, () => 0)).toBe(1_000);
    expect(computeRetryDelayMs(2, policy, () => 0.5)).toBe(3_000);
  });

  it('caps the exponential delay', () => {
    expect(computeRetryDelayMs(10, policy, () => 0.999_999)).toBe(8_000);
  });

  it('uses Retry-After when given, capped', () => {
    expect(computeRetryDelayMs(0, policy, () => 0, 7_000)).toBe(7_000);
    expect(computeRetryDelayMs(0, policy, () => 0, 3_600_000)).toBe(20_000);
    expect(computeRetryDelayMs(3, policy, () => 0, 0)).toBe(0);
  });

  it('clamps a misbehaving random source', () => {
    expect(computeRetryDelayMs(0, policy, () => 7)).toBe(1_000);
    expect(computeRetryDelayMs(0, policy, () => -1)).toBe(500);
  });
});
