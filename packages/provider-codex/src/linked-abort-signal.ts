/** A signal that aborts when either of two signals does, linked until {@link LinkedAbortSignal.unlink}. */
export interface LinkedAbortSignal {
  /** Aborts with the reason of whichever signal aborted first. */
  readonly signal: AbortSignal;
  /** Stops following both signals (call it when the work the signal guards is over). */
  unlink(): void;
}

/**
 * Links `first` and `second` into one signal for the span of one call. Unlike `AbortSignal.any`,
 * the result is a plain controller's signal: reading its `aborted` (which the stream does for every
 * event) costs no walk over source signals, and nothing stays attached to a long-lived signal once
 * `unlink` ran.
 *
 * @param first - e.g. the caller's signal
 * @param second - e.g. the conversation's close signal
 */
export function linkAbortSignals(first: AbortSignal, second: AbortSignal): LinkedAbortSignal {
  if (first.aborted) return { signal: first, unlink: () => {} };
  if (second.aborted) return { signal: second, unlink: () => {} };
  const controller = new AbortController();
  const onFirst = (): void => controller.abort(first.reason);
  const onSecond = (): void => controller.abort(second.reason);
  first.addEventListener('abort', onFirst, { once: true });
  second.addEventListener('abort', onSecond, { once: true });
  return {
    signal: controller.signal,
    unlink() {
      first.removeEventListener('abort', onFirst);
      second.removeEventListener('abort', onSecond);
    },
  };
}
