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
  /** Clock and timers of the wait (default {@link systemLockClock}). */
  clock?: RedisLockClock | undefined;
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

/** The clock and timers of the lock wait (inject them to test the wait without sleeping). */
export interface RedisLockClock {
  /** Current time, epoch ms. */
  now(): number;
  /** Calls `callback` after `delayMs`; returns a handle for {@link RedisLockClock.clearTimeout}. */
  setTimeout(callback: () => void, delayMs: number): unknown;
  /** Cancels a timer of {@link RedisLockClock.setTimeout}. */
  clearTimeout(handle: unknown): void;
}

/** Node's clock and timers. */
export const systemLockClock: RedisLockClock = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Options of one {@link withRedisLock} call. */
export interface RedisLockOptions {
  /**
   * Stops the wait for the lock at once when it fires: the call rejects with oauth-pkce's `OAuthError`
   * `aborted`, its timer is cleared and no further Redis command is sent (except the release of a lock
   * that an attempt already in flight turns out to have taken). Once the lock is held, `fn` runs to its
   * end (it gets no signal from here) and the lock is released as usual.
   */
  signal?: AbortSignal | undefined;
}

/** The error of a lock wait its caller aborted. */
function lockWaitAborted(settings: RedisLockSettings, signal: AbortSignal): OAuthError {
  return new OAuthError(
    'aborted',
    `Stopped waiting for the lock of the credential store ${settings.location}: the caller aborted. Nothing was changed; send the request again when needed.`,
    { cause: signal.reason, isRetryable: false },
  );
}

/**
 * Settles like `work`, or rejects with {@link lockWaitAborted} as soon as `signal` fires (the abort
 * listener is removed either way). `onLateValue` receives what `work` resolves with after the abort.
 */
function unlessAborted<T>(
  work: Promise<T>,
  signal: AbortSignal | undefined,
  settings: RedisLockSettings,
  onLateValue: (value: T) => void,
): Promise<T> {
  if (signal === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      work.then(onLateValue, () => {});
      reject(lockWaitAborted(settings, signal));
      return;
    }
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      reject(lockWaitAborted(settings, signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (aborted) onLateValue(value);
        else resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        if (!aborted) reject(error);
      },
    );
  });
}

/** Waits `delayMs` on `clock`; an abort clears the timer and rejects at once. */
function pause(
  clock: RedisLockClock,
  delayMs: number,
  signal: AbortSignal | undefined,
  settings: RedisLockSettings,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(lockWaitAborted(settings, signal));
      return;
    }
    const onAbort = () => {
      clock.clearTimeout(timer);
      reject(lockWaitAborted(settings, signal as AbortSignal));
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, delayMs);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Takes the lock: `SET key token NX PX ttl` (see {@link ACQUIRE_SCRIPT}), retried every 20–100 ms until
 * `timeoutMs` (then the retryable `OAuthError` `lock-failed`, as the file store reports it), or until
 * `signal` fires (`aborted`, at once: see {@link RedisLockOptions.signal}). Redis failures propagate as
 * `store-unavailable`.
 */
async function acquire(
  connection: RedisConnection,
  settings: RedisLockSettings,
  token: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  const clock = settings.clock ?? systemLockClock;
  const deadline = clock.now() + settings.timeoutMs;
  for (;;) {
    if (signal?.aborted) throw lockWaitAborted(settings, signal);
    const attempt = connection.run((client) =>
      client.eval(ACQUIRE_SCRIPT, 1, settings.key, token, String(settings.ttlMs)),
    );
    const taken = await unlessAborted(attempt, signal, settings, (late) => {
      // The attempt in flight at the abort took the lock: give it back at once, not after its lifetime.
      if (Number(late) === 1) void release(connection, settings, token);
    });
    if (Number(taken) === 1) return;
    if (clock.now() >= deadline) {
      throw new OAuthError(
        'lock-failed',
        `Could not lock the credential store ${settings.location}: another CodeTether process has held its lock for over ${Math.round(settings.timeoutMs / 1000)} s. Try again; an abandoned lock expires by itself within ${Math.round(settings.ttlMs / 1000)} s.`,
        { isRetryable: true },
      );
    }
    await pause(clock, 20 + Math.random() * 80, signal, settings);
  }
}

/** Deletes the lock if it still holds `token` (failures are ignored: the lock then expires by itself). */
async function release(connection: RedisConnection, settings: RedisLockSettings, token: string) {
  await connection.run((client) => client.eval(RELEASE_SCRIPT, 1, settings.key, token)).catch(() => {});
}

/**
 * Runs `fn` holding the Redis lock: an owner token set with `NX PX`, renewed (compare-and-`PEXPIRE`) every
 * third of its lifetime while `fn` runs, and released by compare-and-delete, so a holder never removes a
 * lock that expired and was taken by someone else. A holder that dies stops renewing; its lock expires
 * after `ttlMs`. Writes made while holding it check the version read under it (see the store), so a holder whose lock
 * expired cannot overwrite what the next holder saved.
 *
 * @param connection - the Redis connection
 * @param settings - key, lifetime, wait limit and clock
 * @param fn - the critical section, given its hold
 * @param options - a signal that stops the wait (see {@link RedisLockOptions.signal})
 */
export async function withRedisLock<T>(
  connection: RedisConnection,
  settings: RedisLockSettings,
  fn: (hold: RedisLockHold) => Promise<T>,
  options: RedisLockOptions = {},
): Promise<T> {
  const hold: RedisLockHold = { token: randomUUID(), readVersion: undefined };
  await acquire(connection, settings, hold.token, options.signal);
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
    await release(connection, settings, hold.token);
  }
}
