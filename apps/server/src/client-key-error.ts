/** What went wrong with a client key or the client key file. */
export type ClientKeyErrorCode =
  | 'client_key_name_invalid'
  | 'client_key_exists'
  | 'client_key_not_found'
  | 'client_key_file_unreadable'
  | 'client_key_file_unwritable'
  /** The key file is over `CLIENT_KEYS_FILE_MAX_BYTES` (16 MiB), or a new key would make it so. */
  | 'client_key_file_too_large'
  /** Another `keys` command held the key file's lock too long (retryable). */
  | 'client_key_file_busy'
  /** The shared key store (Redis, `CODETETHER_STORE`) is down, unreachable or refused the URL's password. */
  | 'client_key_store_unavailable';

/**
 * A client key could not be created, found, revoked, read or stored; the message says what to do.
 * `isRetryable` is true when trying again without user action may succeed (the shared store was down).
 */
export class ClientKeyError extends Error {
  /** What went wrong. */
  readonly code: ClientKeyErrorCode;
  /** Whether trying again (without user action) may succeed. */
  readonly isRetryable: boolean;

  /**
   * @param code - what went wrong
   * @param message - what happened and what the user should do
   * @param options - the underlying error, if any, and whether a retry may succeed (default: false)
   */
  constructor(
    code: ClientKeyErrorCode,
    message: string,
    options?: { cause?: unknown; isRetryable?: boolean },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ClientKeyError';
    this.code = code;
    this.isRetryable = options?.isRetryable ?? false;
  }
}
