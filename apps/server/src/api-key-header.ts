/**
 * The `Authorization` value a request authenticates with: its own `Authorization` header, else its
 * `x-api-key` header (how Anthropic's clients send a key) as `Bearer <key>`.
 *
 * @param headers - the request headers
 */
export function authorizationOf(headers: Headers): string | undefined {
  const authorization = headers.get('authorization');
  if (authorization !== null) return authorization;
  const apiKey = headers.get('x-api-key')?.trim();
  return apiKey === undefined || apiKey === '' ? undefined : `Bearer ${apiKey}`;
}

/**
 * The request headers with `Authorization` set from `x-api-key` when only that was sent, so the
 * conversation index tells clients apart the same way in every dialect.
 *
 * @param headers - the request headers
 */
export function withAuthorization(headers: Headers): Headers {
  const authorization = authorizationOf(headers);
  if (authorization === undefined || headers.has('authorization')) return headers;
  const copy = new Headers(headers);
  copy.set('authorization', authorization);
  return copy;
}
