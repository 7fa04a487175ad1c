import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadNativeMemoryTrim, type NativeMemoryTrim } from './native-memory-trim.js';

/** Default quiet time after the last request before the gateway gives memory back, ms. */
export const DEFAULT_IDLE_MEMORY_RELEASE_MS = 2_000;

/** When the gateway has requests in flight and when it has none. */
export interface GatewayActivityListener {
  /** The first request started while none was in flight. */
  busy(): void;
  /** The last request in flight ended. */
  idle(): void;
}

/** Gives memory back once the gateway has been quiet for a while after serving requests. */
export interface IdleMemoryRelease extends GatewayActivityListener {
  /** Cancels a pending release (on shutdown). */
  stop(): void;
}

type CollectGarbage = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/**
 * V8's `gc` function without `--expose-gc` on the command line: a fresh context created while the
 * flag is set has it (as Jest does for `--logHeapUsage`); the flag is cleared again at once, so
 * the application's own global scope never gets a `gc`.
 */
function obtainCollectGarbage(): CollectGarbage {
  const exposed = (globalThis as { gc?: CollectGarbage }).gc;
  if (exposed !== undefined) return exposed;
  setFlagsFromString('--expose-gc');
  try {
    return runInNewContext('gc') as CollectGarbage;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

/** glibc's `malloc_trim`, bound at the first release (`undefined` where it cannot be). */
let nativeMemoryTrim: Promise<NativeMemoryTrim | undefined> | undefined;

/**
 * Gives back what a burst of load grew: one memory-reducing full collection (V8 shrinks its young
 * generation, which grows to 64 MiB under load, and unmaps the pages it pooled), then, on Linux with
 * glibc, the free pages scattered in glibc's heap (`malloc_trim`, see {@link loadNativeMemoryTrim}).
 * Never rejects.
 */
export async function releaseIdleMemory(): Promise<void> {
  obtainCollectGarbage()({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  nativeMemoryTrim ??= loadNativeMemoryTrim();
  (await nativeMemoryTrim)?.();
}

/**
 * How much the resident set must have grown since the last release, as a fraction of what that
 * release left, for the next quiet period to release again: 10 %.
 */
export const DEFAULT_IDLE_MEMORY_RELEASE_GROWTH = 0.1;

/** Options of {@link createIdleMemoryRelease}. */
export interface IdleMemoryReleaseOptions {
  /** Reads the process's resident set size in bytes (default `process.memoryUsage.rss`). */
  readonly residentSetBytes?: () => number;
  /**
   * The growth of the resident set since the last release below which a quiet period releases
   * nothing, as a fraction of what that release left (default {@link DEFAULT_IDLE_MEMORY_RELEASE_GROWTH};
   * 0 releases after every quiet period that followed requests).
   */
  readonly minimumGrowth?: number;
}

/**
 * Gives the memory a burst of load grew back to the system once no request has been in flight for
 * `quietMs` ({@link releaseIdleMemory}). It runs at most once per quiet period, only after
 * requests were served since the last one, and — after the first — only when the resident set has
 * grown by more than `minimumGrowth` since the last release left it: a release is a full
 * collection (tens of ms) that also shrinks V8's young generation, after which the next requests
 * run slower, so a gateway used one request at a time, with pauses, does not pay it at every
 * pause for nothing to give back. An idle gateway does no work; the timer never keeps the process
 * up. A request arriving during a release waits for it (tens to a few hundred ms).
 *
 * @param quietMs - how long the gateway must have been idle, ms
 * @param release - what to run (default {@link releaseIdleMemory}); the resident set is read again once it settled
 * @param options - how to read the resident set, and the growth that makes a release worth it
 */
export function createIdleMemoryRelease(
  quietMs: number = DEFAULT_IDLE_MEMORY_RELEASE_MS,
  release: () => void | Promise<void> = releaseIdleMemory,
  options: IdleMemoryReleaseOptions = {},
): IdleMemoryRelease {
  const residentSetBytes = options.residentSetBytes ?? (() => process.memoryUsage.rss());
  const growth = options.minimumGrowth ?? DEFAULT_IDLE_MEMORY_RELEASE_GROWTH;
  // A negative or non-finite growth is taken as 0: release after every quiet period.
  const minimumGrowth = Number.isFinite(growth) && growth > 0 ? growth : 0;
  let servedSinceRelease = false;
  /** What the last release left (undefined before the first). */
  let residentAfterRelease: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  const cancel = (): void => {
    if (timer === undefined) return;
    clearTimeout(timer);
    timer = undefined;
  };
  const releaseIfGrown = (): void => {
    timer = undefined;
    servedSinceRelease = false;
    if (
      minimumGrowth > 0 &&
      residentAfterRelease !== undefined &&
      residentSetBytes() <= residentAfterRelease * (1 + minimumGrowth)
    ) {
      return;
    }
    const remember = (): void => {
      residentAfterRelease = residentSetBytes();
    };
    void Promise.resolve(release()).then(remember, remember);
  };
  return {
    busy() {
      servedSinceRelease = true;
      cancel();
    },
    idle() {
      if (!servedSinceRelease) return;
      cancel();
      timer = setTimeout(releaseIfGrown, quietMs);
      timer.unref();
    },
    stop: cancel,
  };
}
