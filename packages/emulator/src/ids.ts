import { randomBytes } from 'node:crypto';

/** Random bytes are drawn from the CSPRNG in blocks of this size (one call serves many ids). */
const POOL_BYTES = 4096;
let pool = randomBytes(POOL_BYTES);
let poolOffset = 0;

function takeRandomBytes(count: number): Buffer {
  if (count > POOL_BYTES) return randomBytes(count);
  if (poolOffset + count > POOL_BYTES) {
    pool = randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  const slice = pool.subarray(poolOffset, poolOffset + count);
  poolOffset += count;
  return slice;
}

/**
 * Creates a random id with a prefix, shaped like the real services' ids (`resp_…`, `msg_…`, `call_…`).
 * Ids are not secrets; they come from a pooled CSPRNG buffer for speed.
 *
 * @param prefix - e.g. `resp`, `msg`, `rs`, `fc`, `call`
 * @param bytes - random bytes (hex encoded)
 */
export function createId(prefix: string, bytes = 12): string {
  return `${prefix}_${takeRandomBytes(bytes).toString('hex')}`;
}

/** Creates an opaque random secret (base64url), straight from the CSPRNG. */
export function createSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
