export {
  MAX_SPARE_IDLE_SOCKETS,
  RESERVED_SHARED_IDLE_SOCKETS,
  SPARE_IDLE_TIMEOUT_MS,
} from './connection-pool.js';
export type { WebSocketConstructor } from './open-connection.js';
export { MAX_PENDING_PONGS } from './ping-responder.js';
export type { TransportScheduler } from './scheduler.js';
export {
  createWebSocketTransport,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_IDLE_EVENT_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTION_AGE_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_IDLE_CONNECTIONS,
  DEFAULT_MAX_PAYLOAD_BYTES,
  type WebSocketTransport,
  type WebSocketTransportOptions,
  type WebSocketTransportState,
} from './web-socket-transport.js';
export { isWebSocketTransportError, WebSocketTransportError } from './web-socket-transport-error.js';
