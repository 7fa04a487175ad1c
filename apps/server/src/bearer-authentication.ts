import { hash, timingSafeEqual } from 'node:crypto';
import { GatewayError } from './openai-error.js';

/** The SHA-256 of a key (what keys are compared by, in constant time). */
export function digestOfKey(value: string): Buffer {
  return hash('sha256', value, 'buffer');
}

// Why not hono's `bearerAuth` (hono/bearer-auth): it compares in constant time too, and its error
// bodies can be made OpenAI-shaped, but before comparing it refuses any token outside RFC 6750's
// b64token characters (`[A-Za-z0-9._~+/-]+=*`) with a 400. A CODETETHER_SERVER_API_KEY such as
// `my!key` or `pa$$word` works today and would then always fail, and a non-Bearer header would get a
// 400 instead of OpenAI's 401 `missing_api_key`. These dozen lines keep both.

/**
 * Creates a checker that compares a request's `Authorization` header with `Bearer <apiKey>` in
 * constant time (SHA-256 of both, then `timingSafeEqual`, so neither length nor content leaks).
 *
 * @param apiKey - the server key clients must present
 * @returns a function that throws a 401 {@link GatewayError} unless the header carries the key
 */
export function createBearerAuthenticator(apiKey: string): (authorization: string | undefined) => void {
  if (apiKey === '') throw new TypeError('The server API key must not be empty.');
  const expected = digestOfKey(apiKey);
  return (authorization) => {
    if (!timingSafeEqual(digestOfKey(bearerKeyOf(authorization)), expected)) throw incorrectKeyError();
  };
}

/**
 * The key of a `Bearer <key>` header.
 *
 * @param authorization - the request's `Authorization` header
 * @throws a 401 {@link GatewayError} `missing_api_key` when there is none
 */
export function bearerKeyOf(authorization: string | undefined): string {
  const match = authorization === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  if (match === null) {
    throw new GatewayError(
      401,
      'invalid_request_error',
      "You didn't provide an API key. Send the gateway's key as `Authorization: Bearer <key>` (see CODETETHER_SERVER_API_KEY).",
      { code: 'missing_api_key' },
    );
  }
  return match[1] ?? '';
}

/** The 401 `invalid_api_key` for a key the gateway does not know (or a revoked one). */
export function incorrectKeyError(): GatewayError {
  return new GatewayError(
    401,
    'invalid_request_error',
    'Incorrect API key provided. Use the key the gateway printed on first start (stored under CODETETHER_HOME), CODETETHER_SERVER_API_KEY, or a key from `codetether-server keys create`.',
    { code: 'invalid_api_key' },
  );
}
