import { randomUUID } from 'node:crypto';
import { OAuthError } from '@codetether/oauth-pkce';
import type { RedisConnection } from './redis-connection.js';

/** How the store's lock is taken and kept. */
export interface RedisLockSettings {
  /** The lock key. */
  key: string;
  /** The store's URL without credentials, for messages. */
  location: string;
  /** The lock expires this long after it was last renewed (its holder died), ms. */
  ttlMs: number;
  /** How long to wait for another holder before failing with `lock-failed`, ms. */
  timeoutMs: number;
}

/** The lock as held by one critical section. */
export interface RedisLockHold {
  /** The random owner token stored as the lock's value. */
  readonly token: string;
  /** The credentials version the holder read, for the compare-and-set of its write. */
  readVersion: number | undefined;
}

/** Deletes the lock only when it still holds our token. */
const RELEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
/** Extends the lock only when it still holds our token. */
const RENEW_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

/**
 * Takes the lock (`SET NX PX`), answering 1; else answers 0, first giving a lock without a lifetime one
 * (`ARGV[2]` ms), so a lock key left without an expiry (a restore, a hand-made key, another type) stops
 * blocking every refresh after one lifetime instead of for ever.
 */
const ACQUIRE_SCRIPT = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('PTTL', KEYS[1]) == -1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Takes the lock: `SET key token NX PX ttl` (see {@link ACQUIRE_SCRIPT}), retried every 20–100 ms until
 * `timeoutMs` (then the retryable `OAuthError` `lock-failed`, as the file store reports it). Redis
 * failures propagate as `store-unavailable`.
 */
async function acquire(
  connection: RedisConnection,
  settings: RedisLockSettings,
  token: string,
): Promise<void> {
  const deadline = Date.now() + settings.timeoutMs;
  for (;;) {
    const taken = await connection.run((client) =>
      client.eval(ACQUIRE_SCRIPT, 1, settings.key, token, String(settings.ttlMs)),
    );
    if (Number(taken) === 1) return;
    if (Date.now() >= deadline) {
      throw new OAuthError(
        'lock-failed',
        `Could not lock the credential store ${settings.location}: another CodeTether process has held its lock for over ${Math.round(settings.timeoutMs / 1000)} s. Try again; an abandoned lock expires by itself within ${Math.round(settings.ttlMs / 1000)} s.`,
        { isRetryable: true },
      );
    }
    await pause(20 + Math.random() * 80);
  }
}

/**
 * Runs `fn` holding the Redis lock: an owner token set with `NX PX`, renewed (compare-and-`PEXPIRE`) every
 * third of its lifetime while `fn` runs, and released by compare-and-delete, so a holder never removes a
 * lock that expired and was taken by someone else. A holder that dies stops renewing; its lock expires
 * after `ttlMs`. Writes made while holding it check the version read under it (see the store), so a holder whose lock
 * expired cannot overwrite what the next holder saved.
 *
 * @param connection - the Redis connection
 * @param settings - key, lifetime and wait limit
 * @param fn - the critical section, given its hold
 */
export async function withRedisLock<T>(
  connection: RedisConnection,
  settings: RedisLockSettings,
  fn: (hold: RedisLockHold) => Promise<T>,
): Promise<T> {
  const hold: RedisLockHold = { token: randomUUID(), readVersion: undefined };
  await acquire(connection, settings, hold.token);
  const renewal = setInterval(
    () => {
      connection
        .run((client) => client.eval(RENEW_SCRIPT, 1, settings.key, hold.token, String(settings.ttlMs)))
        .catch(() => {});
    },
    Math.max(100, Math.floor(settings.ttlMs / 3)),
  );
  try {
    return await fn(hold);
  } finally {
    clearInterval(renewal);
    await connection
      .run((client) => client.eval(RELEASE_SCRIPT, 1, settings.key, hold.token))
      .catch(() => {});
  }
}
