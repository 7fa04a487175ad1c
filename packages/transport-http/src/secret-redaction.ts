const SECRET_PATTERNS: readonly RegExp[] = [
  /\bBearer\s+[^\s,;"']+/gi,
  /\bBasic\s+[A-Za-z0-9+/=]{8,}/gi,
  /\bsk-[A-Za-z0-9_*-]{6,}/g,
  /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
];

const SECRET_HEADER_NAMES: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-api-key',
  'api-key',
  'openai-api-key',
]);

/**
 * Collects the values of credential headers (`Authorization`, cookies, API keys) so they can be
 * scrubbed from any text that might echo them, including the bare token after `Bearer `.
 */
export function collectSecretValues(headers: Record<string, string>): string[] {
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (!SECRET_HEADER_NAMES.has(name.toLowerCase()) || value === '') continue;
    secrets.push(value);
    const space = value.indexOf(' ');
    if (space > 0) {
      const credential = value.slice(space + 1).trim();
      if (credential.length >= 4) secrets.push(credential);
    }
  }
  return secrets.sort((left, right) => right.length - left.length);
}

/** Query values shorter than this are not treated as secrets (they are ids, flags, versions). */
const MIN_QUERY_SECRET_LENGTH = 8;

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Collects the values in a URL that may be credentials: the user-info password and user name, and
 * every query parameter value of 8 characters or more (`?api_key=…`, `?token=…`, signatures). The
 * transport never puts the URL's path or query in a message, but a server may echo them back.
 */
export function collectUrlSecretValues(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [];
  }
  const secrets: string[] = [];
  for (const value of [parsed.password, parsed.username]) {
    if (value.length >= 4) secrets.push(value, safeDecode(value));
  }
  for (const value of parsed.searchParams.values()) {
    if (value.length >= MIN_QUERY_SECRET_LENGTH) secrets.push(value, encodeURIComponent(value));
  }
  return [...new Set(secrets)].sort((left, right) => right.length - left.length);
}

/** Replaces known secret values and anything that looks like a bearer token, API key or JWT with `[redacted]`. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let redacted = text;
  for (const secret of secrets) redacted = redacted.split(secret).join('[redacted]');
  for (const pattern of SECRET_PATTERNS) redacted = redacted.replace(pattern, '[redacted]');
  return redacted;
}

/**
 * Scrubs `secrets` (and anything shaped like a credential) from the text fields of an error the
 * transport is about to throw: `message`, `serverMessage` and `requestId` (a hostile server may echo
 * a token in any of them). Returns the same error.
 */
export function redactErrorInPlace<T extends Error>(error: T, secrets: readonly string[]): T {
  const record = error as unknown as Record<string, unknown>;
  for (const key of ['message', 'serverMessage', 'requestId']) {
    const value = record[key];
    if (typeof value !== 'string') continue;
    const redacted = redactSecrets(value, secrets);
    if (redacted !== value) {
      Object.defineProperty(error, key, { value: redacted, writable: true, configurable: true });
    }
  }
  return error;
}
