import { EXIT_CODES, type ExitCode } from './exit-codes.js';

/** What kind of failure a {@link CliError} is; each maps to one exit code. */
export type CliErrorCode = 'usage' | 'not-logged-in' | 'failed' | 'interrupted';

const EXIT_CODE_BY_ERROR_CODE: Record<CliErrorCode, ExitCode> = {
  usage: EXIT_CODES.usage,
  'not-logged-in': EXIT_CODES.notLoggedIn,
  failed: EXIT_CODES.failure,
  interrupted: EXIT_CODES.interrupted,
};

/** Options of the {@link CliError} constructor. */
export interface CliErrorOptions {
  /** What the user should do next (printed on its own line). */
  hint?: string | undefined;
  /** The underlying error (its stack is shown with `--debug`). */
  cause?: unknown;
}

/**
 * The CLI's own error: a one-sentence message, an optional next step and the exit code to use.
 * Errors of the libraries (provider, OAuth) are mapped by `describeError` instead.
 */
export class CliError extends Error {
  /** The failure kind. */
  readonly code: CliErrorCode;
  /** The process exit code for this failure. */
  readonly exitCode: ExitCode;
  /** What to do next. */
  readonly hint: string | undefined;

  /**
   * @param code - the failure kind (decides the exit code)
   * @param message - what happened, one sentence
   * @param options - next step and cause
   */
  constructor(code: CliErrorCode, message: string, options: CliErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.code = code;
    this.exitCode = EXIT_CODE_BY_ERROR_CODE[code];
    this.hint = options.hint;
  }
}
