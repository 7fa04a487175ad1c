import type { RateLimitSnapshot } from './rate-limits.js';

/**
 * Why a transport (`@codetether/transport-http`, `@codetether/transport-ws`) failed. Both transports
 * raise the same code for the same failure.
 *
 * - `http-status`: the server refused the request with an HTTP status (see `status`, `serverMessage`):
 *   a non-2xx HTTP answer, a refused WebSocket handshake, or a WebSocket `error` event carrying a status.
 * - `usage-limit-reached`: a 429 saying the subscription's usage window is exhausted (see `resetsAt`,
 *   `planType`); never retryable.
 * - `network`: the connection could not be opened, or broke (refused, DNS, reset); or the server
 *   accepted it but answered with something that is not HTTP, or closed it without answering (see
 *   `serverReply`).
 * - `timeout-connect`: the TCP/TLS connection (or the WebSocket handshake) was not established in time.
 * - `timeout-first-byte`: HTTP only; the server sent no response headers in time.
 * - `timeout-idle`: the stream stalled: no event arrived in time while the caller waited for one.
 * - `closed-before-completion`: the stream ended (body ended, `data: [DONE]`, socket closed) before a
 *   terminal event (see `closeCode` on the WebSocket).
 * - `message-too-big`: WebSocket only; the socket closed with code 1009 (a frame exceeded the size limit).
 * - `protocol`: what arrived is not a Responses stream (bad event data, an event larger than the
 *   buffer cap, a 2xx answer that is JSON or HTML, a malformed or non-JSON frame).
 * - `aborted`: the caller's `AbortSignal` fired.
 * - `transport-closed`: the transport was closed with `close()`.
 * - `too-many-connections`: WebSocket only; the transport already holds as many sockets as its
 *   `maxConnections` allows, all busy with other responses: nothing was sent (fallback-safe and
 *   retryable; HTTP can carry the request instead).
 * - `invalid-request`: the request cannot be sent (not an http(s)/ws(s) URL, an invalid header, a body
 *   that is not JSON-serialisable).
 */
export type TransportErrorCode =
  | 'http-status'
  | 'usage-limit-reached'
  | 'network'
  | 'timeout-connect'
  | 'timeout-first-byte'
  | 'timeout-idle'
  | 'closed-before-completion'
  | 'message-too-big'
  | 'protocol'
  | 'aborted'
  | 'transport-closed'
  | 'too-many-connections'
  | 'invalid-request';

/** Which wire a transport error came from. */
export type TransportKind = 'http' | 'websocket';

/**
 * What a server that was reached sent instead of an HTTP answer, for a `network` failure before
 * the answer (the HTTP status line, or the WebSocket handshake's):
 *
 * - `not-http`: bytes that are not HTTP (another protocol on that port, a wrong scheme, a proxy
 *   mangling the answer).
 * - `closed-without-answer`: nothing; it closed (or reset) the connection it had accepted.
 */
export type NonHttpServerReply = 'not-http' | 'closed-without-answer';

/** The fields of a {@link ResponsesTransportError} besides `code` and `message`. */
export interface TransportErrorDetails {
  /** Which transport raised it. */
  transport: TransportKind;
  /** True when sending the same request again later may succeed. */
  isRetryable: boolean;
  /**
   * True when nothing of this response was delivered to the caller yet, so the same request may be
   * sent again (or over the other transport) without duplicating output.
   */
  fallbackSafe: boolean;
  /** The underlying error (an undici or `ws` error, an `AbortSignal` reason…). */
  cause?: unknown;
  /** HTTP status: of the answer, of a refused handshake, or carried by a WebSocket `error` event. */
  status?: number | undefined;
  /**
   * For a `network` failure: what the server sent instead of an HTTP answer, when it was reached.
   * Absent when it could not be reached at all (refused, DNS, unreachable) or the transport cannot tell.
   */
  serverReply?: NonHttpServerReply | undefined;
  /** WebSocket close code, when the socket closed before the terminal event. */
  closeCode?: number | undefined;
  /** WebSocket close reason sent by the server (secrets redacted). */
  closeReason?: string | undefined;
  /** The `error.message` of the server's error body (secrets redacted). */
  serverMessage?: string | undefined;
  /** The `error.type` of the server's error body (e.g. `usage_limit_reached`, `server_error`). */
  errorType?: string | undefined;
  /** The `error.code` of the server's error body (e.g. `invalid_api_key`), or the decoder's code. */
  errorCode?: string | undefined;
  /** The `error.param` of the server's error body: the request field at fault (e.g. `previous_response_id`). */
  errorParam?: string | undefined;
  /** The `x-request-id` (or a variant) the server sent. */
  requestId?: string | undefined;
  /** How long the server asked to wait (`Retry-After` / `retry-after-ms`), milliseconds. */
  retryAfterMs?: number | undefined;
  /** When the exhausted usage window resets, epoch milliseconds. */
  resetsAt?: number | undefined;
  /** The subscription plan (`plus`, `pro`…) from the error body or the `x-codex-plan-type` header. */
  planType?: string | undefined;
  /** Rate-limit headers that came with the failure. */
  rateLimits?: RateLimitSnapshot | undefined;
  /** How many attempts were made before giving up (the HTTP transport retries). */
  attempts?: number | undefined;
}

/**
 * The error both Responses transports raise, from `stream()` and from the event iterator. `code` says
 * what happened, the message says what to do and never contains a credential. The transports'
 * own classes (`HttpTransportError`, `WebSocketTransportError`) extend it, so one `instanceof
 * ResponsesTransportError` check covers both.
 *
 * @example
 * ```ts
 * try {
 *   await transport.stream(request);
 * } catch (error) {
 *   if (error instanceof ResponsesTransportError && error.code === 'usage-limit-reached') {
 *     console.log(`Usage limit reached; resets at ${new Date(error.resetsAt ?? Date.now())}`);
 *   }
 * }
 * ```
 */
export class ResponsesTransportError extends Error {
  // The optional fields are `declare`d: only the ones a failure has exist on the instance.
  /** What went wrong. */
  readonly code: TransportErrorCode;
  /** Which transport raised it. */
  readonly transport: TransportKind;
  /** True when sending the same request again later may succeed. */
  readonly isRetryable: boolean;
  /** True when nothing of this response was delivered yet (resending cannot duplicate output). */
  readonly fallbackSafe: boolean;
  /** HTTP status, when the server answered with one. */
  declare readonly status?: number;
  /** For a `network` failure: what a server that was reached sent instead of an HTTP answer. */
  declare readonly serverReply?: NonHttpServerReply;
  /** WebSocket close code, for closes before the terminal event. */
  declare readonly closeCode?: number;
  /** WebSocket close reason sent by the server. */
  declare readonly closeReason?: string;
  /** The server's error message (secrets redacted). */
  declare readonly serverMessage?: string;
  /** The server's `error.type`. */
  declare readonly errorType?: string;
  /** The server's `error.code`. */
  declare readonly errorCode?: string;
  /** The server's `error.param`: the request field at fault. */
  declare readonly errorParam?: string;
  /** The request id the server reported. */
  declare readonly requestId?: string;
  /** How long the server asked to wait, milliseconds. */
  declare readonly retryAfterMs?: number;
  /** When the usage window resets, epoch milliseconds. */
  declare readonly resetsAt?: number;
  /** The subscription plan type. */
  declare readonly planType?: string;
  /** Rate-limit headers of the failed response. */
  declare readonly rateLimits?: RateLimitSnapshot;
  /** How many attempts were made. */
  declare readonly attempts?: number;

  /**
   * @param code - what went wrong
   * @param message - what happened and what to do (never a credential)
   * @param details - the transport, retry and fallback safety, and what the server said; undefined
   *   fields are left off the instance
   */
  constructor(code: TransportErrorCode, message: string, details: TransportErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ResponsesTransportError';
    this.code = code;
    this.transport = details.transport;
    this.isRetryable = details.isRetryable;
    this.fallbackSafe = details.fallbackSafe;
    if (details.status !== undefined) this.status = details.status;
    if (details.serverReply !== undefined) this.serverReply = details.serverReply;
    if (details.closeCode !== undefined) this.closeCode = details.closeCode;
    if (details.closeReason !== undefined) this.closeReason = details.closeReason;
    if (details.serverMessage !== undefined) this.serverMessage = details.serverMessage;
    if (details.errorType !== undefined) this.errorType = details.errorType;
    if (details.errorCode !== undefined) this.errorCode = details.errorCode;
    if (details.errorParam !== undefined) this.errorParam = details.errorParam;
    if (details.requestId !== undefined) this.requestId = details.requestId;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
    if (details.resetsAt !== undefined) this.resetsAt = details.resetsAt;
    if (details.planType !== undefined) this.planType = details.planType;
    if (details.rateLimits !== undefined) this.rateLimits = details.rateLimits;
    if (details.attempts !== undefined) this.attempts = details.attempts;
  }
}

/** True when `value` is a {@link ResponsesTransportError} (from either transport). */
export function isResponsesTransportError(value: unknown): value is ResponsesTransportError {
  return value instanceof ResponsesTransportError;
}
