import { Gauge, type Registry } from 'prom-client';

/** One usage window as the provider reports it (`lastRateLimits`). */
interface UsageWindowReading {
  usedPercent?: number;
  windowMinutes?: number;
  resetsAt?: number;
}

/** What the gauges read: a provider's latest rate-limit snapshot (`CodexProvider.lastRateLimits`). */
export interface UsageWindowSource {
  readonly lastRateLimits?:
    | { primary?: UsageWindowReading; secondary?: UsageWindowReading; creditsBalance?: number }
    | undefined;
}

/**
 * Registers the upstream usage windows as `/metrics` gauges, read at scrape time from the provider's
 * latest snapshot: `codetether_upstream_usage_used_percent{window}`,
 * `codetether_upstream_usage_window_minutes{window}`, `codetether_upstream_usage_resets_at_seconds{window}`
 * (`window` is `primary` or `secondary`) and `codetether_upstream_credits_balance`. Unknown values are
 * left out, never reported as 0.
 *
 * @param registry - the gateway's metrics registry
 * @param source - the provider
 */
export function registerUsageWindowGauges(registry: Registry, source: UsageWindowSource): void {
  // A registry shared by several gateways keeps the gauges of the first one.
  if (registry.getSingleMetric('codetether_upstream_usage_used_percent') !== undefined) return;
  const windows = () => {
    const snapshot = source.lastRateLimits;
    return [
      ['primary', snapshot?.primary],
      ['secondary', snapshot?.secondary],
    ] as const;
  };
  const windowGauge = (
    name: string,
    help: string,
    read: (window: UsageWindowReading) => number | undefined,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: ['window'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [label, window] of windows()) {
          const value = window === undefined ? undefined : read(window);
          if (value !== undefined) this.set({ window: label }, value);
        }
      },
    });
  windowGauge(
    'codetether_upstream_usage_used_percent',
    'Used share of an upstream usage window, percent.',
    (window) => window.usedPercent,
  );
  windowGauge(
    'codetether_upstream_usage_window_minutes',
    'Length of an upstream usage window, minutes.',
    (window) => window.windowMinutes,
  );
  windowGauge(
    'codetether_upstream_usage_resets_at_seconds',
    'When an upstream usage window resets, epoch seconds.',
    (window) => (window.resetsAt === undefined ? undefined : Math.floor(window.resetsAt / 1000)),
  );
  new Gauge({
    name: 'codetether_upstream_credits_balance',
    help: 'Remaining ChatGPT credits, when the plan reports them.',
    registers: [registry],
    collect() {
      this.reset();
      const balance = source.lastRateLimits?.creditsBalance;
      if (balance !== undefined) this.set(balance);
    },
  });
}
