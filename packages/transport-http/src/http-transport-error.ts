import {
  ResponsesTransportError,
  type TransportErrorCode,
  type TransportErrorDetails,
} from '@codetether/responses-protocol';

/**
 * The error `@codetether/transport-http` raises, from `stream()` and from the event iterator: a
 * `ResponsesTransportError` (shared with the WebSocket transport: same codes, same fields) whose
 * `transport` is `http`. Codes it raises: `http-status`, `usage-limit-reached`, `network`,
 * `timeout-connect`, `timeout-first-byte`, `timeout-idle`, `closed-before-completion`, `protocol`,
 * `aborted`, `transport-closed`, `invalid-request`.
 *
 * @example
 * ```ts
 * try {
 *   await transport.stream(request);
 * } catch (error) {
 *   if (error instanceof HttpTransportError && error.code === 'usage-limit-reached') {
 *     console.log(`Usage limit reached; resets at ${new Date(error.resetsAt ?? Date.now())}`);
 *   }
 * }
 * ```
 */
export class HttpTransportError extends ResponsesTransportError {
  /**
   * @param code - what went wrong
   * @param message - what happened and what to do (never a credential)
   * @param details - retry and fallback safety, and what the server said
   */
  constructor(code: TransportErrorCode, message: string, details: Omit<TransportErrorDetails, 'transport'>) {
    super(code, message, { ...details, transport: 'http' });
    this.name = 'HttpTransportError';
  }
}

/** Tells whether a value is an {@link HttpTransportError}. */
export function isHttpTransportError(value: unknown): value is HttpTransportError {
  return value instanceof HttpTransportError;
}
