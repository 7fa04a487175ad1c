/** The calls of one transport that `close()` must still stop. */
export interface ActiveCalls {
  /** Registers a call's controller; it follows `userSignal` (when given) until the call is released. */
  add(controller: AbortController, userSignal: AbortSignal | undefined): void;
  /**
   * Stops following the caller's signal of a call whose response is complete, keeping the call
   * registered until it is released (`abortAll` still reaches it); idempotent.
   */
  detachCaller(controller: AbortController): void;
  /** Forgets a finished call and stops following its caller's signal (idempotent). */
  release(controller: AbortController): void;
  /** Aborts every registered call, each with a fresh reason from `createReason`, and forgets them all. */
  abortAll(createReason: () => unknown): void;
}

/** Creates an empty {@link ActiveCalls}. */
export function createActiveCalls(): ActiveCalls {
  const controllers = new Set<AbortController>();
  const userAbortLinks = new WeakMap<AbortController, () => void>();
  const detachCaller = (controller: AbortController): void => {
    userAbortLinks.get(controller)?.();
    userAbortLinks.delete(controller);
  };
  return {
    add(controller, userSignal) {
      if (userSignal !== undefined) {
        const onUserAbort = (): void => controller.abort(userSignal.reason);
        userSignal.addEventListener('abort', onUserAbort, { once: true });
        userAbortLinks.set(controller, () => userSignal.removeEventListener('abort', onUserAbort));
      }
      controllers.add(controller);
    },
    detachCaller,
    release(controller) {
      controllers.delete(controller);
      detachCaller(controller);
    },
    abortAll(createReason) {
      for (const controller of controllers) controller.abort(createReason());
      controllers.clear();
    },
  };
}
