import type { RateLimitSnapshot, ResponsesStreamEvent } from '@codetether/responses-protocol';

/**
 * One Responses request handed to a transport: the shape `@codetether/transport-http` and
 * `@codetether/transport-ws` both accept.
 */
export interface CodexTransportRequest {
  /** The HTTP(S) `/responses` URL (the WebSocket transport converts it to `ws:`/`wss:`). */
  url: string;
  /** Request (or handshake) headers, credentials included. */
  headers: Record<string, string>;
  /** The HTTP request body, with `stream: true`. */
  body: Record<string, unknown>;
  /** Cancels the request at any point. */
  signal?: AbortSignal;
  /** The conversation id (the WebSocket transport reuses one socket per session). */
  sessionId?: string;
}

/** An established response: the shape both transports resolve with. */
export interface CodexTransportResponse {
  /** Which wire carried it. */
  transport: 'http' | 'websocket';
  /** HTTP status (101 for a WebSocket handshake). */
  status: number;
  /** Lower-cased response (or handshake) headers. */
  headers: Record<string, string>;
  /** The server's request id, when it sent one. */
  requestId?: string | undefined;
  /** The `x-codex-*` usage windows of the response (or handshake) headers. */
  rateLimits: RateLimitSnapshot;
  /** The Responses events, as plain objects with a string `type`. Single use. */
  events: AsyncIterable<ResponsesStreamEvent>;
}

/** A transport the provider can stream through (`createHttpTransport()` and `createWebSocketTransport()` fit). */
export interface CodexTransport {
  /** Sends one request; resolves once the response is established. */
  stream(request: CodexTransportRequest): Promise<CodexTransportResponse>;
  /** Releases sockets and connections. */
  close(): Promise<void>;
}
