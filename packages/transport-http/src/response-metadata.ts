import type { FetchResponseLike } from './transport-types.js';

/** Copies response headers into a plain record with lower-cased names. */
export function headersToRecord(headers: FetchResponseLike['headers']): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((value, name) => {
    record[name.toLowerCase()] = value;
  });
  return record;
}

/**
 * Copies Node-style response headers (undici `request()`: lower-cased names, repeated ones as
 * arrays) into a plain record; repeated values are joined with `, ` as `fetch` does.
 */
export function incomingHeadersToRecord(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    record[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return record;
}
