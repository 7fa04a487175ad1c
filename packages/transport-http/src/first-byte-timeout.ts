import { HttpTransportError } from './http-transport-error.js';

/** The abort reason used when the response headers take too long. */
class FirstByteTimeoutReason extends Error {
  constructor(milliseconds: number) {
    super(`No response headers within ${milliseconds} ms.`);
    this.name = 'FirstByteTimeoutReason';
  }
}

/** A running first-byte timer of one attempt. */
export interface FirstByteTimer {
  /** True once the timer fired (and aborted the attempt's request). */
  hasTimedOut(): boolean;
  /** Stops the timer (idempotent). */
  stop(): void;
}

/**
 * Starts the timer that aborts an attempt's request when its response headers take longer than
 * `timeoutMs`; 0 disables it.
 *
 * @param requestController - the attempt's own controller
 * @param timeoutMs - time allowed for the response headers, ms
 */
export function startFirstByteTimer(requestController: AbortController, timeoutMs: number): FirstByteTimer {
  let timedOut = false;
  const timer =
    timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          requestController.abort(new FirstByteTimeoutReason(timeoutMs));
        }, timeoutMs)
      : undefined;
  return {
    hasTimedOut: () => timedOut,
    stop() {
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}

/** What is known about an attempt whose first-byte timer fired. */
export interface FirstByteTimeoutContext {
  /** The endpoint's origin, for the message. */
  origin: string;
  /** The time that was allowed, ms. */
  timeoutMs: number;
  /** Attempts made so far. */
  attempts: number;
  /** HTTP status, when headers arrived but the error body did not. */
  status?: number | undefined;
}

/**
 * The retryable `timeout-first-byte` error.
 *
 * @param cause - the failure the abort produced, if any
 * @param context - origin, limit, attempts and status
 */
export function createFirstByteTimeoutError(
  cause: unknown,
  context: FirstByteTimeoutContext,
): HttpTransportError {
  return new HttpTransportError(
    'timeout-first-byte',
    `${context.origin} did not answer within ${context.timeoutMs} ms. Try again; if it keeps happening, raise firstByteTimeoutMs.`,
    {
      cause,
      status: context.status,
      isRetryable: true,
      fallbackSafe: true,
      attempts: context.attempts,
    },
  );
}
