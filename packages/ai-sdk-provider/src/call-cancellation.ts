/** The cancellation of one model call: the caller's abort, or the SDK cancelling the stream. */
export interface CallCancellation {
  /** Aborts when the caller's signal does or {@link CallCancellation.cancel} is called. */
  readonly signal: AbortSignal;
  /** Cancels the call (the stream was cancelled): the upstream request is aborted. */
  cancel(): void;
  /** Stops following the caller's signal (call it once the call is over, however it ended). */
  release(): void;
}

/**
 * Creates the cancellation of one call. A plain controller following the caller's signal rather than
 * `AbortSignal.any`: nothing stays attached to a long-lived caller signal once {@link
 * CallCancellation.release} ran.
 *
 * @param callerSignal - the call's `abortSignal`, if any
 */
export function createCallCancellation(callerSignal: AbortSignal | undefined): CallCancellation {
  const controller = new AbortController();
  const followCaller = (): void => controller.abort(callerSignal?.reason);
  if (callerSignal?.aborted === true) followCaller();
  else callerSignal?.addEventListener('abort', followCaller, { once: true });
  const release = (): void => callerSignal?.removeEventListener('abort', followCaller);
  return {
    signal: controller.signal,
    cancel() {
      release();
      controller.abort(new DOMException('The stream was cancelled.', 'AbortError'));
    },
    release,
  };
}
