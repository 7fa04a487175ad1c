import type { RecordedRequest } from './types.js';

/** Text that replaces every secret in recorded requests. */
export const REDACTED = '[redacted]';

/** Header names whose whole value is secret (compared after {@link normalizeName}). */
const SECRET_HEADERS = new Set(
  [
    'authorization',
    'proxy-authorization',
    'cookie',
    'set-cookie',
    'x-api-key',
    'api-key',
    'openai-api-key',
  ].map(normalizeName),
);

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

/**
 * Secret-looking values anywhere in a string: bearer credentials, JWTs, `sk-` API keys and the
 * emulator's own refresh tokens (`rt_…`) and authorization codes (`ac_…`).
 */
const SECRET_VALUE_PATTERN =
  /\b(Bearer)\s+[A-Za-z0-9._~+/=-]{12,}|\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*|\bsk-[A-Za-z0-9_-]{16,}|\b(?:rt|ac)_[A-Za-z0-9_-]{20,}/g;

/** `Refresh-Token`, `refresh_token` and `refreshToken` all become `refreshtoken`. */
function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

/**
 * Replaces secret-looking values inside free text (a bearer credential keeps its scheme).
 *
 * @param text - any recorded string
 */
export function redactText(text: string): string {
  SECRET_VALUE_PATTERN.lastIndex = 0;
  if (!SECRET_VALUE_PATTERN.test(text)) return text;
  return text.replace(SECRET_VALUE_PATTERN, (_match, scheme: string | undefined) =>
    scheme === undefined ? REDACTED : `${scheme} ${REDACTED}`,
  );
}

/**
 * Returns a copy of the headers with secrets replaced. The `authorization` header keeps its scheme
 * (`Bearer [redacted]`) so tests can see that one was sent; other headers have secret-looking values
 * (bearer credentials, JWTs, API keys) replaced.
 *
 * @param headers - lower-cased headers
 */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!SECRET_HEADERS.has(normalizeName(name))) {
      result[name] = redactText(value);
      continue;
    }
    const scheme = /^(\w+)\s+/.exec(value)?.[1];
    result[name] = name === 'authorization' && scheme !== undefined ? `${scheme} ${REDACTED}` : REDACTED;
  }
  return result;
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
