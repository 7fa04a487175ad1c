/**
 * Reads how long the server asked to wait before retrying, in milliseconds: `retry-after-ms`
 * (milliseconds), else `Retry-After` as delta-seconds (decimals allowed) or an HTTP date relative
 * to `now`. Returns `undefined` when neither header is present or readable; never negative.
 *
 * @param headers - lower-cased response headers
 * @param now - current time, epoch ms
 */
export function parseRetryAfterMs(headers: Record<string, string>, now: number): number | undefined {
  const milliseconds = headers['retry-after-ms']?.trim();
  if (milliseconds !== undefined && /^\d+(\.\d+)?$/.test(milliseconds)) {
    return Math.max(0, Math.ceil(Number(milliseconds)));
  }
  const value = headers['retry-after']?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.max(0, Math.ceil(Number(value) * 1000));
  // An HTTP date always names its month; this also keeps `Date.parse` from reading `-5` as a year.
  if (!/[a-z]/i.test(value)) return undefined;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
