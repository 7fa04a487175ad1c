import type { Dispatcher } from 'undici';

/** The part of a `fetch` `Response` the transport reads. The global `Response` and undici's both fit. */
export interface FetchResponseLike {
  /** HTTP status. */
  readonly status: number;
  /** Status text (may be empty). */
  readonly statusText: string;
  /** Response headers. */
  readonly headers: { forEach(callback: (value: string, name: string) => void): void };
  /** Response body. */
  readonly body: ReadableStream<Uint8Array> | null;
}

/** The `init` the transport passes to an injected `fetch`. */
export interface FetchInitLike {
  /** Always `POST`. */
  method: string;
  /** The caller's headers plus `content-type` and `accept` defaults. */
  headers: Record<string, string>;
  /** The JSON body. */
  body: string;
  /** Aborts the request (caller abort, timeouts, close). */
  signal: AbortSignal;
  /**
   * `manual` (the transport always sets it; optional so that hand-written inits still type-check):
   * a redirect is reported as an `http-status` error, never followed, so the credential headers (an
   * `x-api-key`, the account id…) never reach another URL.
   */
  redirect?: 'manual';
}

/** A `fetch`-compatible function (`globalThis.fetch`, undici's `fetch`, or a wrapper). */
export type FetchLike = (url: string, init: FetchInitLike) => Promise<FetchResponseLike>;

/** Options of {@link createHttpTransport}. Every field is optional. */
export interface HttpTransportOptions {
  /**
   * `fetch` to use instead of undici's `request()` (the default). It receives the `dispatcher` only when one is given too;
   * otherwise its own connection handling applies (and `connectTimeoutMs` is not enforced).
   */
  fetch?: FetchLike | typeof globalThis.fetch;
  /**
   * undici dispatcher (e.g. an `Agent` or `ProxyAgent`) shared by every request. Not closed by
   * `close()`. Default: a keep-alive `Agent` owned by the transport.
   */
  dispatcher?: Dispatcher;
  /** Most HTTP attempts per `stream()` call, including the first (default 4, i.e. 3 retries). */
  maxAttempts?: number;
  /** Delay before the first retry, before jitter (default 1000 ms); doubles on every retry. */
  baseRetryDelayMs?: number;
  /** Largest backoff delay (default 30 000 ms). */
  maxRetryDelayMs?: number;
  /** Largest `Retry-After` honoured; longer ones are shortened to this (default 60 000 ms). */
  maxRetryAfterMs?: number;
  /** TCP/TLS connect timeout of the transport's own `Agent` (default 15 000 ms; 0 disables). */
  connectTimeoutMs?: number;
  /** Time allowed from sending a request to receiving its response headers (default 120 000 ms; 0 disables). */
  firstByteTimeoutMs?: number;
  /**
   * Time allowed for the next complete event while the caller waits for it (default 300 000 ms; 0
   * disables). Bytes that complete no event (SSE comments, a trickled partial line) do not reset it.
   */
  idleTimeoutMs?: number;
  /** How long the transport's own `Agent` keeps idle sockets open (default 30 000 ms). */
  keepAliveTimeoutMs?: number;
  /** Cap on buffered, unfinished SSE text per response (default: the decoder's 16 MiB). */
  maxBufferBytes?: number;
  /** Random source in [0, 1) for backoff jitter (default `Math.random`). */
  random?: () => number;
  /** Waits before a retry; must reject when `signal` aborts (default: a cleared-on-abort `setTimeout`). */
  sleep?: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
  /** Clock, epoch ms, for `Retry-After` dates (default `Date.now`). */
  now?: () => number;
  /** Called before each retry with the attempt that failed and the delay chosen (for logging). */
  onRetry?: (info: HttpRetryInfo) => void;
}

/** What {@link HttpTransportOptions.onRetry} receives. */
export interface HttpRetryInfo {
  /** The attempt that failed (1 for the first). */
  attempt: number;
  /** The wait before the next attempt, in ms. */
  delayMs: number;
  /** Why the attempt failed. */
  error: Error;
}
