import { describe, expect, it } from 'vitest';
import { parseRetryAfterMs } from './retry-after.js';

const NOW = Date.UTC(2026, 0, 1, 0, 0, 0);

describe('parseRetryAfterMs', () => {
  it('reads delta-seconds, including decimals', () => {
    expect(parseRetryAfterMs({ 'retry-after': '3' }, NOW)).toBe(3_000);
    expect(parseRetryAfterMs({ 'retry-after': ' 1.5 ' }, NOW)).toBe(1_500);
    expect(parseRetryAfterMs({ 'retry-after': '0' }, NOW)).toBe(0);
  });

  it('reads an HTTP date relative to now and never goes negative', () => {
    expect(parseRetryAfterMs({ 'retry-after': new Date(NOW + 42_000).toUTCString() }, NOW)).toBe(42_000);
    expect(parseRetryAfterMs({ 'retry-after': new Date(NOW - 42_000).toUTCString() }, NOW)).toBe(0);
  });

  it('prefers retry-after-ms', () => {
    expect(parseRetryAfterMs({ 'retry-after-ms': '250', 'retry-after': '9' }, NOW)).toBe(250);
  });

  it('returns undefined for missing or unreadable values', () => {
    expect(parseRetryAfterMs({}, NOW)).toBeUndefined();
    expect(parseRetryAfterMs({ 'retry-after': 'soon' }, NOW)).toBeUndefined();
    expect(parseRetryAfterMs({ 'retry-after': '-5' }, NOW)).toBeUndefined();
    expect(parseRetryAfterMs({ 'retry-after-ms': 'x' }, NOW)).toBeUndefined();
  });
});
