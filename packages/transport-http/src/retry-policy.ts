/** How retries are spaced. */
export interface BackoffPolicy {
  /** Delay before the first retry, before jitter (ms). */
  baseDelayMs: number;
  /** Largest exponential delay (ms). */
  maxDelayMs: number;
  /** Largest `Retry-After` honoured (ms); longer requests are shortened to this. */
  maxRetryAfterMs: number;
}

/**
 * The delay before retry number `retryIndex` (0 for the first retry): the server's `Retry-After`
 * when given (capped at `maxRetryAfterMs`), else `baseDelayMs · 2^retryIndex` (capped at
 * `maxDelayMs`) with "equal jitter": a uniformly random value between half and all of it.
 *
 * @param retryIndex - 0 for the first retry
 * @param policy - spacing settings
 * @param random - returns a number in [0, 1)
 * @param retryAfterMs - what the server asked for, if anything
 */
export function computeRetryDelayMs(
  retryIndex: number,
  policy: BackoffPolicy,
  random: () => number,
  retryAfterMs?: number,
): number {
  if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), policy.maxRetryAfterMs);
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retryIndex));
  const jitter = Math.min(1, Math.max(0, random()));
  return Math.round(exponential / 2 + (exponential / 2) * jitter);
}
