import { createHmac, timingSafeEqual } from 'node:crypto';

/** Signs and verifies the emulator's JWTs (HS256 with a per-emulator secret). */
export interface JwtSigner {
  /** Encodes and signs a payload as `header.payload.signature` (base64url). */
  sign(payload: Record<string, unknown>): string;
  /** Returns the payload when the token is a JWT signed by this emulator, otherwise `undefined`. */
  verify(token: string): Record<string, unknown> | undefined;
}

/**
 * Creates a signer with the given secret.
 *
 * @param secret - HMAC key; never logged
 */
export function createJwtSigner(secret: string): JwtSigner {
  const header = Buffer.from(
    JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'codetether-emulator' }),
  ).toString('base64url');
  const signature = (input: string) => createHmac('sha256', secret).update(input).digest();
  return {
    sign(payload) {
      const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
      const signingInput = `${header}.${body}`;
      return `${signingInput}.${signature(signingInput).toString('base64url')}`;
    },
    verify(token) {
      const parts = token.split('.');
      if (parts.length !== 3) return undefined;
      const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
      const expected = signature(`${encodedHeader}.${encodedPayload}`);
      const actual = Buffer.from(encodedSignature, 'base64url');
      if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return undefined;
      try {
        const payload: unknown = JSON.parse(Buffer.from(encodedPayload, 'base64url').toString('utf8'));
        return typeof payload === 'object' && payload !== null && !Array.isArray(payload)
          ? (payload as Record<string, unknown>)
          : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
