/** Machine-readable codes of {@link EmulatorError}. */
export type EmulatorErrorCode = 'listen-failed' | 'invalid-option';

/** The one error class of `@codetether/emulator`. */
export class EmulatorError extends Error {
  /** What went wrong, machine-readable. */
  readonly code: EmulatorErrorCode;

  /**
   * @param code - machine-readable code
   * @param message - what happened and what to do about it
   * @param options - the underlying cause
   */
  constructor(code: EmulatorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EmulatorError';
    this.code = code;
  }
}
