import { parseProfileName } from '@codetether/oauth-pkce';
import { createRedisConnection } from './redis-connection.js';
import { DEFAULT_REDIS_KEY_PREFIX, holdLogins, redisProfileKeys } from './redis-profile-keys.js';
import { parseRedisStoreUrl } from './redis-store-url.js';

/** What {@link inspectRedisStore} found. */
export interface RedisStoreInspection {
  /** The store's URL without credentials. */
  location: string;
  /** The Redis server's version (`INFO server` → `redis_version`), when it reports one. */
  serverVersion: string | undefined;
  /** Whether a login is stored (a key of another type under the login key is none). */
  loggedIn: boolean;
  /** Whether a process holds the refresh lock right now. */
  lockHeld: boolean;
  /** When the lock is held: how long until it expires unless renewed, ms. */
  lockExpiresInMs: number | undefined;
}

/** Options of {@link inspectRedisStore}. */
export interface RedisStoreInspectionOptions {
  /** The store URL (`CODETETHER_STORE`). */
  url: string;
  /** The store's key prefix. Default `codetether:`. */
  keyPrefix?: string;
  /** The login profile to look at. Default `default`. */
  profile?: string;
  /** How long connecting and each command may take, ms. Default 3 s. */
  timeoutMs?: number;
}

/**
 * Looks at a Redis credential store without changing it (for `codetether doctor`): connects, reads the
 * server version, whether a login is stored and whether the refresh lock is held (of one profile).
 * Never reads a token.
 *
 * @param options - the URL, key prefix, profile and timeout
 * @throws `RedisCredentialStoreError` `store-unavailable` or `store-misconfigured`, with a one-line message
 */
export async function inspectRedisStore(options: RedisStoreInspectionOptions): Promise<RedisStoreInspection> {
  const settings = parseRedisStoreUrl(options.url);
  const keys = redisProfileKeys(
    options.keyPrefix ?? DEFAULT_REDIS_KEY_PREFIX,
    parseProfileName(options.profile),
  );
  const timeoutMs = options.timeoutMs ?? 3000;
  const connection = createRedisConnection(settings, {
    connectTimeoutMs: timeoutMs,
    commandTimeoutMs: timeoutMs,
  });
  try {
    const [info, loggedIn, lockExpiresInMs] = await connection.run((client) =>
      Promise.all([client.info('server'), holdLogins(client, [keys.credentials]), client.pttl(keys.lock)]),
    );
    const serverVersion = /^redis_version:(.+)$/m.exec(info)?.[1]?.trim();
    return {
      location: settings.location,
      serverVersion,
      loggedIn: loggedIn[0] === true,
      lockHeld: lockExpiresInMs !== -2,
      lockExpiresInMs: lockExpiresInMs >= 0 ? lockExpiresInMs : undefined,
    };
  } finally {
    await connection.close();
  }
}
