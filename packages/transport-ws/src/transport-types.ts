import type { RateLimitSnapshot, ResponsesStreamEvent } from '@codetether/responses-protocol';

/** One Responses request, prepared by the caller (same shape as `@codetether/transport-http`'s). */
export interface TransportRequest {
  /** The HTTP(S) `/responses` URL (base URL + `/responses`); converted to `ws:`/`wss:` here. */
  url: string;
  /** Headers for the handshake: Authorization, chatgpt-account-id, originator, User-Agent, OpenAI-Beta… */
  headers: Record<string, string>;
  /** The HTTP request body (with `stream: true`); sent as `{type: 'response.create', ...body}` without `stream`. */
  body: Record<string, unknown>;
  /** Cancels the turn at any point. */
  signal?: AbortSignal | undefined;
  /** Conversation id: turns of one session reuse one idle socket. Without it the socket is closed after the turn. */
  sessionId?: string | undefined;
}

/** The answer to a {@link TransportRequest}: handshake metadata plus the stream of Responses events. */
export interface TransportResponse {
  /** Which wire carried the response. */
  transport: 'http' | 'websocket';
  /** HTTP status of the handshake that opened the socket (101 for a WebSocket). */
  status: number;
  /** Lower-cased response headers of that handshake. */
  headers: Record<string, string>;
  /** Request id from the handshake headers, when the server sent one. */
  requestId?: string | undefined;
  /**
   * Rate limits, parsed: from the handshake headers at first, then updated in place when the server
   * sends a `codex.rate_limits` event for this response (a reused socket's handshake is old).
   */
  rateLimits: RateLimitSnapshot;
  /**
   * The events of this response, one per frame, ending after the terminal event. Iterate once; a
   * failure before the terminal event is thrown as a `WebSocketTransportError`.
   */
  events: AsyncIterable<ResponsesStreamEvent>;
}

/** What the handshake of one socket told us. Reused sockets report the metadata of their handshake. */
export interface HandshakeMetadata {
  /** HTTP status (101). */
  status: number;
  /** Lower-cased response headers. */
  headers: Record<string, string>;
  /** Request id from the headers. */
  requestId: string | undefined;
  /** Parsed rate-limit headers. */
  rateLimits: RateLimitSnapshot;
}
