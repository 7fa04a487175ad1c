import { describe, expect, it } from 'vitest';
import { formatClockTime, formatDuration, formatRelativeTime } from './duration.js';

describe('formatDuration', () => {
  it('picks the two largest units', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(245_000)).toBe('4m 05s');
    expect(formatDuration(2 * 3600_000 + 3 * 60_000)).toBe('2h 03m');
    expect(formatDuration(3 * 86_400_000 + 4 * 3600_000)).toBe('3d 4h');
    expect(formatDuration(2 * 86_400_000)).toBe('2d');
  });

  it('treats negative durations as zero', () => {
    expect(formatDuration(-5000)).toBe('0s');
  });
});

describe('formatRelativeTime', () => {
  it('says in or ago', () => {
    expect(formatRelativeTime(1_000_000 + 60_000, 1_000_000)).toBe('in 1m 00s');
    expect(formatRelativeTime(1_000_000 - 60_000, 1_000_000)).toBe('1m 00s ago');
  });
});

describe('formatClockTime', () => {
  it('shows only the time for today and a date far away', () => {
    const now = new Date(2026, 10, 25, 10, 0).getTime();
    expect(formatClockTime(new Date(2026, 10, 25, 14, 5).getTime(), now)).toBe('14:05');
    expect(formatClockTime(new Date(2026, 11, 25, 9, 30).getTime(), now)).toBe('2026-12-25 09:30');
    expect(formatClockTime(new Date(2026, 10, 27, 9, 30).getTime(), now)).toBe('Fri 09:30');
  });
});
