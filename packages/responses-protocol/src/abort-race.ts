/** Options of {@link raceAbort}. */
export interface RaceAbortOptions<T> {
  /** The rejection to use when `signal` aborts (default: the signal's `reason`). */
  abortError?: ((reason: unknown) => unknown) | undefined;
  /**
   * Receives a value that arrives after the abort, so it can be released (a response body, an event
   * stream) instead of being lost. A late rejection is ignored.
   */
  discardLateValue?: ((lateValue: T) => void) | undefined;
}

/**
 * Settles like `promise`, or rejects as soon as `signal` aborts — for work that does not stop on its
 * own when the caller gives up (a connect that only notices an abort once the socket is up, a token
 * refresh). One abort listener, removed once the race is decided. Pure: runs in any runtime.
 *
 * @param promise - the work to wait for
 * @param signal - the caller's signal; without one, `promise` is returned as it is
 * @param options - the abort rejection and what to do with a value that arrives too late
 *
 * @example
 * ```ts
 * const response = await raceAbort(transport.stream(request), signal, {
 *   discardLateValue: (late) => void late.events[Symbol.asyncIterator]().return?.(),
 * });
 * ```
 */
export function raceAbort<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  options: RaceAbortOptions<T> = {},
): Promise<T> {
  if (signal === undefined) return promise;
  const abandon = (): unknown => {
    promise.then(
      (lateValue) => options.discardLateValue?.(lateValue),
      () => {},
    );
    return options.abortError === undefined ? signal.reason : options.abortError(signal.reason);
  };
  if (signal.aborted) return Promise.reject(abandon());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abandon());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
