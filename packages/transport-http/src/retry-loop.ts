import { type CallState, createStoppedError } from './call-state.js';
import { HttpTransportError } from './http-transport-error.js';
import { type BackoffPolicy, computeRetryDelayMs } from './retry-policy.js';
import type { HttpRetryInfo } from './transport-types.js';

/** How often and how far apart a call's attempts are made. */
export interface RetrySettings {
  /** Most attempts, including the first. */
  maxAttempts: number;
  /** How retries are spaced. */
  backoffPolicy: BackoffPolicy;
  /** Random source in [0, 1) for backoff jitter. */
  random: () => number;
  /** Waits before a retry; rejects when `signal` aborts. */
  sleep: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
  /** Called before each retry, when given. */
  onRetry: ((info: HttpRetryInfo) => void) | undefined;
}

/**
 * Runs `attemptOnce` until it succeeds, throws an error that is not a retryable
 * {@link HttpTransportError}, or `maxAttempts` attempts were made; waits the backoff delay (or the
 * server's `Retry-After`) between attempts. A stopped call ends the loop with its stopped error.
 *
 * @param call - the call (its controller and attempt count)
 * @param settings - attempt limit and spacing
 * @param attemptOnce - one attempt; raises `call.attempts`
 */
export async function runWithRetries<T>(
  call: CallState,
  settings: RetrySettings,
  attemptOnce: () => Promise<T>,
): Promise<T> {
  for (;;) {
    if (call.controller.signal.aborted) throw createStoppedError(call);
    try {
      return await attemptOnce();
    } catch (error) {
      if (!(error instanceof HttpTransportError)) throw error;
      if (!error.isRetryable || call.attempts >= settings.maxAttempts) throw error;
      const delayMs = computeRetryDelayMs(
        call.attempts - 1,
        settings.backoffPolicy,
        settings.random,
        error.retryAfterMs,
      );
      settings.onRetry?.({ attempt: call.attempts, delayMs, error });
      try {
        await settings.sleep(delayMs, call.controller.signal);
      } catch (sleepError) {
        if (call.controller.signal.aborted) throw createStoppedError(call);
        throw sleepError;
      }
    }
  }
}
