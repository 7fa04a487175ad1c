import { EXIT_CODES, type ExitCode } from './exit-codes.js';

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

/** The signals that stop a chat: Ctrl-C, `kill` and `timeout` (SIGTERM), a closed terminal (SIGHUP). */
export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

const EXIT_CODE_BY_SIGNAL: Record<StopSignal, ExitCode> = {
  SIGINT: EXIT_CODES.interrupted,
  SIGTERM: EXIT_CODES.terminated,
  SIGHUP: EXIT_CODES.hangUp,
};

/**
 * The exit code of a command stopped by `signal`: 128 + its number, as the shell reports a process the
 * signal killed (130, 143, 129).
 *
 * @param signal - the signal
 */
export function exitCodeOfSignal(signal: StopSignal): ExitCode {
  return EXIT_CODE_BY_SIGNAL[signal];
}

/**
 * Calls `handler` with the signal on every SIGINT, SIGTERM and SIGHUP until the returned function is
 * called. While registered, these signals no longer kill the process at once: the handler stops the
 * work, so the answer is aborted upstream and the terminal is left as it was (cursor shown, line mode).
 *
 * @param handler - what to do on each signal
 */
export function onStopSignal(handler: (signal: StopSignal) => void): () => void {
  const listeners = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal) => {
    const listener = (): void => handler(signal);
    process.on(signal, listener);
    return () => process.off(signal, listener);
  });
  return () => {
    for (const remove of listeners) remove();
  };
}

/** What {@link abortOnStopSignal} returns. */
export interface StopSignalAbort {
  /** Aborted by the first signal. */
  signal: AbortSignal;
  /** The first signal received, if any. */
  received(): StopSignal | undefined;
  /** Stops listening. */
  dispose(): void;
}

/**
 * Creates an `AbortController` that aborts on the first SIGINT, SIGTERM or SIGHUP. A second signal
 * while the work is still stopping ends the process at once with that signal's exit code, so a stop
 * that does not finish never leaves the user stuck. Call `dispose` when done.
 *
 * @param forceExit - ends the process on the second signal. Default `process.exit`.
 */
export function abortOnStopSignal(
  forceExit: (code: ExitCode) => void = (code) => process.exit(code),
): StopSignalAbort {
  const controller = new AbortController();
  let received: StopSignal | undefined;
  const dispose = onStopSignal((signal) => {
    if (received !== undefined) {
      forceExit(exitCodeOfSignal(signal));
      return;
    }
    received = signal;
    controller.abort(new Error(signal === 'SIGINT' ? 'Interrupted with Ctrl-C.' : `Stopped by ${signal}.`));
  });
  return { signal: controller.signal, received: () => received, dispose };
}
