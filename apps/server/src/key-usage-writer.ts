import type { ClientKeyUsageStore } from './client-key-usage-store.js';
import type { GatewayLogger } from './gateway-logger.js';
import type { GatewayMetrics } from './gateway-metrics.js';

/** How often the per-key usage is checked and, when it changed, written for `keys list`, ms. */
export const KEY_USAGE_WRITE_INTERVAL_MS = 2000;

/** Publishes the per-key usage of a gateway's metrics to its usage store. */
export interface KeyUsageWriter {
  /** Publishes the totals now when they changed since the last successful write (not twice at once). */
  writeNow(): Promise<void>;
  /**
   * Stops the ticks; then, unless `publish` is false, publishes the final totals (after one in
   * progress). `publish: false` is for a gateway that never served: it leaves the store as it was.
   */
  flush(options?: { publish?: boolean }): Promise<void>;
}

/**
 * Publishes the per-key usage every two seconds when it changed (the timer is unref'd, so it never
 * keeps the process up), and once more on `flush` (the final totals). A failed publish is tried again
 * on the next tick with the totals, so no request is lost; it is logged once when the store starts
 * failing (and again only if the reason changes), and once when it works again — a full disk or a
 * read-only home folder does not write a warning every two seconds. Without a usage store, does nothing.
 *
 * @param metrics - where the totals are counted
 * @param logger - for the failure and recovery lines
 * @param usage - where they go; `undefined` for none
 * @param options - the tick interval (`false`: no timer, for tests calling `writeNow`)
 */
export function createKeyUsageWriter(
  metrics: GatewayMetrics,
  logger: GatewayLogger,
  usage: ClientKeyUsageStore | undefined,
  options: { intervalMs?: number | false } = {},
): KeyUsageWriter {
  if (usage === undefined) return { writeNow: async () => {}, flush: async () => {} };
  let written = '{}';
  /** The reason of the failing streak, if the last attempt failed. */
  let failing: string | undefined;
  /** The publication in progress: never two at once. */
  let publishing: Promise<void> | undefined;
  const publish = async (): Promise<void> => {
    const totals = metrics.keyUsage();
    const text = JSON.stringify([...totals]);
    if (text === written) return;
    try {
      await usage.publish(totals);
      written = text;
      if (failing !== undefined) logger.info({}, 'recording the per-key usage again');
      failing = undefined;
    } catch (error) {
      const reason = (error as Error).message;
      if (reason !== failing) {
        logger.warn(
          { error: reason },
          'could not record the per-key usage (keys list); trying again every few seconds, logged again only when it works or fails otherwise',
        );
      }
      failing = reason;
    }
  };
  const writeNow = (): Promise<void> => {
    publishing ??= publish().finally(() => {
      publishing = undefined;
    });
    return publishing;
  };
  const intervalMs = options.intervalMs ?? KEY_USAGE_WRITE_INTERVAL_MS;
  const timer = intervalMs === false ? undefined : setInterval(() => void writeNow(), intervalMs);
  timer?.unref();
  return {
    writeNow,
    async flush(flushOptions) {
      clearInterval(timer);
      // One in progress may hold older totals: let it end, then publish the final ones.
      await publishing;
      if (flushOptions?.publish !== false) await writeNow();
    },
  };
}
