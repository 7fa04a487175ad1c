/**
 * Calls `handler` on every Ctrl-C (SIGINT) until the returned function is called. While a handler is
 * registered, Ctrl-C no longer kills the process; the handler decides what to cancel.
 *
 * @param handler - what to do on Ctrl-C
 */
export function onInterrupt(handler: () => void): () => void {
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGINT', handler);
  };
}

/**
 * Creates an `AbortController` that aborts on the first Ctrl-C. Call `dispose` when done.
 */
export function abortOnInterrupt(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const dispose = onInterrupt(() => controller.abort(new Error('Interrupted with Ctrl-C.')));
  return { signal: controller.signal, dispose };
}
