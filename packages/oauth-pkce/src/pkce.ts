import { encodeBase64Url } from './base64url.js';

/** A PKCE code verifier and its S256 challenge (RFC 7636). */
export interface PkcePair {
  /** The secret verifier: 43 base64url characters from 32 random bytes. Sent only to the token endpoint. */
  verifier: string;
  /** base64url(SHA-256(verifier)), sent on the authorize URL. */
  challenge: string;
}

/**
 * Fills `length` bytes from the Web Crypto CSPRNG.
 *
 * @param length - number of random bytes
 */
function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  globalThis.crypto.getRandomValues(bytes);
  return bytes;
}

/**
 * Computes the S256 code challenge of a verifier: base64url(SHA-256(ASCII(verifier))).
 *
 * @param verifier - the PKCE code verifier
 */
export async function createCodeChallenge(verifier: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return encodeBase64Url(new Uint8Array(digest));
}

/**
 * Creates a fresh PKCE pair from 32 bytes of Web Crypto randomness (never timestamps or Math.random).
 */
export async function createPkcePair(): Promise<PkcePair> {
  const verifier = encodeBase64Url(randomBytes(32));
  return { verifier, challenge: await createCodeChallenge(verifier) };
}

/**
 * Creates an unguessable OAuth `state` value (32 random bytes, base64url).
 */
export function createState(): string {
  return encodeBase64Url(randomBytes(32));
}
