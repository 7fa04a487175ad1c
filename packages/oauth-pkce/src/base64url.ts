/**
 * Encodes bytes as base64url without padding (RFC 4648 §5), as PKCE and JWTs use it.
 *
 * @param bytes - the bytes to encode
 */
export function encodeBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/**
 * Decodes base64url (with or without padding) to a UTF-8 string.
 *
 * @param text - base64url text
 */
export function decodeBase64UrlToString(text: string): string {
  return Buffer.from(text, 'base64url').toString('utf8');
}
