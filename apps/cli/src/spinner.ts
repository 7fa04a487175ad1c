import type { Terminal } from './terminal.js';

/** A progress line on standard error: animated on a terminal, printed once otherwise. */
export interface Progress {
  /** Changes the text (only redrawn on a terminal). */
  update(text: string): void;
  /** Removes the spinner and prints `finalText` (when given) on its own line. */
  stop(finalText?: string): void;
}

/**
 * Starts a spinner on standard error. When standard error is not a terminal (piped, CI, `TERM=dumb`)
 * the text is printed once as a plain line and no escape codes are written.
 *
 * The spinner module is imported only for a terminal (a piped `codetether chat` never loads it: its
 * `node:process` import alone costs milliseconds), so the spinner appears once it has loaded;
 * `update` and `stop` work before that.
 *
 * @param terminal - where to draw
 * @param text - the first text
 */
export function startProgress(terminal: Terminal, text: string): Progress {
  if (!terminal.stderrIsInteractive) {
    terminal.stderr.write(`${text}\n`);
    return {
      update() {},
      stop(finalText) {
        if (finalText !== undefined) terminal.stderr.write(`${finalText}\n`);
      },
    };
  }
  let currentText = text;
  let stopped = false;
  let spinner: { text: string; stop(finalText?: string): unknown } | undefined;
  void import('yocto-spinner').then(
    ({ default: yoctoSpinner }) => {
      if (stopped) return;
      spinner = yoctoSpinner({
        text: currentText,
        stream: terminal.stderr as NodeJS.WriteStream,
        // The CLI handles Ctrl-C itself (it cancels the login or the answer).
        handleSignals: false,
      }).start();
    },
    () => {
      // No spinner then: the progress is only shown once it ends.
    },
  );
  return {
    update(next) {
      currentText = next;
      if (spinner !== undefined) spinner.text = next;
    },
    stop(finalText) {
      stopped = true;
      if (spinner !== undefined) spinner.stop(finalText);
      else if (finalText !== undefined) terminal.stderr.write(`${finalText}\n`);
    },
  };
}
