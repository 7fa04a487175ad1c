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
  | 'invalid-request';

/** Options accepted by the {@link CodexProviderError} constructor. */
export interface CodexProviderErrorOptions {
  /** HTTP status (or WebSocket handshake status) that caused the error, when there was one. */
  status?: number | undefined;
  /** Whether trying the same request again later may succeed. */
  isRetryable?: boolean | undefined;
  /**
   * When a usage limit resets, in epoch **seconds**. Prefer {@link CodexProviderErrorOptions.resetsAtMs};
   * when only this is given, `resetsAtMs` is `resetsAt * 1000`.
   */
  resetsAt?: number | undefined;
  /** When a usage limit resets, in epoch **milliseconds** (what the transports report); sets both fields. */
  resetsAtMs?: number | undefined;
  /** How long the server asked us to wait before retrying, in seconds. */
  retryAfterSeconds?: number | undefined;
  /** The request id the server gave, to quote when reporting a problem. */
  requestId?: string | undefined;
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
  readonly status?: number;
  /** Whether trying the same request again later may succeed. */
  readonly isRetryable: boolean;
  /**
   * When a usage limit resets, in epoch **seconds** (Unix time, rounded up), e.g. `1767225600`.
   *
   * Unlike every other time in CodeTether (which are epoch milliseconds, e.g. `RateLimitWindow.resetsAt`
   * and the transports' `resetsAt`), this field is in seconds: it mirrors the server's `resets_at` and
   * is what `@codetether/server` reads. Use {@link CodexProviderError.resetsAtMs} for milliseconds,
   * e.g. `new Date(error.resetsAtMs)`.
   */
  readonly resetsAt?: number;
  /** When a usage limit resets, in epoch **milliseconds** (`new Date(error.resetsAtMs)` works). */
  readonly resetsAtMs?: number;
  /** How long the server asked us to wait before retrying, in seconds. */
  readonly retryAfterSeconds?: number;
  /** The request id the server gave, to quote when reporting a problem. */
  readonly requestId?: string;

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
    if (options.resetsAtMs !== undefined) {
      this.resetsAtMs = options.resetsAtMs;
      this.resetsAt = Math.ceil(options.resetsAtMs / 1000);
    } else if (options.resetsAt !== undefined) {
      this.resetsAt = options.resetsAt;
      this.resetsAtMs = options.resetsAt * 1000;
    }
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
    if (options.requestId !== undefined) this.requestId = options.requestId;
  }
}

/** True when `value` is a {@link CodexProviderError}. */
export function isCodexProviderError(value: unknown): value is CodexProviderError {
  return value instanceof CodexProviderError;
}
