import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type CredentialStore,
  DEFAULT_PROFILE,
  OAuthError,
  parseCredentialsFileContent,
  parseProfileName,
  type RefreshJournal,
  type StoredChatGptCredentials,
  serializeCredentialsFileContent,
} from '@codetether/oauth-pkce';
import { createRedisConnection } from './redis-connection.js';
import { RedisCredentialStoreError } from './redis-credential-store-error.js';
import { type RedisLockHold, type RedisLockOptions, withRedisLock } from './redis-lock.js';
import { DEFAULT_REDIS_KEY_PREFIX, listRedisProfiles, redisProfileKeys } from './redis-profile-keys.js';
import { createRedisRefreshJournal } from './redis-refresh-journal.js';
import { parseRedisStoreUrl } from './redis-store-url.js';
import { readStoredLogin } from './redis-stored-login.js';

/** Options of {@link createRedisCredentialStore}. */
export interface RedisCredentialStoreOptions {
  /** `redis://[user:password@]host[:port][/database]`, or `rediss://…` for TLS (e.g. `CODETETHER_STORE`). */
  url: string;
  /** Prefix of the store's keys. Default `codetether:` (keys `codetether:credentials`, `…:lock`, `…:refresh-journal`). */
  keyPrefix?: string;
  /**
   * The profile: `default` (or unset) uses the keys above; a named profile uses
   * `<prefix>profile:<name>:credentials` (`…:lock`, `…:refresh-journal`). An invalid name throws
   * oauth-pkce's `invalid-profile`.
   */
  profile?: string | undefined;
  /**
   * The lock expires this long after its last renewal (a holder that died), ms. Default: the URL's
   * `lock_ttl_ms` query parameter, else 10 s; minimum 1 s.
   */
  lockTtlMs?: number;
  /** How long to wait for another holder's lock before failing with `lock-failed`, ms. Default 60 s. */
  lockTimeoutMs?: number;
  /** How long connecting may take, ms. Default 5 s. */
  connectTimeoutMs?: number;
  /** How long one Redis command may take, ms. Default 5 s. */
  commandTimeoutMs?: number;
}

/** A {@link CredentialStore} kept in Redis. */
export interface RedisCredentialStore extends CredentialStore {
  /**
   * Runs `fn` holding the store's lock (not re-entrant). `options.signal` stops the wait for the lock
   * at once: the call rejects with oauth-pkce's `OAuthError` `aborted`, no further Redis command is sent
   * for it and its timer is cleared. Once the lock is held, `fn` runs to its end.
   */
  withLock<T>(fn: () => Promise<T>, options?: RedisLockOptions): Promise<T>;
  /** The refresh journal, in Redis too. */
  readonly refreshJournal: RefreshJournal;
  /** The profile this store holds the login of. */
  readonly profile: string;
  /** Lists the profiles holding a login under the same key prefix (`SCAN`, never `KEYS`), `default` first. */
  listProfiles(): Promise<string[]>;
  /** Closes the Redis connection (a later call opens a new one). */
  close(): Promise<void>;
}

/**
 * Stores the login as `{ data, version }` only if the version is the one the caller read (`ARGV[2]`,
 * empty for any) and the key still holds a login hash. Returns the new version, -2 when the version
 * moved on, -3 when the key holds something else (another type, a version that is not a number).
 *
 * The version alone decides, not the lock: every change of the login bumps it, so a writer whose lock
 * expired while it refreshed still overwrites nothing newer, and its rotated refresh token, the only
 * live one when nobody saved since, is kept rather than refused.
 */
const WRITE_SCRIPT = `
local kind = redis.call('TYPE', KEYS[1]).ok
if kind ~= 'hash' and kind ~= 'none' then return -3 end
local stored = redis.call('HGET', KEYS[1], 'version') or '0'
local current = tonumber(stored)
if current == nil or current < 0 or current ~= math.floor(current) then return -3 end
if ARGV[2] ~= '' and current ~= tonumber(ARGV[2]) then return -2 end
redis.call('HSET', KEYS[1], 'data', ARGV[1], 'version', current + 1)
return current + 1`;

/**
 * Removes the login and its journal, whatever the key holds; the version keeps counting (from 0 when
 * it was not a number), so a stale writer still fails.
 */
const DELETE_SCRIPT = `
local version = 0
if redis.call('TYPE', KEYS[1]).ok == 'hash' then
  version = tonumber(redis.call('HGET', KEYS[1], 'version') or '0') or 0
  if version < 0 or version ~= math.floor(version) or version >= 9007199254740991 then version = 0 end
end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[1], 'version', version + 1)
return 1`;

function writeConflict(location: string): RedisCredentialStoreError {
  return new RedisCredentialStoreError(
    'write-conflict',
    `The login in the credential store ${location} was not saved: another CodeTether process saved a newer login since this one read it. The newer login is kept; try again.`,
    { isRetryable: true },
  );
}

function replacedByForeignValue(location: string): OAuthError {
  return new OAuthError(
    'credentials-corrupt',
    `The login in the credential store ${location} was not saved: its key was replaced by something that is not a CodeTether login. CodeTether will not overwrite it: remove it (\`codetether auth logout\` does), then run \`codetether auth login\`.`,
    { path: location },
  );
}

/**
 * Creates a credential store in Redis, for several gateways (or machines) sharing one ChatGPT login. The
 * login is kept in the format of the file store's `auth.json`, with a version number. `withLock` takes an
 * expiring, renewed owner lock (`SET NX PX`, compare-and-delete); a write made holding it is a
 * compare-and-set on the version read under it, so a holder whose lock expired can never overwrite a
 * newer login (`write-conflict`), yet keeps its rotated refresh token when nobody saved one since.
 * Writes outside a lock (a login) replace the login. Redis down or unreachable is `store-unavailable`;
 * a malformed URL or a refused password or database is `store-misconfigured` (thrown here for a
 * malformed URL). A corrupt stored login is oauth-pkce's `credentials-corrupt` and is never
 * overwritten by `write` (only `delete` removes it): invalid JSON, another Redis type under the key, a
 * version that is not a number, or a value over 1 MiB (never loaded). Each profile has its own keys (see {@link RedisCredentialStoreOptions.profile}), lock and journal.
 *
 * @param options - the Redis URL, key prefix, lock and connection tuning
 */
export function createRedisCredentialStore(options: RedisCredentialStoreOptions): RedisCredentialStore {
  const settings = parseRedisStoreUrl(options.url);
  const prefix = options.keyPrefix ?? DEFAULT_REDIS_KEY_PREFIX;
  const profile = parseProfileName(options.profile);
  const keys = redisProfileKeys(prefix, profile);
  const location =
    profile === DEFAULT_PROFILE ? settings.location : `${settings.location} (profile ${profile})`;
  const lockTtlMs = Math.max(1000, options.lockTtlMs ?? settings.lockTtlMs ?? 10_000);
  const connection = createRedisConnection(settings, {
    connectTimeoutMs: options.connectTimeoutMs ?? 5000,
    commandTimeoutMs: options.commandTimeoutMs ?? 5000,
  });
  const holds = new AsyncLocalStorage<RedisLockHold>();
  const refreshJournal = createRedisRefreshJournal(connection, keys.journal, location);

  const readStored = () => readStoredLogin(connection, keys.credentials, location);

  async function read(): Promise<StoredChatGptCredentials | undefined> {
    const { data, version } = await readStored();
    const hold = holds.getStore();
    if (hold !== undefined) hold.readVersion = version;
    return data === undefined ? undefined : parseCredentialsFileContent(data, location);
  }

  async function write(credentials: StoredChatGptCredentials): Promise<void> {
    const content = serializeCredentialsFileContent(credentials);
    const existing = await readStored();
    // Refuse to replace anything that is not ours: parsing throws credentials-corrupt for it.
    if (existing.data !== undefined) parseCredentialsFileContent(existing.data, location);
    const hold = holds.getStore();
    const expectedVersion = hold === undefined ? '' : String(hold.readVersion ?? existing.version);
    const result = Number(
      await connection.run((client) =>
        client.eval(WRITE_SCRIPT, 1, keys.credentials, content, expectedVersion),
      ),
    );
    if (result === -3) throw replacedByForeignValue(location);
    if (result < 0) throw writeConflict(location);
    if (hold !== undefined) hold.readVersion = result;
  }

  async function remove(): Promise<void> {
    await connection.run((client) => client.eval(DELETE_SCRIPT, 2, keys.credentials, keys.journal));
  }

  const lockSettings = {
    key: keys.lock,
    location,
    ttlMs: lockTtlMs,
    timeoutMs: options.lockTimeoutMs ?? 60_000,
  };
  const description = `RedisCredentialStore { location: ${location} }`;
  const store: RedisCredentialStore & { toJSON(): unknown; toString(): string } = {
    location,
    profile,
    listProfiles: () => listRedisProfiles(connection, prefix),
    read,
    write,
    delete: remove,
    withLock: (fn, lockOptions) =>
      withRedisLock(connection, lockSettings, (hold) => holds.run(hold, fn), lockOptions),
    refreshJournal,
    close: () => connection.close(),
    toJSON: () => ({ location }),
    toString: () => description,
  };
  Object.defineProperty(store, Symbol.for('nodejs.util.inspect.custom'), {
    enumerable: false,
    value: () => description,
  });
  return store;
}
