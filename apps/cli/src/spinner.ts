import yoctoSpinner from 'yocto-spinner';
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
  const spinner = yoctoSpinner({
    text,
    stream: terminal.stderr as NodeJS.WriteStream,
    // The CLI handles Ctrl-C itself (it cancels the login or the answer).
    handleSignals: false,
  }).start();
  return {
    update(next) {
      spinner.text = next;
    },
    stop(finalText) {
      spinner.stop(finalText);
    },
  };
}
