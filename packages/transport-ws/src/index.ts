export { RESERVED_SHARED_IDLE_SOCKETS } from './connection-pool.js';
export type { WebSocketConstructor } from './open-connection.js';
export type { TransportScheduler } from './scheduler.js';
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
export { isWebSocketTransportError, WebSocketTransportError } from './web-socket-transport-error.js';
