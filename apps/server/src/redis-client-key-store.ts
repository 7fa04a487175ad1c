// Client keys in Redis for replicated gateways. The Redis side (connection, Lua scripts, error
// classification) is `@codetether/credential-store-redis`'s `createRedisClientKeyRegistry`, next to the
// credential store whose connection handling it shares; this adapter adds what is the gateway's own:
// key names, key generation and hashing, and its error codes. The package is imported on first use, so a
// gateway with the file store never loads it or ioredis.
import type { RedisClientKeyRegistry } from '@codetether/credential-store-redis';
import { ClientKeyError } from './client-key-error.js';
import {
  assertClientKeyName,
  type ClientKeyRecord,
  type ClientKeyStore,
  clientKeyExistsError,
  clientKeyNotFoundError,
  isUsableClientKeyRecord,
  newClientKey,
} from './client-key-store.js';
import type { ClientKeyUsageStore } from './client-key-usage-store.js';
import type { ClientKeyUsage } from './gateway-metrics.js';

/** Options of {@link createRedisClientKeyStore}. */
export interface RedisClientKeyStoreOptions {
  /** The Redis URL (`CODETETHER_STORE`). */
  url: string;
  /** Prefix of the Redis keys. Default `codetether:` (as the credential store's). */
  keyPrefix?: string;
  /** Wall clock (default `Date.now`), for `createdAt`. */
  now?: () => number;
}

/** Client keys and their usage in Redis. */
export interface RedisClientKeyStore extends ClientKeyStore, ClientKeyUsageStore {
  /** Closes the Redis connection. */
  close(): Promise<void>;
}

/** Every failure of the registry as a `client_key_store_unavailable` {@link ClientKeyError} (one line). */
function unavailable(error: unknown): ClientKeyError {
  if (error instanceof ClientKeyError) return error;
  const retryable = (error as { isRetryable?: unknown } | null)?.isRetryable === true;
  return new ClientKeyError(
    'client_key_store_unavailable',
    error instanceof Error ? error.message : 'The client key store in Redis could not be used.',
    { cause: error, isRetryable: retryable },
  );
}

/**
 * Keeps the client keys (names and SHA-256 hashes, never the keys) and their usage counters in Redis,
 * so every gateway replica sees a key created or revoked anywhere. {@link ClientKeyStore.load} asks
 * Redis on every call, in one round trip that returns only a version number while nothing changed, so
 * a revoked key is refused by every replica on its next request. Usage is published as increments
 * (atomic `HINCRBY`), so the counts of all replicas add up. Redis down, unreachable or refusing the
 * password: `client_key_store_unavailable` with the store's one-line message.
 *
 * @param options - the Redis URL, key prefix and clock
 */
export function createRedisClientKeyStore(options: RedisClientKeyStoreOptions): RedisClientKeyStore {
  const now = options.now ?? Date.now;
  let registry: Promise<RedisClientKeyRegistry> | undefined;
  const open = (): Promise<RedisClientKeyRegistry> => {
    registry ??= import('@codetether/credential-store-redis').then(({ createRedisClientKeyRegistry }) =>
      createRedisClientKeyRegistry({
        url: options.url,
        ...(options.keyPrefix === undefined ? {} : { keyPrefix: options.keyPrefix }),
      }),
    );
    registry.catch(() => {
      registry = undefined;
    });
    return registry;
  };
  const use = async <T>(work: (opened: RedisClientKeyRegistry) => Promise<T>): Promise<T> => {
    try {
      return await work(await open());
    } catch (error) {
      throw unavailable(error);
    }
  };
  let cached: { version: string; records: ClientKeyRecord[]; ignored: number } | undefined;
  // What was added to the shared counters so far, so each publish adds only the difference.
  const published = new Map<string, ClientKeyUsage>();
  // Entries another program wrote to the hash that are not valid keys are never used or shown.
  const list = () =>
    use(async (opened) => {
      const listing = await opened.list(cached?.version);
      if (listing.keys !== undefined) {
        const records = listing.keys.filter(isUsableClientKeyRecord);
        cached = { version: listing.version, records, ignored: listing.keys.length - records.length };
      }
      return { records: cached?.records ?? [], ignored: cached?.ignored ?? 0 };
    });
  return {
    load: async () => (await list()).records,
    list,
    async create(name, createOptions) {
      assertClientKeyName(name);
      const created = newClientKey(name, createOptions?.profile, now);
      const added = await use((opened) => opened.add(created.record));
      if (!added) throw clientKeyExistsError(name);
      return created;
    },
    async revoke(name) {
      const removed = await use((opened) => opened.remove(name));
      if (removed === undefined) throw clientKeyNotFoundError(name);
      return removed;
    },
    async publish(totals) {
      const snapshot = new Map([...totals].map(([name, usage]) => [name, { ...usage }]));
      const increments = new Map<string, ClientKeyUsage>();
      for (const [name, usage] of snapshot) {
        const before = published.get(name) ?? { requests: 0, tokens: 0 };
        const increment = {
          requests: usage.requests - before.requests,
          tokens: usage.tokens - before.tokens,
        };
        if (increment.requests !== 0 || increment.tokens !== 0) increments.set(name, increment);
      }
      if (increments.size === 0) return;
      await use((opened) => opened.addUsage(increments));
      for (const [name, usage] of snapshot) published.set(name, usage);
    },
    async read() {
      const usage = await use((opened) => opened.readUsage());
      return { keys: Object.fromEntries(usage), scope: 'of every replica, since each key was created' };
    },
    async close() {
      const opened = registry;
      registry = undefined;
      if (opened !== undefined) await (await opened.catch(() => undefined))?.close();
    },
  };
}
