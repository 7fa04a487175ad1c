export { createHttpTransport } from './http-transport.js';
export { HttpTransportError, isHttpTransportError } from './http-transport-error.js';
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_FIRST_BYTE_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_ATTEMPTS,
} from './transport-settings.js';
export type {
  FetchInitLike,
  FetchLike,
  FetchResponseLike,
  HttpRetryInfo,
  HttpTransportOptions,
} from './transport-types.js';
