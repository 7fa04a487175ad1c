import type { IncomingHttpHeaders } from 'node:http';

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
