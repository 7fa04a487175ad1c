import { AsyncMutex } from './async-mutex.js';

/** How a file is locked for a read-modify-write across processes. */
export interface FileLockSettings {
  /** The file guarded. */
  path: string;
  /** The lock (`<path>.lock`, a folder made with `mkdir`, which is atomic). */
  lockPath: string;
  /** A lock untouched for this long is taken over (its holder crashed), ms. */
  staleMs: number;
  /** How long to wait for another process's lock before failing, ms. */
  timeoutMs: number;
  /** Runs before the cross-process lock is taken (e.g. creates the folder). */
  prepare(): Promise<void>;
  /** The error to throw when the lock could not be had in time (`cause`: the lock library's error). */
  lockFailed(cause: unknown): Error;
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
 * Runs `fn` while holding a file's lock: first an in-process mutex (per path), then the cross-process
 * lock (proper-lockfile: refreshed while held, taken over once stale, so a holder that was killed does
 * not block anyone for long). Waiting longer than `timeoutMs` throws `settings.lockFailed(cause)`. A
 * lock found compromised while held is not released (it is no longer ours).
 *
 * @param settings - paths, staleness, timeout and the error to throw
 * @param fn - the critical section
 */
export function withFileLock<T>(settings: FileLockSettings, fn: () => Promise<T>): Promise<T> {
  const { path, lockPath, staleMs, timeoutMs } = settings;
  return mutexFor(path).run(async () => {
    await settings.prepare();
    let compromised: Error | undefined;
    let release: () => Promise<void>;
    try {
      // Loaded on first use: most commands never take a lock.
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
      throw settings.lockFailed(error);
    }
    try {
      return await fn();
    } finally {
      if (compromised === undefined) await release().catch(() => {});
    }
  });
}
