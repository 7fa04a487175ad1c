/**
 * Every failure the Codex provider reports. Each code maps to one thing the user can act on.
 */
export type CodexProviderErrorCode =
  | 'not-logged-in'
  | 'missing-account-id'
  | 'missing-scope'
  | 'unsupported-model'
  | 'usage-limit-reached'
  | 'rate-limited'
  | 'unauthorized'
  | 'upstream-error'
  | 'network-error'
  | 'timeout'
  | 'aborted'
  | 'invalid-request'
  | 'conversation-busy'
  /** The shared credential store (`CODETETHER_STORE`, e.g. Redis) is down, unreachable or misconfigured. */
  | 'store-unavailable';

/** What the server said in its OpenAI-style error body (`{"error":{message,type,code,param}}`), secrets removed. */
export interface UpstreamErrorBody {
  /** The server's own message. */
  message: string;
  /** Its `error.type`, e.g. `invalid_request_error`. */
  type?: string | undefined;
  /** Its `error.code`, e.g. `previous_response_not_found`. */
  code?: string | undefined;
  /** Its `error.param`: the request field at fault, e.g. `previous_response_id`. */
  param?: string | undefined;
}

/** Options accepted by the {@link CodexProviderError} constructor. */
export interface CodexProviderErrorOptions {
  /** HTTP status (or WebSocket handshake status) that caused the error, when there was one. */
  status?: number | undefined;
  /** Whether trying the same request again later may succeed. */
  isRetryable?: boolean | undefined;
  /** When a usage limit resets, epoch milliseconds. */
  resetsAt?: number | undefined;
  /** How long to wait before retrying, milliseconds. */
  retryAfterMs?: number | undefined;
  /** The request id the server gave, to quote when reporting a problem. */
  requestId?: string | undefined;
  /** The server's error body, when it answered with one (a gateway relays its `code` and `param`). */
  upstreamError?: UpstreamErrorBody | undefined;
  /** The underlying error. */
  cause?: unknown;
}

const RETRYABLE_BY_DEFAULT: ReadonlySet<CodexProviderErrorCode> = new Set([
  'rate-limited',
  'upstream-error',
  'network-error',
  'timeout',
]);

/**
 * The one error class of `@codetether/provider-codex`. Its message says what happened and what to do;
 * it never contains a token, key or other secret.
 */
export class CodexProviderError extends Error {
  /** What went wrong, as a stable string the caller can switch on. */
  readonly code: CodexProviderErrorCode;
  /** HTTP status (or WebSocket handshake status) that caused the error, when there was one. */
  declare readonly status?: number;
  /** Whether trying the same request again later may succeed. */
  readonly isRetryable: boolean;
  /**
   * When a usage limit resets, epoch milliseconds like every time in CodeTether
   * (`new Date(error.resetsAt)` works).
   */
  declare readonly resetsAt?: number;
  /**
   * How long to wait before retrying, milliseconds: the server's `Retry-After`, or for a usage limit
   * the time until it resets.
   */
  declare readonly retryAfterMs?: number;
  /** The request id the server gave, to quote when reporting a problem. */
  declare readonly requestId?: string;
  /** The server's error body (message, type, code, param), when it answered with one. */
  declare readonly upstreamError?: UpstreamErrorBody;

  /**
   * @param code - what went wrong
   * @param message - what happened and what the user should do
   * @param options - status, retry hints and the underlying cause
   */
  constructor(code: CodexProviderErrorCode, message: string, options: CodexProviderErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CodexProviderError';
    this.code = code;
    this.isRetryable = options.isRetryable ?? RETRYABLE_BY_DEFAULT.has(code);
    if (options.status !== undefined) this.status = options.status;
    if (options.resetsAt !== undefined) this.resetsAt = options.resetsAt;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.requestId !== undefined) this.requestId = options.requestId;
    if (options.upstreamError !== undefined) this.upstreamError = options.upstreamError;
  }
}

/** True when `value` is a {@link CodexProviderError}. */
export function isCodexProviderError(value: unknown): value is CodexProviderError {
  return value instanceof CodexProviderError;
}

/** The `aborted` error of a request whose `AbortSignal` fired. */
export function abortedError(cause?: unknown): CodexProviderError {
  return new CodexProviderError('aborted', 'The request was aborted.', { cause, isRetryable: false });
}
