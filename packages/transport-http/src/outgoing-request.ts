import type { TransportRequest } from '@codetether/responses-protocol';
import { HttpTransportError } from './http-transport-error.js';

/** An HTTP header name (an RFC 9110 token). */
const HEADER_NAME_PATTERN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function invalidRequestError(message: string, cause?: unknown): HttpTransportError {
  return new HttpTransportError('invalid-request', message, {
    ...(cause === undefined ? {} : { cause }),
    isRetryable: false,
    fallbackSafe: true,
  });
}

/**
 * Checks the URL and the headers and serialises the body; a request that cannot be sent fails with
 * `invalid-request` (never retried, and safe to send over another transport after fixing it).
 *
 * @param request - the caller's request
 * @returns the JSON body
 */
export function serializeRequest(request: TransportRequest): string {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    // No cause: URL's TypeError carries the whole input, which may hold a token in its query.
    throw invalidRequestError(
      'The request URL is not a valid absolute URL. Pass the full endpoint, e.g. https://api.openai.com/v1/responses.',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidRequestError(
      `The request URL uses ${url.protocol} but the HTTP transport needs http: or https:.`,
    );
  }
  for (const [name, value] of Object.entries(request.headers)) {
    // Checked here, not by undici: its TypeError quotes the value (a token) and would be retried.
    if (!HEADER_NAME_PATTERN.test(name)) {
      throw invalidRequestError(
        `The request header name ${JSON.stringify(name.slice(0, 64))} is not a valid HTTP header name. Remove or rename it.`,
      );
    }
    if (typeof value !== 'string' || /[\r\n\0]/.test(value)) {
      throw invalidRequestError(
        `The value of request header '${name}' is not a single-line string (it has a line break or NUL, or is not a string). Check how it was built.`,
      );
    }
  }
  try {
    return JSON.stringify(request.body);
  } catch (cause) {
    throw invalidRequestError(
      `The request body cannot be serialised as JSON (${cause instanceof Error ? cause.message : String(cause)}). Remove circular references and BigInt values.`,
      cause,
    );
  }
}

/**
 * The caller's headers plus `content-type: application/json`, `accept: text/event-stream` and
 * `accept-encoding: identity` for each the caller did not set (names compared case-insensitively).
 * Without `accept-encoding` any coding would be allowed (RFC 9110 §12.5.3), and an injected `fetch`
 * may not decode one (the undici sender does).
 *
 * @param headers - the caller's headers
 */
export function withDefaultHeaders(headers: Record<string, string>): Record<string, string> {
  const present = new Set(Object.keys(headers).map((name) => name.toLowerCase()));
  const merged: Record<string, string> = {};
  if (!present.has('content-type')) merged['content-type'] = 'application/json';
  if (!present.has('accept')) merged.accept = 'text/event-stream';
  if (!present.has('accept-encoding')) merged['accept-encoding'] = 'identity';
  return Object.assign(merged, headers);
}

/**
 * The URL's origin (no path or query, so no token), for messages; `the server` when it cannot be parsed.
 *
 * @param url - the request URL
 */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the server';
  }
}
