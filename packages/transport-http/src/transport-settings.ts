import { setTimeout as sleepFor } from 'node:timers/promises';
import type { BackoffPolicy } from './retry-policy.js';
import type { HttpRetryInfo, HttpTransportOptions } from './transport-types.js';

/** Default attempt limit (the first try plus three retries). */
export const DEFAULT_MAX_ATTEMPTS = 4;
/** Default connect timeout of the transport's own Agent, ms. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
/** Default time allowed for the response headers, ms. */
export const DEFAULT_FIRST_BYTE_TIMEOUT_MS = 120_000;
/** Default time allowed between two complete events while the caller waits, ms. */
export const DEFAULT_IDLE_TIMEOUT_MS = 300_000;

const DEFAULT_BASE_RETRY_DELAY_MS = 1_000;
const DEFAULT_MAX_RETRY_DELAY_MS = 30_000;
const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;
const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 30_000;

/** {@link HttpTransportOptions} checked and with every default filled in. */
export interface TransportSettings {
  /** Most HTTP attempts per `stream()` call (≥ 1). */
  maxAttempts: number;
  /** TCP/TLS connect timeout of the transport's own Agent, ms (0 disables). */
  connectTimeoutMs: number;
  /** Time allowed for the response headers, ms (0 disables). */
  firstByteTimeoutMs: number;
  /** Time allowed for the next complete event while the caller waits, ms (0 disables). */
  idleTimeoutMs: number;
  /** How long the transport's own Agent keeps idle sockets open, ms. */
  keepAliveTimeoutMs: number;
  /** Cap on buffered, unfinished SSE text per response, when set. */
  maxBufferBytes: number | undefined;
  /** How retries are spaced. */
  backoffPolicy: BackoffPolicy;
  /** Random source in [0, 1) for backoff jitter. */
  random: () => number;
  /** Waits before a retry; rejects when `signal` aborts. */
  sleep: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
  /** Clock, epoch ms. */
  now: () => number;
  /** Called before each retry, when given. */
  onRetry: ((info: HttpRetryInfo) => void) | undefined;
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite number ≥ 0 (got ${value}).`);
  }
  return value;
}

function sleepUnlessAborted(milliseconds: number, signal?: AbortSignal): Promise<void> {
  return sleepFor(milliseconds, undefined, signal === undefined ? {} : { signal });
}

/**
 * Checks the numeric options (each must be a finite number ≥ 0, `maxAttempts` at least 1; a
 * `RangeError` names the bad one) and fills in the defaults.
 *
 * @param options - what the caller passed to `createHttpTransport`
 */
export function resolveTransportSettings(options: HttpTransportOptions): TransportSettings {
  const maxAttempts = Math.floor(nonNegative(options.maxAttempts, DEFAULT_MAX_ATTEMPTS, 'maxAttempts'));
  if (maxAttempts < 1) throw new RangeError('maxAttempts must be at least 1.');
  const connectTimeoutMs = nonNegative(
    options.connectTimeoutMs,
    DEFAULT_CONNECT_TIMEOUT_MS,
    'connectTimeoutMs',
  );
  const firstByteTimeoutMs = nonNegative(
    options.firstByteTimeoutMs,
    DEFAULT_FIRST_BYTE_TIMEOUT_MS,
    'firstByteTimeoutMs',
  );
  const idleTimeoutMs = nonNegative(options.idleTimeoutMs, DEFAULT_IDLE_TIMEOUT_MS, 'idleTimeoutMs');
  const backoffPolicy: BackoffPolicy = {
    baseDelayMs: nonNegative(options.baseRetryDelayMs, DEFAULT_BASE_RETRY_DELAY_MS, 'baseRetryDelayMs'),
    maxDelayMs: nonNegative(options.maxRetryDelayMs, DEFAULT_MAX_RETRY_DELAY_MS, 'maxRetryDelayMs'),
    maxRetryAfterMs: nonNegative(options.maxRetryAfterMs, DEFAULT_MAX_RETRY_AFTER_MS, 'maxRetryAfterMs'),
  };
  const keepAliveTimeoutMs = nonNegative(
    options.keepAliveTimeoutMs,
    DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
    'keepAliveTimeoutMs',
  );
  return {
    maxAttempts,
    connectTimeoutMs,
    firstByteTimeoutMs,
    idleTimeoutMs,
    keepAliveTimeoutMs,
    maxBufferBytes: options.maxBufferBytes,
    backoffPolicy,
    random: options.random ?? Math.random,
    sleep: options.sleep ?? sleepUnlessAborted,
    now: options.now ?? Date.now,
    onRetry: options.onRetry,
  };
}
