import { createHash, randomBytes } from 'node:crypto';

/** base64url(SHA-256(verifier)) — the S256 code challenge of RFC 7636. */
export function s256Challenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** A fresh PKCE pair (used by the device-code flow, which hands the verifier to the client). */
export function createPkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: s256Challenge(verifier) };
}
