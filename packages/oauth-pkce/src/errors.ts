/** Every failure reason an {@link OAuthError} can carry. */
export type OAuthErrorCode =
  | 'not-logged-in'
  | 'refresh-token-rejected'
  | 'refresh-interrupted'
  | 'state-mismatch'
  | 'access-denied'
  | 'login-timeout'
  | 'port-in-use'
  | 'callback-server-error'
  | 'invalid-callback'
  | 'device-code-expired'
  | 'device-code-not-enabled'
  | 'device-code-error'
  | 'token-endpoint-error'
  | 'invalid-token-response'
  | 'credentials-corrupt'
  | 'credentials-io-error'
  | 'file-too-large'
  | 'lock-failed'
  | 'codex-login-not-found'
  | 'network-error'
  | 'aborted'
  | 'invalid-paste'
  | 'invalid-profile';

/** The `error` / `error_description` pair an OAuth issuer answered with. */
export interface IssuerError {
  /** The issuer's machine-readable error, e.g. `invalid_grant` or `refresh_token_reused`. */
  error: string;
  /** The issuer's human-readable explanation, when it gave one. */
  errorDescription?: string;
}

/** Options of the {@link OAuthError} constructor. */
export interface OAuthErrorOptions {
  /** The underlying error. */
  cause?: unknown;
  /** The HTTP status the issuer answered with. */
  status?: number;
  /** Whether trying the same operation again may succeed. Defaults to false. */
  isRetryable?: boolean;
  /** The issuer's error, when it sent one. */
  issuerError?: IssuerError;
  /** The file this error is about (credentials, lock). */
  path?: string;
  /** The size limit the file went over, in bytes (`file-too-large`). */
  maxBytes?: number;
}

/**
 * The single error class of `@codetether/oauth-pkce`. `code` says what went wrong; the message says what
 * happened and what to do. Messages never contain tokens, codes or secrets.
 */
export class OAuthError extends Error {
  /** The failure reason. */
  readonly code: OAuthErrorCode;
  /** The HTTP status the issuer answered with, when there was an answer. */
  readonly status: number | undefined;
  /** Whether trying again (without user action) may succeed. */
  readonly isRetryable: boolean;
  /** The issuer's `error` / `error_description`, when it sent one. */
  readonly issuerError: IssuerError | undefined;
  /** The file this error is about, for credential-store errors. */
  readonly path: string | undefined;
  /** The size limit the file went over, in bytes, for `file-too-large`. */
  readonly maxBytes: number | undefined;

  /**
   * @param code - the failure reason
   * @param message - what happened and what the user should do (never a token)
   * @param options - cause, status, retryability, issuer error, file path and size limit
   */
  constructor(code: OAuthErrorCode, message: string, options: OAuthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OAuthError';
    this.code = code;
    this.status = options.status;
    this.isRetryable = options.isRetryable ?? false;
    this.issuerError = options.issuerError;
    this.path = options.path;
    this.maxBytes = options.maxBytes;
  }
}

/**
 * Tells whether a value is an {@link OAuthError}, optionally with a given code.
 *
 * @param value - any value
 * @param code - when given, the error must also have this code
 */
export function isOAuthError(value: unknown, code?: OAuthErrorCode): value is OAuthError {
  return value instanceof OAuthError && (code === undefined || value.code === code);
}
