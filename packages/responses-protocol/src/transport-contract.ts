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
  /**
   * The session shares sockets with the other sessions that do (WebSocket; HTTP ignores it): with
   * no idle socket of its own, the request takes one of theirs instead of opening a new socket (its
   * handshake headers, e.g. `session-id`, were then that session's), and once its session is
   * closed its idle socket stays open for them. For servers that start many short conversations
   * of their own; a session the caller named should keep its own sockets. A request without
   * `sessionId` that shares may take the idle socket of an ended sharing session (unless it names a
   * previous response: `previous_response_id` or `continuation`). Default false.
   */
  shareConnection?: boolean | undefined;
  /**
   * A shorter body that only the connection which produced the previous response understands (a
   * `previous_response_id` continuation with only the new input items): sent instead of `body` when
   * the request goes out on the connection `connectionId` (see {@link TransportResponse.connection}),
   * and never anywhere else — a fresh socket, a resend after a stale socket, HTTP. Transports that
   * cannot tell connections apart (HTTP) ignore it and send `body`.
   */
  continuation?: RequestContinuation | undefined;
}

/** The body to send instead of the full one on the connection that produced the previous response. */
export interface RequestContinuation {
  /** The {@link ResponseConnection.id} of the connection that produced the previous response. */
  connectionId: string;
  /** The body to send on that connection (same fields as `body`, with the shorter `input`). */
  body: Record<string, unknown>;
}

/** Which connection carries a response, and which body went out on it. */
export interface ResponseConnection {
  /** The connection's id, unique within the transport: name it in a later request's `continuation`. */
  id: string;
  /** True when the request's `continuation` body was sent (the connection was the one it named). */
  continued: boolean;
}

/** An established streaming response: its metadata plus the stream of Responses events. */
export interface TransportResponse {
  /** Which wire carried it. */
  transport: TransportKind;
  /** HTTP status of the response (2xx), or of the handshake that opened the socket (101). */
  status: number;
  /** Response (or handshake) headers, lower-cased names. */
  headers: Record<string, string>;
  /** The request id the server sent (see {@link readRequestId}). */
  requestId?: string | undefined;
  /** Usage windows from the `x-codex-*` headers (the WebSocket transport updates them from `codex.rate_limits`). */
  rateLimits: RateLimitSnapshot;
  /**
   * The connection that carries the response (WebSocket only; absent over HTTP). Updated in place if
   * the request is resent on a fresh socket before any event arrived, so it is final once the first
   * event was read.
   */
  connection?: ResponseConnection | undefined;
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
  /**
   * Closes the idle connection kept for `sessionId` (a conversation that ended); a response in
   * flight is not affected. Optional: transports without per-session connections leave it out.
   */
  closeSession?(sessionId: string): Promise<void>;
  /**
   * Loads what the transport's first request needs (its modules) without connecting or sending
   * anything, so that request does not wait for it; a server calls it once it listens. Never
   * rejects. Optional: transports with nothing to load leave it out.
   */
  prepare?(): Promise<void>;
  /** Releases sockets and connections. */
  close(): Promise<void>;
}

/**
 * Event types after which a response is over: a transport stops reading there (later events are
 * dropped) and a WebSocket is free for the next turn.
 */
export const TERMINAL_EVENT_TYPES: ReadonlySet<string> = new Set([
  'response.completed',
  'response.failed',
  'response.incomplete',
  'response.cancelled',
  'response.done',
  'error',
]);

/** True for an event type that ends a response (see {@link TERMINAL_EVENT_TYPES}). */
export function isTerminalEventType(type: string): boolean {
  return TERMINAL_EVENT_TYPES.has(type);
}

const REQUEST_ID_HEADERS = ['x-request-id', 'x-oai-request-id', 'request-id', 'openai-request-id'];

/**
 * The request id a server put in its response (or handshake, or `error` event) headers:
 * `x-request-id`, else `x-oai-request-id`, `request-id` or `openai-request-id`.
 *
 * @param headers - lower-cased headers
 */
export function readRequestId(headers: Record<string, string>): string | undefined {
  for (const name of REQUEST_ID_HEADERS) {
    const value = headers[name];
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}
