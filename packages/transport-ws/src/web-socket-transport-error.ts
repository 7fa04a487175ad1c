import type { RateLimitSnapshot } from '@codetether/responses-protocol';

/**
 * What went wrong on the Responses WebSocket.
 *
 * - `handshake-failed`: the server answered the upgrade with a non-101 status (see `status`).
 * - `network-error`: the connection could not be opened (refused, DNS, reset during the handshake).
 * - `connect-timeout`: the handshake did not finish within `connectTimeoutMs`.
 * - `closed-before-completion`: the socket closed or failed before the terminal event (see `closeCode`).
 * - `message-too-big`: the socket closed with code 1009 (a frame exceeded the size limit).
 * - `idle-timeout`: no frame arrived within `idleEventTimeoutMs` while a response was in flight.
 * - `usage-limit-reached`: the subscription's usage window is exhausted (see `resetsAt`, `planType`).
 * - `rate-limited`: a 429 that is not a usage limit.
 * - `unauthorized`: an `error` event with status 401.
 * - `server-error`: an `error` event carrying a 5xx status.
 * - `request-rejected`: an `error` event carrying another 4xx status (e.g. 400 invalid request, 403).
 * - `protocol-error`: a frame was not a UTF-8 JSON object with a string `type`.
 * - `aborted`: the caller's `AbortSignal` fired.
 * - `transport-closed`: the transport was closed with `close()`.
 * - `invalid-request`: the request URL is not an http(s) or ws(s) URL.
 */
export type WebSocketTransportErrorCode =
  | 'handshake-failed'
  | 'network-error'
  | 'connect-timeout'
  | 'closed-before-completion'
  | 'message-too-big'
  | 'idle-timeout'
  | 'usage-limit-reached'
  | 'rate-limited'
  | 'unauthorized'
  | 'server-error'
  | 'request-rejected'
  | 'protocol-error'
  | 'aborted'
  | 'transport-closed'
  | 'invalid-request';

/** Details attached to a {@link WebSocketTransportError}. */
export interface WebSocketTransportErrorDetails {
  /** True when falling back to HTTP is safe: nothing of this response was yielded yet. */
  fallbackSafe: boolean;
  /** True when sending the same request again may succeed. */
  isRetryable: boolean;
  /** HTTP status of a refused handshake, or the `status_code` of an `error` event. */
  status?: number | undefined;
  /** WebSocket close code when the socket closed before the terminal event. */
  closeCode?: number | undefined;
  /** Close reason sent by the server, when there was one. */
  closeReason?: string | undefined;
  /** The server's own error message. */
  serverMessage?: string | undefined;
  /** The server's error `type` (e.g. `usage_limit_reached`). */
  errorType?: string | undefined;
  /** The server's error `code`. */
  errorCode?: string | undefined;
  /** Request id from the handshake or error headers. */
  requestId?: string | undefined;
  /** When the usage window resets, epoch milliseconds (usage limits). */
  resetsAt?: number | undefined;
  /** The subscription plan reported with a usage limit. */
  planType?: string | undefined;
  /** Milliseconds the server asked to wait (`Retry-After`). */
  retryAfterMs?: number | undefined;
  /** Rate-limit headers that came with the failure. */
  rateLimits?: RateLimitSnapshot | undefined;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * The one error class of `@codetether/transport-ws`. Every failure of {@link WebSocketTransport.stream}
 * (before or during the event stream) is one of these; `fallbackSafe` tells a caller whether the same
 * request may be sent over HTTP instead without duplicating output. Messages never contain credentials.
 */
export class WebSocketTransportError extends Error {
  override readonly name = 'WebSocketTransportError';
  /** What went wrong. */
  readonly code: WebSocketTransportErrorCode;
  /** True when nothing of this response was yielded yet, so an HTTP retry cannot duplicate output. */
  readonly fallbackSafe: boolean;
  /** True when sending the same request again may succeed. */
  readonly isRetryable: boolean;
  /** HTTP status of a refused handshake, or the status carried by an `error` event. */
  readonly status: number | undefined;
  /** WebSocket close code, for closes before the terminal event. */
  readonly closeCode: number | undefined;
  /** Close reason sent by the server. */
  readonly closeReason: string | undefined;
  /** The server's own error message. */
  readonly serverMessage: string | undefined;
  /** The server's error `type`. */
  readonly errorType: string | undefined;
  /** The server's error `code`. */
  readonly errorCode: string | undefined;
  /** Request id from the handshake or error headers. */
  readonly requestId: string | undefined;
  /** Usage window reset time, epoch milliseconds. */
  readonly resetsAt: number | undefined;
  /** Subscription plan reported with a usage limit. */
  readonly planType: string | undefined;
  /** Milliseconds the server asked to wait. */
  readonly retryAfterMs: number | undefined;
  /** Rate-limit headers that came with the failure. */
  readonly rateLimits: RateLimitSnapshot | undefined;

  /**
   * @param code - what went wrong
   * @param message - what happened and what to do (never a credential)
   * @param details - status, close code, fallback safety and server details
   */
  constructor(code: WebSocketTransportErrorCode, message: string, details: WebSocketTransportErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.fallbackSafe = details.fallbackSafe;
    this.isRetryable = details.isRetryable;
    this.status = details.status;
    this.closeCode = details.closeCode;
    this.closeReason = details.closeReason;
    this.serverMessage = details.serverMessage;
    this.errorType = details.errorType;
    this.errorCode = details.errorCode;
    this.requestId = details.requestId;
    this.resetsAt = details.resetsAt;
    this.planType = details.planType;
    this.retryAfterMs = details.retryAfterMs;
    this.rateLimits = details.rateLimits;
  }
}

/** Type guard for {@link WebSocketTransportError}. */
export function isWebSocketTransportError(error: unknown): error is WebSocketTransportError {
  return error instanceof WebSocketTransportError;
}
