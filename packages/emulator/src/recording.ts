import { REDACTED, redactHeaders, redactSecrets } from '@codetether/responses-protocol';
import type { RecordedRequest } from './types.js';

/** Text that replaces every secret in recorded requests (the shared `[redacted]` of responses-protocol). */
export { REDACTED };

/** Body and query field names whose value is secret (compared after {@link normalizeName}). */
const SECRET_FIELDS = new Set(
  [
    'refresh_token',
    'access_token',
    'id_token',
    'code',
    'code_verifier',
    'subject_token',
    'token',
    'client_secret',
    'password',
    'authorization_code',
    'authorization',
    'api_key',
    'openai_api_key',
    'secret',
    'device_auth_id',
  ].map(normalizeName),
);

/** The emulator's own refresh tokens (`rt_…`) and authorization codes (`ac_…`). */
const EMULATOR_SECRET_PATTERN = /\b(?:rt|ac)_[A-Za-z0-9_-]{20,}/g;

/** `Refresh-Token`, `refresh_token` and `refreshToken` all become `refreshtoken`. */
function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

/**
 * Replaces secret-looking values inside free text: what the shared `redactSecrets` recognises
 * (`Bearer [redacted]`, `sk-[redacted]`, JWTs) plus the emulator's own refresh tokens and codes.
 *
 * @param text - any recorded string
 */
export function redactText(text: string): string {
  return redactSecrets(text).replace(EMULATOR_SECRET_PATTERN, REDACTED);
}

/**
 * Returns a copy of the headers with secrets replaced: credential headers (`authorization`, cookies,
 * API-key headers) as a whole, keeping a `Bearer`/`Basic` scheme (`Bearer [redacted]`) so tests can
 * see that one was sent; secret-looking values inside the other headers too.
 *
 * @param headers - lower-cased headers
 */
export function redactRecordedHeaders(headers: Record<string, string>): Record<string, string> {
  return redactHeaders(headers, redactText);
}

/**
 * Returns a copy of a body (JSON value, form fields or raw text) with secrets replaced, at any depth:
 * the values of secret fields (`refresh_token`, `code_verifier`, `subject_token`, `api_key`, … in
 * snake, kebab or camel case) and secret-looking values inside any string.
 *
 * @param body - parsed body
 */
export function redactBody(body: unknown): unknown {
  if (typeof body === 'string') return redactText(body);
  if (Array.isArray(body)) return body.map((entry) => redactBody(entry));
  if (typeof body !== 'object' || body === null) return body;
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) {
    const secret =
      SECRET_FIELDS.has(normalizeName(name)) && (typeof value === 'string' || typeof value === 'number');
    // defineProperty keeps a `__proto__` key of parsed JSON an ordinary field.
    Object.defineProperty(result, name, {
      value: secret ? REDACTED : redactBody(value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return result;
}

/** A bounded, oldest-first list of recorded requests. */
export interface RequestRecorder {
  /** The live list (the same array for the emulator's lifetime). */
  readonly requests: RecordedRequest[];
  /** Adds a request (redacting its headers, query and body), dropping the oldest when full. */
  record(request: RecordedRequest): void;
  /** Empties the list. */
  clear(): void;
}

/** Default byte budget of the recorded bodies and frames: 256 MiB. */
export const DEFAULT_MAX_RECORDED_BYTES = 256 * 1024 * 1024;

/**
 * Creates a recorder. It keeps at most `maxRecordedRequests()` requests and at most
 * `maxRecordedBytes()` of their bodies and frames (their `bytesReceived`), dropping the oldest first;
 * the newest request is always kept, however big.
 *
 * @param maxRecordedRequests - reads the current cap on requests
 * @param maxRecordedBytes - reads the current cap on body bytes (default {@link DEFAULT_MAX_RECORDED_BYTES})
 */
export function createRequestRecorder(
  maxRecordedRequests: () => number,
  maxRecordedBytes: () => number = () => DEFAULT_MAX_RECORDED_BYTES,
): RequestRecorder {
  const requests: RecordedRequest[] = [];
  // The running total of `bytesReceived`; recounted before dropping anything, in case the caller
  // changed the live list.
  let recordedBytes = 0;
  const bytesOf = (request: RecordedRequest | undefined): number => request?.bytesReceived ?? 0;
  return {
    requests,
    record(request) {
      const redacted: RecordedRequest = {
        ...request,
        headers: redactRecordedHeaders(request.headers),
        query: redactBody(request.query) as Record<string, string>,
        body: redactBody(request.body),
      };
      requests.push(redacted);
      const excess = requests.length - Math.max(0, maxRecordedRequests());
      if (excess > 0) requests.splice(0, excess);
      recordedBytes += bytesOf(redacted);
      if (excess <= 0 && recordedBytes <= maxRecordedBytes()) return;
      recordedBytes = requests.reduce((sum, kept) => sum + bytesOf(kept), 0);
      let dropped = 0;
      while (recordedBytes > maxRecordedBytes() && requests.length - dropped > 1) {
        recordedBytes -= bytesOf(requests[dropped]);
        dropped += 1;
      }
      requests.splice(0, dropped);
    },
    clear() {
      requests.length = 0;
      recordedBytes = 0;
    },
  };
}
