const BEARER_PATTERN = /\b(Bearer)\s+[^\s"',;]+/gi;
const API_KEY_PATTERN = /\bsk-[A-Za-z0-9_-]{6,}/g;
const JWT_PATTERN = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;

/**
 * Removes anything that looks like a credential (bearer tokens, `sk-` keys, JWTs) from text that may
 * end up in an error message or a log.
 *
 * @param text - text from a server or a lower layer
 * @param secrets - exact values to remove too (see {@link collectSecretValues})
 * @returns the text with credentials replaced by `[redacted]`
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let redacted = text;
  for (const secret of secrets) redacted = redacted.split(secret).join('[redacted]');
  return redacted
    .replace(BEARER_PATTERN, '$1 [redacted]')
    .replace(API_KEY_PATTERN, 'sk-[redacted]')
    .replace(JWT_PATTERN, '[redacted]');
}

const SECRET_HEADER_NAMES: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-api-key',
  'api-key',
  'openai-api-key',
]);
/** Query values shorter than this are ids, flags or versions, not credentials. */
const MIN_QUERY_SECRET_LENGTH = 8;

/**
 * The credential values of one request, longest first: the values of credential headers
 * (`Authorization`, cookies, API-key headers) and the bare token after `Bearer `, the URL's user-info,
 * and every query value of 8 characters or more. A server may echo any of them back.
 *
 * @param headers - the caller's handshake headers
 * @param url - the request URL
 */
export function collectSecretValues(headers: Record<string, string>, url: string): string[] {
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (!SECRET_HEADER_NAMES.has(name.toLowerCase()) || typeof value !== 'string' || value === '') continue;
    secrets.push(value);
    const space = value.indexOf(' ');
    if (space > 0 && value.length - space > 4) secrets.push(value.slice(space + 1).trim());
  }
  try {
    const parsed = new URL(url);
    for (const value of [parsed.username, parsed.password]) if (value.length >= 4) secrets.push(value);
    for (const value of parsed.searchParams.values()) {
      if (value.length >= MIN_QUERY_SECRET_LENGTH) secrets.push(value, encodeURIComponent(value));
    }
  } catch {
    // Not a URL: toWebSocketUrl reports it without echoing it.
  }
  return [...new Set(secrets)].sort((left, right) => right.length - left.length);
}

/**
 * Scrubs `secrets` (and anything shaped like a credential) from the text fields of an error about to
 * reach the caller: `message`, `serverMessage`, `closeReason` and `requestId`. Returns the same error.
 *
 * @param error - the error to scrub in place
 * @param secrets - from {@link collectSecretValues}
 */
export function redactErrorInPlace<T extends Error>(error: T, secrets: readonly string[]): T {
  const record = error as unknown as Record<string, unknown>;
  for (const key of ['message', 'serverMessage', 'closeReason', 'requestId']) {
    const value = record[key];
    if (typeof value !== 'string') continue;
    const redacted = redactSecrets(value, secrets);
    if (redacted !== value) {
      Object.defineProperty(error, key, { value: redacted, writable: true, configurable: true });
    }
  }
  return error;
}
