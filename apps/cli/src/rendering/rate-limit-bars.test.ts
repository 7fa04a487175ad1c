import picocolors from 'picocolors';
import { describe, expect, it } from 'vitest';
import { hasRateLimitWindows, renderRateLimitBars, windowLabel } from './rate-limit-bars.js';

const plain = picocolors.createColors(false);
const now = new Date(2026, 10, 25, 10, 0).getTime();

describe('renderRateLimitBars', () => {
  it('draws one labelled bar per window with the reset time', () => {
    const lines = renderRateLimitBars(
      {
        primary: { usedPercent: 50, windowMinutes: 300, resetsAt: now + 3600_000 },
        secondary: { usedPercent: 10, windowMinutes: 10_080 },
      },
      { colors: plain, now, width: 10 },
    );
    expect(lines).toEqual([
      '5-hour limit    █████░░░░░   50% used  resets in 1h 00m (11:00)',
      'Weekly limit    █░░░░░░░░░   10% used',
    ]);
  });

  it('accepts reset times in epoch seconds and clamps percentages', () => {
    const [line] = renderRateLimitBars(
      { primary: { usedPercent: 140, windowMinutes: 60, resetsAt: Math.floor(now / 1000) + 90 } },
      { colors: plain, now, width: 4 },
    );
    expect(line).toBe('1-hour limit    ████  100% used  resets in 1m 30s (10:01)');
  });

  it('colours the bar only when colour is on', () => {
    const colors = picocolors.createColors(true);
    const [line] = renderRateLimitBars({ primary: { usedPercent: 95 } }, { colors, now });
    expect(line).toContain('\u001b[31m');
  });

  it('reports credits and knows when there is nothing to draw', () => {
    expect(renderRateLimitBars({ creditsBalance: 12 }, { colors: plain, now })).toEqual([
      'Credits         12',
    ]);
    expect(hasRateLimitWindows({})).toBe(false);
    expect(hasRateLimitWindows(undefined)).toBe(false);
    expect(hasRateLimitWindows({ secondary: {} })).toBe(true);
  });
});

describe('windowLabel', () => {
  it('names common window lengths', () => {
    expect(windowLabel(300)).toBe('5-hour');
    expect(windowLabel(10_080)).toBe('Weekly');
    expect(windowLabel(1440)).toBe('Daily');
    expect(windowLabel(2880)).toBe('2-day');
    expect(windowLabel(90)).toBe('90-minute');
    expect(windowLabel(undefined)).toBe('Usage');
  });
});
