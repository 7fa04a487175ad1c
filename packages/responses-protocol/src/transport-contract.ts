import type { ResponsesStreamEvent } from './events/stream-event.js';
import type { RateLimitSnapshot } from './rate-limits.js';
import type { TransportKind } from './transport-error.js';

/**
 * One prepared Responses request handed to a transport (`@codetether/transport-http` or
 * `@codetether/transport-ws`). Transports never build bodies or hold credentials: both come from the caller.
 */
export interface TransportRequest {
  /** The HTTP(S) `/responses` URL (base URL + `/responses`); the WebSocket transport converts it to `ws:`/`wss:`. */
  url: string;
  /** Request (or handshake) headers, credentials included: Authorization, chatgpt-account-id, originator… */
  headers: Record<string, string>;
  /** The HTTP request body, with `stream: true` (sent over WebSocket as `response.create` without `stream`). */
  body: Record<string, unknown>;
  /** Cancels the request at any point: while connecting, waiting, retrying or streaming. */
  signal?: AbortSignal | undefined;
  /** The conversation id: the WebSocket transport reuses one idle socket per session; HTTP ignores it. */
  sessionId?: string | undefined;
}

/** An established streaming response: its metadata plus the stream of Responses events. */
export interface TransportResponse {
  /** Which wire carried it. */
  transport: TransportKind;
  /** HTTP status of the response (2xx), or of the handshake that opened the socket (101). */
  status: number;
  /** Response (or handshake) headers, lower-cased names. */
  headers: Record<string, string>;
  /** `x-request-id` / `x-oai-request-id`, when the server sent one. */
  requestId?: string | undefined;
  /** Usage windows from the `x-codex-*` headers (the WebSocket transport updates them from `codex.rate_limits`). */
  rateLimits: RateLimitSnapshot;
  /**
   * The Responses events as plain objects with a string `type` (unknown types pass through), ending after
   * the terminal event. Single use; stopping the iteration early releases the connection.
   */
  events: AsyncIterable<ResponsesStreamEvent>;
}

/**
 * What a transport offers: `createHttpTransport()` and `createWebSocketTransport()` both fit. Every
 * failure, from `stream()` or from the event iterator, is a `ResponsesTransportError` (see
 * `TransportErrorCode`).
 */
export interface ResponsesTransport {
  /** Sends one request; resolves once the response is established. */
  stream(request: TransportRequest): Promise<TransportResponse>;
  /** Releases sockets and connections. */
  close(): Promise<void>;
}
