import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerUsageWindowGauges, type UsageWindowSource } from './usage-window-gauges.js';

describe('registerUsageWindowGauges', () => {
  it('exposes the latest windows at scrape time and leaves unknown values out', async () => {
    const registry = new Registry();
    const source: { lastRateLimits: UsageWindowSource['lastRateLimits'] } = { lastRateLimits: undefined };
    registerUsageWindowGauges(registry, source);
    expect(await registry.metrics()).not.toMatch(/codetether_upstream_usage_used_percent\{/);
    source.lastRateLimits = {
      primary: { usedPercent: 42, windowMinutes: 300, resetsAt: 1_700_000_000_000 },
      secondary: { usedPercent: 7 },
      creditsBalance: 5,
    };
    const text = await registry.metrics();
    expect(text).toContain('codetether_upstream_usage_used_percent{window="primary"} 42');
    expect(text).toContain('codetether_upstream_usage_used_percent{window="secondary"} 7');
    expect(text).toContain('codetether_upstream_usage_window_minutes{window="primary"} 300');
    expect(text).not.toContain('codetether_upstream_usage_window_minutes{window="secondary"}');
    expect(text).toContain('codetether_upstream_usage_resets_at_seconds{window="primary"} 1700000000');
    expect(text).toContain('codetether_upstream_credits_balance 5');
  });
});
