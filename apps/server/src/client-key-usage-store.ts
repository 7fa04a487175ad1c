import { readClientKeyUsage, writeClientKeyUsage } from './client-key-usage-file.js';
import type { ClientKeyUsage } from './gateway-metrics.js';

/** Each key's usage as `keys list` shows it, and what the numbers cover. */
export interface ClientKeyUsageReport {
  /** Requests and tokens by key name. */
  keys: Record<string, ClientKeyUsage>;
  /** What the numbers cover, for people: e.g. `since the gateway started at …`. */
  scope: string;
}

/**
 * Where a running gateway leaves each client key's requests and tokens for `codetether-server keys list`:
 * a file under `CODETETHER_HOME` ({@link createFileClientKeyUsageStore}), or Redis counters shared by
 * every replica (`createRedisClientKeyStore`).
 */
export interface ClientKeyUsageStore {
  /**
   * Records the usage this gateway counted since it started (totals by key name; a store that adds up
   * several gateways adds only what changed since the last successful call).
   */
  publish(totals: ReadonlyMap<string, Readonly<ClientKeyUsage>>): Promise<void>;
  /** The usage to show, or `undefined` when none was recorded. */
  read(): Promise<ClientKeyUsageReport | undefined>;
}

/**
 * The usage file `<home>/client-key-usage.json` of one gateway (replaced with its totals on each
 * publish), as `keys list` reads it.
 *
 * @param options - the home folder, and the wall clock (default `Date.now`) for when counting started
 */
export function createFileClientKeyUsageStore(options: {
  home: string;
  now?: () => number;
}): ClientKeyUsageStore {
  const since = new Date((options.now ?? Date.now)()).toISOString();
  return {
    async publish(totals) {
      const keys = Object.fromEntries([...totals].map(([name, usage]) => [name, { ...usage }]));
      await writeClientKeyUsage(options.home, { since, keys });
    },
    async read() {
      const snapshot = await readClientKeyUsage(options.home);
      return snapshot === undefined
        ? undefined
        : { keys: snapshot.keys, scope: `since the gateway started at ${snapshot.since}` };
    },
  };
}
