import { abortedError } from './http-request.js';

/** Waits `ms` milliseconds; rejects with `aborted` when the signal fires. Injectable in the flows for tests. */
export type SleepFunction = (ms: number, signal?: AbortSignal) => Promise<void>;

/**
 * The default {@link SleepFunction}: a timer that the signal can cancel.
 *
 * @param ms - milliseconds to wait
 * @param signal - cancels the wait
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortedError('the wait', signal.reason));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedError('the wait', signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
