import { Gauge, type Registry } from 'prom-client';

/** One usage window as the provider reports it (`lastRateLimits`). */
interface UsageWindowReading {
  usedPercent?: number;
  windowMinutes?: number;
  resetsAt?: number;
}

/** One rate-limit snapshot as the gauges read it. */
interface UsageSnapshotReading {
  primary?: UsageWindowReading;
  secondary?: UsageWindowReading;
  creditsBalance?: number;
}

/**
 * What the gauges read: a provider's latest rate-limit snapshot (`CodexProvider.lastRateLimits`), and
 * with profile routing the latest of each login profile.
 */
export interface UsageWindowSource {
  readonly lastRateLimits?: UsageSnapshotReading | undefined;
  readonly rateLimitsByProfile?: ReadonlyMap<string, UsageSnapshotReading> | undefined;
}

/** The snapshots to report, each with its gauge labels: `{}` for the unnamed one, else `{profile}`. */
function snapshotsOf(source: UsageWindowSource): Array<[{ profile?: string }, UsageSnapshotReading]> {
  const snapshots: Array<[{ profile?: string }, UsageSnapshotReading]> = [];
  if (source.lastRateLimits !== undefined) snapshots.push([{}, source.lastRateLimits]);
  for (const [profile, snapshot] of source.rateLimitsByProfile ?? []) snapshots.push([{ profile }, snapshot]);
  return snapshots;
}

/**
 * Registers the upstream usage windows as `/metrics` gauges, read at scrape time from the provider's
 * latest snapshot: `codetether_upstream_usage_used_percent{window}`,
 * `codetether_upstream_usage_window_minutes{window}`, `codetether_upstream_usage_resets_at_seconds{window}`
 * (`window` is `primary` or `secondary`) and `codetether_upstream_credits_balance`; with profile
 * routing each login profile's under `profile="…"`. Unknown values are left out, never reported as 0.
 *
 * @param registry - the gateway's metrics registry
 * @param source - the provider
 */
export function registerUsageWindowGauges(registry: Registry, source: UsageWindowSource): void {
  // A registry shared by several gateways keeps the gauges of the first one.
  if (registry.getSingleMetric('codetether_upstream_usage_used_percent') !== undefined) return;
  const windows = () =>
    snapshotsOf(source).flatMap(([labels, snapshot]) => [
      [{ window: 'primary', ...labels }, snapshot.primary] as const,
      [{ window: 'secondary', ...labels }, snapshot.secondary] as const,
    ]);
  const windowGauge = (
    name: string,
    help: string,
    read: (window: UsageWindowReading) => number | undefined,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: ['window', 'profile'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [labels, window] of windows()) {
          const value = window === undefined ? undefined : read(window);
          if (value !== undefined) this.set(labels, value);
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
    labelNames: ['profile'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, snapshot] of snapshotsOf(source)) {
        if (snapshot.creditsBalance !== undefined) this.set(labels, snapshot.creditsBalance);
      }
    },
  });
}
