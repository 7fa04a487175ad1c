export { buildHandshakeHeaders } from './handshake-headers.js';
export type { WebSocketConstructor } from './open-connection.js';
export { buildResponseCreateEvent } from './response-create-event.js';
export { systemScheduler, type TransportScheduler } from './scheduler.js';
export { isTerminalEventType, TERMINAL_EVENT_TYPES } from './terminal-events.js';
export type { HandshakeMetadata, TransportRequest, TransportResponse } from './transport-types.js';
export {
  createWebSocketTransport,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_IDLE_EVENT_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTION_AGE_MS,
  DEFAULT_MAX_PAYLOAD_BYTES,
  type WebSocketTransport,
  type WebSocketTransportOptions,
  type WebSocketTransportState,
} from './web-socket-transport.js';
export {
  isWebSocketTransportError,
  WebSocketTransportError,
  type WebSocketTransportErrorCode,
  type WebSocketTransportErrorDetails,
} from './web-socket-transport-error.js';
export { toWebSocketUrl } from './web-socket-url.js';
