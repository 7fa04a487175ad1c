import type { RecordedRequest } from './types.js';

/** Text that replaces every secret in recorded requests. */
export const REDACTED = '[redacted]';

const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'openai-api-key',
]);

const SECRET_FIELDS = new Set([
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
  'api_key',
]);

/**
 * Returns a copy of the headers with secrets replaced. The `authorization` header keeps its scheme
 * (`Bearer [redacted]`) so tests can see that one was sent.
 *
 * @param headers - lower-cased headers
 */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!SECRET_HEADERS.has(name)) {
      result[name] = value;
      continue;
    }
    const scheme = /^(\w+)\s+/.exec(value)?.[1];
    result[name] = name === 'authorization' && scheme !== undefined ? `${scheme} ${REDACTED}` : REDACTED;
  }
  return result;
}

/**
 * Returns a copy of a body (JSON value or form fields) with secret fields replaced, at any depth.
 *
 * @param body - parsed body
 */
export function redactBody(body: unknown): unknown {
  if (Array.isArray(body)) return body.map((entry) => redactBody(entry));
  if (typeof body !== 'object' || body === null) return body;
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) {
    result[name] = SECRET_FIELDS.has(name) && typeof value === 'string' ? REDACTED : redactBody(value);
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

/**
 * Creates a recorder.
 *
 * @param maxRecordedRequests - reads the current cap
 */
export function createRequestRecorder(maxRecordedRequests: () => number): RequestRecorder {
  const requests: RecordedRequest[] = [];
  return {
    requests,
    record(request) {
      const redacted: RecordedRequest = {
        ...request,
        headers: redactHeaders(request.headers),
        query: redactBody(request.query) as Record<string, string>,
        body: redactBody(request.body),
      };
      requests.push(redacted);
      const excess = requests.length - Math.max(0, maxRecordedRequests());
      if (excess > 0) requests.splice(0, excess);
    },
    clear() {
      requests.length = 0;
    },
  };
}
