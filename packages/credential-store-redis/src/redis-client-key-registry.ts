import { createRedisConnection } from './redis-connection.js';
import { DEFAULT_REDIS_KEY_PREFIX } from './redis-profile-keys.js';
import { parseRedisStoreUrl } from './redis-store-url.js';

/**
 * One gateway client key as the registry stores it: its name, the SHA-256 of the key (never the key),
 * an optional profile, and when it was made. Structurally the same as `@codetether/server`'s
 * `ClientKeyRecord`; the registry does not interpret it beyond `name`.
 */
export interface StoredClientKey {
  /** The key's name (unique). */
  name: string;
  /** The SHA-256 of the key, hex. */
  hash: string;
  /** The profile the key was created for, if any. */
  profile?: string;
  /** When the key was created, ISO 8601. */
  createdAt: string;
}

/** Requests and tokens counted for one key. */
export interface StoredClientKeyUsage {
  /** Authenticated requests. */
  requests: number;
  /** Prompt and completion tokens. */
  tokens: number;
}

/** What {@link RedisClientKeyRegistry.list} answers: the keys and the registry's version. */
export interface ClientKeyListing {
  /** The registry's version: it changes with every key created or revoked. */
  version: string;
  /** The keys, or `undefined` when `version` is the one the caller already has (nothing changed). */
  keys: StoredClientKey[] | undefined;
}

/** Options of {@link createRedisClientKeyRegistry}. */
export interface RedisClientKeyRegistryOptions {
  /** `redis://[user:password@]host[:port][/database]`, or `rediss://…` (e.g. `CODETETHER_STORE`). */
  url: string;
  /** Prefix of the registry's keys. Default `codetether:` (keys `…client-keys`, `…client-keys:version`, `…client-key-usage`). */
  keyPrefix?: string;
  /** How long connecting may take, ms. Default 5 s. */
  connectTimeoutMs?: number;
  /** How long one Redis command may take, ms. Default 5 s. */
  commandTimeoutMs?: number;
}

/**
 * Gateway client keys (hashes only) and their usage counters in Redis, shared by every gateway replica.
 * Every failure is a `RedisCredentialStoreError` (`store-unavailable`, `store-misconfigured`).
 */
export interface RedisClientKeyRegistry {
  /** The Redis URL without credentials. */
  readonly location: string;
  /**
   * The keys, in one round trip: only the version when it equals `knownVersion` (so a caller can keep
   * its copy and still see every change on its next call), else the version and every key.
   */
  list(knownVersion?: string): Promise<ClientKeyListing>;
  /** Adds a key unless one of that name exists; resolves to false when it exists. Resets its usage. */
  add(key: StoredClientKey): Promise<boolean>;
  /** Removes a key and its usage; resolves to the removed key, `undefined` when none has that name. */
  remove(name: string): Promise<StoredClientKey | undefined>;
  /**
   * Adds to the counters of existing keys (atomic `HINCRBY`; keys revoked meanwhile are skipped). Figures
   * are truncated to whole numbers; a counter saturates at 2^53 - 1, and one that is not a number starts
   * again from the increment.
   */
  addUsage(increments: ReadonlyMap<string, StoredClientKeyUsage>): Promise<void>;
  /** Every key's counters, by name. */
  readUsage(): Promise<Map<string, StoredClientKeyUsage>>;
  /** Closes the connection (a later call opens a new one). */
  close(): Promise<void>;
}

/** Answers `{version}` when unchanged, else `{version, records…}` (KEYS: records, version). */
const LIST_SCRIPT = `
local version = redis.call('GET', KEYS[2]) or '0'
if version == ARGV[1] then return {version} end
local result = redis.call('HVALS', KEYS[1])
table.insert(result, 1, version)
return result`;

/** Adds a record unless its name exists (KEYS: records, version, usage; ARGV: name, record). */
const ADD_SCRIPT = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('INCR', KEYS[2])
redis.call('HDEL', KEYS[3], 'requests:' .. ARGV[1], 'tokens:' .. ARGV[1])
return 1`;

/** Removes a record and its usage; answers the record or nil (KEYS: records, version, usage; ARGV: name). */
const REMOVE_SCRIPT = `
local record = redis.call('HGET', KEYS[1], ARGV[1])
if not record then return false end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('INCR', KEYS[2])
redis.call('HDEL', KEYS[3], 'requests:' .. ARGV[1], 'tokens:' .. ARGV[1])
return record`;

/**
 * Adds usage of keys that still exist (KEYS: records, usage; ARGV: name, requests, tokens, …). A
 * counter that is not a number (or would overflow) starts again from the increment, so one damaged
 * counter never stops the others being counted; a counter saturates at 2^53 - 1.
 */
const ADD_USAGE_SCRIPT = `
local limit = 9007199254740991
local function add(field, increment)
  local result = redis.pcall('HINCRBY', KEYS[2], field, increment)
  if type(result) == 'table' and result.err then
    redis.call('HSET', KEYS[2], field, increment)
  elseif result > limit then
    redis.call('HSET', KEYS[2], field, limit)
  end
end
for index = 1, #ARGV, 3 do
  local name = ARGV[index]
  if redis.call('HEXISTS', KEYS[1], name) == 1 then
    add('requests:' .. name, ARGV[index + 1])
    add('tokens:' .. name, ARGV[index + 2])
  end
end
return 1`;

/** A usage figure as a whole number Redis can add: truncated, capped at ±(2^53 - 1), 0 when not finite. */
function usageIncrement(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, Math.trunc(value)));
}

/** A stored counter as a number: 0 when it is not one, capped at 2^53 - 1. */
function counterValue(text: string): number {
  const value = Number(text);
  return Number.isFinite(value) ? Math.min(Math.trunc(value), Number.MAX_SAFE_INTEGER) : 0;
}

function parseStoredKey(text: string): StoredClientKey | undefined {
  try {
    const value = JSON.parse(text) as Partial<StoredClientKey> | null;
    if (
      typeof value?.name !== 'string' ||
      typeof value.hash !== 'string' ||
      !/^[0-9a-f]{64}$/.test(value.hash) ||
      typeof value.createdAt !== 'string'
    )
      return undefined;
    const key: StoredClientKey = { name: value.name, hash: value.hash, createdAt: value.createdAt };
    if (typeof value.profile === 'string') key.profile = value.profile;
    return key;
  } catch {
    return undefined;
  }
}

/**
 * Opens the client-key registry of a gateway deployment in Redis: a hash of key records by name (with a
 * version counter bumped on every change, in the same Lua script, so a reader that checks the version
 * on every request sees a revocation at once) and a hash of usage counters. Connects on first use, with
 * the credential store's fail-fast connection (no background reconnects).
 *
 * @param options - the Redis URL, key prefix and timeouts
 * @throws `RedisCredentialStoreError` `store-misconfigured` for a malformed URL
 */
export function createRedisClientKeyRegistry(options: RedisClientKeyRegistryOptions): RedisClientKeyRegistry {
  const settings = parseRedisStoreUrl(options.url);
  const prefix = options.keyPrefix ?? DEFAULT_REDIS_KEY_PREFIX;
  const keys = {
    records: `${prefix}client-keys`,
    version: `${prefix}client-keys:version`,
    usage: `${prefix}client-key-usage`,
  };
  const connection = createRedisConnection(settings, {
    connectTimeoutMs: options.connectTimeoutMs ?? 5000,
    commandTimeoutMs: options.commandTimeoutMs ?? 5000,
  });
  return {
    location: settings.location,
    async list(knownVersion) {
      const reply = (await connection.run((client) =>
        client.eval(LIST_SCRIPT, 2, keys.records, keys.version, knownVersion ?? ''),
      )) as string[];
      const [version = '0', ...records] = reply;
      if (reply.length === 1 && version === knownVersion) return { version, keys: undefined };
      const parsed = records
        .map(parseStoredKey)
        .filter((key): key is StoredClientKey => key !== undefined)
        .sort((left, right) =>
          left.createdAt === right.createdAt
            ? left.name.localeCompare(right.name)
            : left.createdAt.localeCompare(right.createdAt),
        );
      return { version, keys: parsed };
    },
    async add(key) {
      const added = await connection.run((client) =>
        client.eval(ADD_SCRIPT, 3, keys.records, keys.version, keys.usage, key.name, JSON.stringify(key)),
      );
      return Number(added) === 1;
    },
    async remove(name) {
      const removed = (await connection.run((client) =>
        client.eval(REMOVE_SCRIPT, 3, keys.records, keys.version, keys.usage, name),
      )) as string | null;
      return removed === null ? undefined : parseStoredKey(removed);
    },
    async addUsage(increments) {
      const argumentsList: string[] = [];
      for (const [name, usage] of increments) {
        const requests = usageIncrement(usage.requests);
        const tokens = usageIncrement(usage.tokens);
        if (requests === 0 && tokens === 0) continue;
        argumentsList.push(name, String(requests), String(tokens));
      }
      if (argumentsList.length === 0) return;
      await connection.run((client) =>
        client.eval(ADD_USAGE_SCRIPT, 2, keys.records, keys.usage, ...argumentsList),
      );
    },
    async readUsage() {
      const fields = await connection.run((client) => client.hgetall(keys.usage));
      const usage = new Map<string, StoredClientKeyUsage>();
      for (const [field, value] of Object.entries(fields)) {
        const separator = field.indexOf(':');
        const counter = field.slice(0, separator);
        const name = field.slice(separator + 1);
        if (counter !== 'requests' && counter !== 'tokens') continue;
        const entry = usage.get(name) ?? { requests: 0, tokens: 0 };
        entry[counter] = counterValue(value);
        usage.set(name, entry);
      }
      return usage;
    },
    close: () => connection.close(),
  };
}
