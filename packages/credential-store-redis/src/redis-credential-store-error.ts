/** Every failure a {@link RedisCredentialStoreError} can carry. */
export type RedisCredentialStoreErrorCode =
  /** Redis could not be reached, refused the connection, timed out or dropped it. */
  | 'store-unavailable'
  /** The store URL is malformed, or Redis refused its password or database number. */
  | 'store-misconfigured'
  /** A write lost its compare-and-set: the login changed since it was read. */
  | 'write-conflict';

/** Options of the {@link RedisCredentialStoreError} constructor. */
export interface RedisCredentialStoreErrorOptions {
  /** The underlying error (never holds the URL's password: connection options are passed separately). */
  cause?: unknown;
  /** Whether trying again (without user action) may succeed. Default: true for `store-unavailable`. */
  isRetryable?: boolean;
}

/**
 * The one error class of `@codetether/credential-store-redis`. `code` says what went wrong; the message
 * says what happened and what to do, in one line, and never contains a password or a token. (A corrupt
 * login and a lock wait that timed out are reported with oauth-pkce's `OAuthError` codes
 * `credentials-corrupt` and `lock-failed`, as the file store reports them.)
 */
export class RedisCredentialStoreError extends Error {
  /** The failure reason. */
  readonly code: RedisCredentialStoreErrorCode;
  /** Whether trying again (without user action) may succeed. */
  readonly isRetryable: boolean;

  /**
   * @param code - the failure reason
   * @param message - what happened and what to do (never a password or token)
   * @param options - cause and retryability
   */
  constructor(
    code: RedisCredentialStoreErrorCode,
    message: string,
    options: RedisCredentialStoreErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RedisCredentialStoreError';
    this.code = code;
    this.isRetryable = options.isRetryable ?? code === 'store-unavailable';
  }
}

/**
 * Tells whether a value is a {@link RedisCredentialStoreError}, optionally with a given code.
 *
 * @param value - any value
 * @param code - when given, the error must also have this code
 */
export function isRedisCredentialStoreError(
  value: unknown,
  code?: RedisCredentialStoreErrorCode,
): value is RedisCredentialStoreError {
  return value instanceof RedisCredentialStoreError && (code === undefined || value.code === code);
}
