import { describe, expect, it } from 'vitest';
import { parseRateLimitHeaders } from './rate-limits.js';

describe('parseRateLimitHeaders', () => {
  it('reads both windows, the plan and the credits from a Headers object', () => {
    const headers = new Headers({
      'x-codex-primary-used-percent': '42.5',
      'x-codex-primary-window-minutes': '300',
      'x-codex-primary-reset-at': '1764072000',
      'x-codex-secondary-used-percent': '7',
      'x-codex-secondary-window-minutes': '10080',
      'x-codex-secondary-reset-after-seconds': '3600',
      'x-codex-plan-type': 'plus',
      'x-codex-credits-balance': '12.75',
    });
    expect(parseRateLimitHeaders(headers, { now: 1_000_000 })).toEqual({
      primary: { usedPercent: 42.5, windowMinutes: 300, resetsAt: 1_764_072_000_000 },
      secondary: { usedPercent: 7, windowMinutes: 10080, resetsAt: 1_000_000 + 3_600_000 },
      planType: 'plus',
      creditsBalance: 12.75,
    });
  });

  it('accepts a plain record with any header case and array values', () => {
    expect(
      parseRateLimitHeaders({
        'X-Codex-Primary-Used-Percent': ['80', '81'],
        'x-codex-plan-type': 'pro',
        other: undefined,
      }),
    ).toEqual({ primary: { usedPercent: 80 }, planType: 'pro' });
  });

  it('leaves out a reset time no date can hold', () => {
    expect(
      parseRateLimitHeaders(
        {
          'x-codex-primary-used-percent': '100',
          'x-codex-primary-reset-at': '1e20',
          'x-codex-secondary-reset-at': '1e20',
          'x-codex-secondary-reset-after-seconds': '60',
        },
        { now: 1000 },
      ),
    ).toEqual({ primary: { usedPercent: 100 }, secondary: { resetsAt: 61_000 } });
    expect(parseRateLimitHeaders({ 'x-codex-primary-reset-after-seconds': '1e20' })).toEqual({});
  });

  it('treats missing or non-numeric values as unknown, never 0', () => {
    expect(
      parseRateLimitHeaders({
        'x-codex-primary-used-percent': 'abc',
        'x-codex-primary-window-minutes': '',
        'x-codex-secondary-reset-at': 'soon',
        'x-codex-credits-balance': 'NaN',
      }),
    ).toEqual({});
    expect(parseRateLimitHeaders(new Headers())).toEqual({});
  });
});
