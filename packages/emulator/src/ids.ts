import { randomBytes } from 'node:crypto';

/**
 * Creates a random id with a prefix, shaped like the real services' ids (`resp_…`, `msg_…`, `call_…`).
 *
 * @param prefix - e.g. `resp`, `msg`, `rs`, `fc`, `call`
 * @param bytes - random bytes (hex encoded)
 */
export function createId(prefix: string, bytes = 12): string {
  return `${prefix}_${randomBytes(bytes).toString('hex')}`;
}

/** Creates an opaque random secret (base64url). */
export function createSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
