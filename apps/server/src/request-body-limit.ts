import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

/**
 * Creates the middleware that refuses request bodies over `maxBytes`.
 *
 * A body with a `Content-Length` (and no `Transfer-Encoding`) is checked against its declared length,
 * which the HTTP parser enforces, so the body is later read straight from the socket. Only chunked
 * bodies go through Hono's counting `bodyLimit`, which has to re-wrap the request in a web stream (a
 * cost worth avoiding on every chat request).
 *
 * @param maxBytes - the largest accepted body in bytes
 * @param onTooLarge - throws the error for a body over the limit
 */
export function createRequestBodyLimit(maxBytes: number, onTooLarge: () => never): MiddlewareHandler {
  const countingLimit = bodyLimit({ maxSize: maxBytes, onError: onTooLarge });
  return async (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD') return next();
    const declaredLength = c.req.header('content-length');
    if (declaredLength !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (Number.parseInt(declaredLength, 10) > maxBytes) onTooLarge();
      return next();
    }
    return countingLimit(c, next);
  };
}
