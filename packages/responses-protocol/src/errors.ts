/** Codes of errors raised by this package itself. */
export type ResponsesProtocolErrorCode =
  | 'malformed-json'
  | 'invalid-event'
  | 'buffer-limit-exceeded'
  | 'stream-error'
  | 'stream-closed'
  | 'invalid-request';

/**
 * The base error of `@codetether/responses-protocol`. `code` tells what happened; `cause` keeps the
 * underlying error (e.g. the JSON `SyntaxError`).
 */
export class ResponsesProtocolError<Code extends string = ResponsesProtocolErrorCode> extends Error {
  /** Machine-readable reason. */
  readonly code: Code;

  /** Creates an error with a code, a message that says what to do, and an optional cause. */
  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ResponsesProtocolError';
    this.code = code;
  }
}

/**
 * Thrown by `collectCompletion` when the stream carried an `error` chunk (or ended without a
 * `done` chunk). `code` is the chunk's code (a server code such as `context_length_exceeded`, or one
 * of ours such as `response-failed` or `stream-closed`).
 */
export class ResponsesStreamError extends ResponsesProtocolError<string> {
  /** Creates the error from an error chunk's code and message. */
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ResponsesStreamError';
  }
}
