import type { IncomingMessage, ServerResponse } from 'node:http';
import { isJsonNestedDeeperThan } from '@codetether/responses-protocol';

/** Default largest request body accepted (bytes). Larger bodies get 413. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

/** Bytes read and dropped past the limit (on top of the limit itself) before the connection is cut. */
const DISCARD_ALLOWANCE_BYTES = 4 * 1024 * 1024;

/**
 * The deepest nesting of arrays and objects a JSON body or frame may have. Deeper JSON is refused as
 * invalid before it is parsed: every recursive walk over a body (the redacting recorder, request
 * analysis) would otherwise overflow the stack on a `[[[[…]]]]` of a few hundred thousand levels.
 */
export const MAX_JSON_DEPTH = 256;

/** A parsed request body. */
export type ParsedBody =
  | { kind: 'empty' }
  | { kind: 'json'; value: unknown }
  | { kind: 'form'; value: Record<string, string> }
  | { kind: 'invalid'; reason: string }
  | { kind: 'too-large' };

/** A parsed request body with the number of bytes received for it. */
export type ReceivedBody = ParsedBody & {
  /** Bytes of body received (for a `too-large` body, what was read before giving up). */
  bytes: number;
};

/**
 * Reads and parses a request body: JSON (`application/json` or anything that looks like JSON) or form
 * fields (`application/x-www-form-urlencoded`).
 *
 * @param request - the incoming request
 * @param maxBytes - largest body accepted; a larger one is `too-large` (default {@link MAX_BODY_BYTES})
 */
export async function readBody(request: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<ReceivedBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size <= maxBytes) {
      chunks.push(buffer);
      continue;
    }
    // Over the limit: keep reading (and dropping) a moderate overshoot so the client finishes its
    // upload and reliably reads the 413; give up on the connection beyond that.
    chunks.length = 0;
    if (size > maxBytes * 2 + DISCARD_ALLOWANCE_BYTES) return { kind: 'too-large', bytes: size };
  }
  if (size > maxBytes) return { kind: 'too-large', bytes: size };
  const text = Buffer.concat(chunks).toString('utf8');
  return { ...parseBodyText(text, request.headers['content-type']), bytes: size };
}

/**
 * Parses body text according to its content type. JSON nested deeper than {@link MAX_JSON_DEPTH} is
 * `invalid`.
 *
 * @param text - the raw body
 * @param contentType - the `content-type` header
 */
export function parseBodyText(text: string, contentType: string | undefined): ParsedBody {
  if (text.trim() === '') return { kind: 'empty' };
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('application/x-www-form-urlencoded')) {
    return { kind: 'form', value: Object.fromEntries(new URLSearchParams(text)) };
  }
  if (isJsonNestedDeeperThan(text, MAX_JSON_DEPTH)) {
    return { kind: 'invalid', reason: `the JSON is nested more than ${MAX_JSON_DEPTH} levels deep` };
  }
  try {
    return { kind: 'json', value: JSON.parse(text) as unknown };
  } catch (error) {
    return { kind: 'invalid', reason: error instanceof Error ? error.message : String(error) };
  }
}

/** The fields of a JSON object or form body (empty for anything else). */
export function bodyFields(body: ParsedBody): Record<string, unknown> {
  if (body.kind === 'form') return body.value;
  if (
    body.kind === 'json' &&
    typeof body.value === 'object' &&
    body.value !== null &&
    !Array.isArray(body.value)
  ) {
    return body.value as Record<string, unknown>;
  }
  return {};
}

/** The body value as recorded (parsed JSON, form fields, or undefined). */
export function bodyValue(body: ParsedBody): unknown {
  if (body.kind === 'json' || body.kind === 'form') return body.value;
  return undefined;
}

/**
 * Sends a JSON response.
 *
 * @param response - the server response
 * @param status - HTTP status
 * @param body - JSON value
 * @param headers - extra headers
 */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

/**
 * Sends an HTML page.
 *
 * @param response - the server response
 * @param status - HTTP status
 * @param html - the page
 */
export function sendHtml(response: ServerResponse, status: number, html: string): void {
  response.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
  });
  response.end(html);
}

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** Lower-cased request headers as single strings (repeated headers joined with `, `). */
export function flattenHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    result[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return result;
}

/** A single header value (first one when repeated). */
export function headerValue(headers: IncomingMessage['headers'], name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The bearer token of an `Authorization` header, if any. */
export function bearerToken(headers: IncomingMessage['headers']): string | undefined {
  const authorization = headerValue(headers, 'authorization');
  if (authorization === undefined) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
  const token = match?.[1]?.trim();
  return token === undefined || token === '' ? undefined : token;
}

/**
 * The path and query of a request target. A target `URL` cannot parse (e.g. a malformed absolute
 * form such as `http://[bad/x`) gives `undefined`, so callers answer 400 instead of throwing.
 *
 * @param rawUrl - `request.url`
 */
export function parseRequestTarget(rawUrl: string | undefined): URL | undefined {
  try {
    return new URL(rawUrl ?? '/', 'http://emulator');
  } catch {
    return undefined;
  }
}
