import type { RateLimitSnapshot } from '@codetether/responses-protocol';

/**
 * Why an {@link HttpTransportError} was raised.
 *
 * - `http-status`: the server answered a non-2xx status (see `status`, `serverMessage`).
 * - `usage-limit-reached`: a 429 saying the subscription's usage window is exhausted (see `resetsAt`).
 * - `network`: the connection failed, was reset, or closed in the middle of the stream.
 * - `timeout-connect`: the TCP/TLS connection was not established in time.
 * - `timeout-first-byte`: the server did not send response headers in time.
 * - `timeout-idle`: the stream stalled: no bytes arrived between events in time.
 * - `aborted`: the caller's `AbortSignal` fired.
 * - `protocol`: the response body was not a valid Responses SSE stream (bad event data, an event
 *   larger than `maxBufferBytes`, a 2xx answer that is JSON or HTML).
 * - `closed-before-completion`: the response body ended (or sent `data: [DONE]`) before a terminal
 *   event (`response.completed`, `.failed`, `.incomplete`, `error`…).
 * - `closed`: the transport was closed with `HttpTransport.close()`.
 * - `invalid-request`: the request cannot be sent (not an http(s) URL, a body that is not JSON-serialisable).
 */
export type HttpTransportErrorCode =
  | 'http-status'
  | 'usage-limit-reached'
  | 'network'
  | 'timeout-connect'
  | 'timeout-first-byte'
  | 'timeout-idle'
  | 'aborted'
  | 'protocol'
  | 'closed-before-completion'
  | 'closed'
  | 'invalid-request';

/** Fields of an {@link HttpTransportError} besides `code` and `message`. */
export interface HttpTransportErrorDetails {
  /** The underlying error (an undici error, an `AbortSignal` reason, a protocol error…). */
  cause?: unknown;
  /** HTTP status, when the server answered. */
  status?: number | undefined;
  /** True when sending the same request again later may succeed. */
  isRetryable: boolean;
  /** The `error.message` of the server's JSON error body (secrets redacted). */
  serverMessage?: string | undefined;
  /** The `error.type` of the server's error body (e.g. `usage_limit_reached`, `server_error`). */
  errorType?: string | undefined;
  /** The `error.code` of the server's error body (e.g. `invalid_api_key`). */
  errorCode?: string | undefined;
  /** The `x-request-id` / `x-oai-request-id` response header. */
  requestId?: string | undefined;
  /** How long the server asked to wait (`Retry-After` / `retry-after-ms`), in milliseconds. */
  retryAfterMs?: number | undefined;
  /** When the usage window resets, epoch milliseconds (usage-limit errors). */
  resetsAt?: number | undefined;
  /** The subscription plan (`plus`, `pro`…) from the error body or the `x-codex-plan-type` header. */
  planType?: string | undefined;
  /** Rate-limit headers of the failed response. */
  rateLimits?: RateLimitSnapshot | undefined;
  /** True when no event had been delivered yet, so the caller may resend the request elsewhere. */
  fallbackSafe?: boolean | undefined;
  /** How many HTTP attempts were made before giving up. */
  attempts?: number | undefined;
}

/**
 * The one error type `@codetether/transport-http` raises, from `stream()` and from the event
 * iterator. `code` says what happened; the message says what to do and never contains credentials.
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
export class HttpTransportError extends Error {
  /** Machine-readable reason. */
  readonly code: HttpTransportErrorCode;
  /** HTTP status, when the server answered. */
  readonly status?: number;
  /** True when sending the same request again later may succeed. */
  readonly isRetryable: boolean;
  /** The server's error message (secrets redacted). */
  readonly serverMessage?: string;
  /** The server's `error.type`. */
  readonly errorType?: string;
  /** The server's `error.code`. */
  readonly errorCode?: string;
  /** The request id the server reported. */
  readonly requestId?: string;
  /** How long the server asked to wait, in milliseconds. */
  readonly retryAfterMs?: number;
  /** When the usage window resets, epoch milliseconds. */
  readonly resetsAt?: number;
  /** The subscription plan type. */
  readonly planType?: string;
  /** Rate-limit headers of the failed response. */
  readonly rateLimits?: RateLimitSnapshot;
  /** True when no event had been delivered yet (resending the request cannot duplicate output). */
  readonly fallbackSafe: boolean;
  /** How many HTTP attempts were made. */
  readonly attempts?: number;

  /** Creates an error; undefined details are left off the instance. */
  constructor(code: HttpTransportErrorCode, message: string, details: HttpTransportErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'HttpTransportError';
    this.code = code;
    this.isRetryable = details.isRetryable;
    this.fallbackSafe = details.fallbackSafe ?? true;
    if (details.status !== undefined) this.status = details.status;
    if (details.serverMessage !== undefined) this.serverMessage = details.serverMessage;
    if (details.errorType !== undefined) this.errorType = details.errorType;
    if (details.errorCode !== undefined) this.errorCode = details.errorCode;
    if (details.requestId !== undefined) this.requestId = details.requestId;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
    if (details.resetsAt !== undefined) this.resetsAt = details.resetsAt;
    if (details.planType !== undefined) this.planType = details.planType;
    if (details.rateLimits !== undefined) this.rateLimits = details.rateLimits;
    if (details.attempts !== undefined) this.attempts = details.attempts;
  }
}

/** Tells whether a value is an {@link HttpTransportError}. */
export function isHttpTransportError(value: unknown): value is HttpTransportError {
  return value instanceof HttpTransportError;
}
