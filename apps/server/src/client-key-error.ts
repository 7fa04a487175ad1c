/** What went wrong with a client key or the client key file. */
export type ClientKeyErrorCode =
  | 'client_key_name_invalid'
  | 'client_key_exists'
  | 'client_key_not_found'
  | 'client_key_file_unreadable'
  | 'client_key_file_unwritable';

/** A client key could not be created, found, revoked, read or stored; the message says what to do. */
export class ClientKeyError extends Error {
  /** What went wrong. */
  readonly code: ClientKeyErrorCode;

  /**
   * @param code - what went wrong
   * @param message - what happened and what the user should do
   * @param options - the underlying error, if any
   */
  constructor(code: ClientKeyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ClientKeyError';
    this.code = code;
  }
}
