export { abortableSleep } from './abortable-sleep.js';
export {
  createHttpTransport,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_FIRST_BYTE_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_ATTEMPTS,
} from './http-transport.js';
export {
  HttpTransportError,
  type HttpTransportErrorCode,
  type HttpTransportErrorDetails,
  isHttpTransportError,
} from './http-transport-error.js';
export { parseRetryAfterMs } from './retry-after.js';
export { type BackoffPolicy, computeRetryDelayMs, RETRYABLE_STATUSES } from './retry-policy.js';
export type {
  FetchInitLike,
  FetchLike,
  FetchResponseLike,
  HttpRetryInfo,
  HttpTransport,
  HttpTransportOptions,
  TransportRequest,
  TransportResponse,
} from './transport-types.js';
