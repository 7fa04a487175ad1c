import { AsyncMutex } from './async-mutex.js';
import { OAuthError } from './errors.js';

/** How the credentials file is locked. */
export interface CredentialsFileLockSettings {
  /** The credentials file. */
  path: string;
  /** The lock file (`<path>.lock`). */
  lockPath: string;
  /** A lock untouched for this long is taken over (its holder crashed), ms. */
  staleMs: number;
  /** How long to wait for another process's lock before failing with `lock-failed`, ms. */
  timeoutMs: number;
  /** Runs before the cross-process lock is taken (e.g. creates the folder). */
  prepare(): Promise<void>;
}

const inProcessLocks = new Map<string, AsyncMutex>();

function mutexFor(path: string): AsyncMutex {
  let mutex = inProcessLocks.get(path);
  if (mutex === undefined) {
    mutex = new AsyncMutex();
    inProcessLocks.set(path, mutex);
  }
  return mutex;
}

/**
 * Runs `fn` while holding the credentials file's lock: first an in-process mutex (per path), then the
 * cross-process lock file (proper-lockfile; refreshed while held, taken over once stale). Waiting
 * longer than `timeoutMs` fails with the retryable `lock-failed`. A lock found compromised while held
 * is not released (it is no longer ours).
 *
 * @param settings - paths, staleness and timeout
 * @param fn - the critical section
 */
export function withCredentialsFileLock<T>(
  settings: CredentialsFileLockSettings,
  fn: () => Promise<T>,
): Promise<T> {
  const { path, lockPath, staleMs, timeoutMs } = settings;
  return mutexFor(path).run(async () => {
    await settings.prepare();
    let compromised: Error | undefined;
    let release: () => Promise<void>;
    try {
      // Loaded on first use: only a refresh or a login takes the lock, and most commands never do.
      const { lock } = await import('proper-lockfile');
      release = await lock(path, {
        realpath: false,
        lockfilePath: lockPath,
        stale: staleMs,
        update: Math.max(1000, Math.floor(staleMs / 2)),
        retries: {
          retries: Math.max(1, Math.ceil(timeoutMs / 100)),
          factor: 1.2,
          minTimeout: 10,
          maxTimeout: 100,
          randomize: true,
        },
        onCompromised: (error) => {
          compromised = error;
        },
      });
    } catch (error) {
      throw new OAuthError(
        'lock-failed',
        `Could not lock the credentials file ${path}: another CodeTether process has held ${lockPath} for too long. If no other CodeTether process is running, delete ${lockPath} and try again.`,
        { cause: error, path, isRetryable: true },
      );
    }
    try {
      return await fn();
    } finally {
      if (compromised === undefined) await release().catch(() => {});
    }
  });
}
