import type { IncomingHttpHeaders } from 'node:http';

const REQUEST_ID_HEADERS = ['x-request-id', 'request-id', 'x-oai-request-id', 'openai-request-id'];

/**
 * Flattens Node response headers (or a header object from an `error` event) into lower-cased
 * `Record<string, string>`; repeated headers are joined with `, `, non-string values dropped.
 */
export function normalizeHeaders(
  headers: IncomingHttpHeaders | Record<string, unknown> | undefined,
): Record<string, string> {
  const result: Record<string, string> = {};
  if (headers === undefined) return result;
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') result[name.toLowerCase()] = value;
    else if (typeof value === 'number' && Number.isFinite(value)) result[name.toLowerCase()] = String(value);
    else if (Array.isArray(value)) {
      const strings = value.filter((item): item is string => typeof item === 'string');
      if (strings.length > 0) result[name.toLowerCase()] = strings.join(', ');
    }
  }
  return result;
}

/** The request id a server put in its headers (`x-request-id` and its variants), if any. */
export function readRequestId(headers: Record<string, string>): string | undefined {
  for (const name of REQUEST_ID_HEADERS) {
    const value = headers[name];
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

/**
 * Reads `Retry-After` (delta seconds or an HTTP date) as milliseconds from now.
 *
 * @param value - the header value
 * @param now - current time, epoch ms
 * @returns milliseconds (never negative), or undefined when absent or unreadable
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
