import { describe, expect, it } from 'vitest';
import { parseUsageBody } from './usage-body.js';

describe('parseUsageBody', () => {
  it('reads the windows, plan and credits', () => {
    expect(
      parseUsageBody(
        {
          plan_type: 'plus',
          rate_limit: {
            primary_window: { used_percent: 6, limit_window_seconds: 18_000, reset_at: 1_700_000_000 },
            secondary_window: { used_percent: '24', limit_window_seconds: 604_800, reset_after_seconds: 60 },
          },
          credits: { has_credits: true, balance: '5.39' },
        },
        1_000,
      ),
    ).toEqual({
      planType: 'plus',
      primary: { usedPercent: 6, windowMinutes: 300, resetsAt: 1_700_000_000_000 },
      secondary: { usedPercent: 24, windowMinutes: 10_080, resetsAt: 61_000 },
      creditsBalance: 5.39,
    });
  });

  it('treats odd values as unknown and nonsense as nothing', () => {
    expect(
      parseUsageBody({ rate_limit: { primary_window: { used_percent: 'lots' } }, credits: null }, 0),
    ).toBeUndefined();
    expect(parseUsageBody('nope', 0)).toBeUndefined();
    expect(parseUsageBody({ rate_limits: { primary: { used_percent: 3, window_minutes: 300 } } }, 0)).toEqual(
      {
        primary: { usedPercent: 3, windowMinutes: 300 },
      },
    );
  });
});
