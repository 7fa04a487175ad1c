import {
  ResponsesTransportError,
  type TransportErrorCode,
  type TransportErrorDetails,
} from '@codetether/responses-protocol';

/**
 * The error `@codetether/transport-ws` raises, before or during the event stream: a
 * `ResponsesTransportError` (shared with the HTTP transport: same codes, same fields) whose `transport`
 * is `websocket`. `fallbackSafe` tells a caller whether the same request may be sent over HTTP instead
 * without duplicating output. Codes it raises: `http-status` (a refused handshake or an `error` event
 * with a status), `usage-limit-reached`, `network`, `timeout-connect`, `timeout-idle`,
 * `closed-before-completion` (see `closeCode`), `message-too-big`, `protocol`, `aborted`,
 * `transport-closed`, `too-many-connections` (every socket of `maxConnections` busy), `invalid-request`. Messages never contain credentials.
 */
export class WebSocketTransportError extends ResponsesTransportError {
  /**
   * @param code - what went wrong
   * @param message - what happened and what to do (never a credential)
   * @param details - fallback safety, retry, status, close code and server details
   */
  constructor(code: TransportErrorCode, message: string, details: Omit<TransportErrorDetails, 'transport'>) {
    super(code, message, { ...details, transport: 'websocket' });
    this.name = 'WebSocketTransportError';
  }
}

/** Type guard for {@link WebSocketTransportError}. */
export function isWebSocketTransportError(error: unknown): error is WebSocketTransportError {
  return error instanceof WebSocketTransportError;
}
