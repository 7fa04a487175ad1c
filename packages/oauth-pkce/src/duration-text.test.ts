import { describe, expect, it } from 'vitest';
import { describeDuration } from './duration-text.js';

describe('describeDuration', () => {
  it('says seconds under a minute and whole minutes otherwise', () => {
    expect(describeDuration(200)).toBe('less than a second');
    expect(describeDuration(1000)).toBe('1 second');
    expect(describeDuration(45_000)).toBe('45 seconds');
    expect(describeDuration(59_000)).toBe('59 seconds');
    expect(describeDuration(60_000)).toBe('1 minute');
    expect(describeDuration(90_000)).toBe('2 minutes');
    expect(describeDuration(900_000)).toBe('15 minutes');
  });
});
