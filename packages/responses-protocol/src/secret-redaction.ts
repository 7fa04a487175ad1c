/**
 * Secret redaction, the one implementation every CodeTether package uses (transports, provider,
 * emulator recordings, gateway logs). Pure: no Node API, so it runs in browsers and edge runtimes too.
 *
 * The output format:
 *
 * - a credential is replaced by {@link REDACTED} (`[redacted]`);
 * - the word that says what kind of credential it was stays: `Bearer [redacted]`, `Basic [redacted]`,
 *   `sk-[redacted]` (an OpenAI API key); a JWT becomes `[redacted]`;
 * - a known secret value (the token or key that was sent) becomes `[redacted]` wherever it appears.
 *
 * What counts as credential-shaped: `Bearer` or `Basic` followed by at least 12 token characters,
 * `sk-` followed by at least 12 key characters, and `eyJ….….…` (a JWT). Real credentials are longer;
 * shorter tails are prose and placeholders ("Bearer auth", "Bearer YOUR_KEY", "sk-short") and are
 * left alone. The exact values that were sent are removed whatever their shape.
 */

/** The text that replaces every secret. */
export const REDACTED = '[redacted]';

/** Names (lower-case) of request headers whose whole value is a credential. */
export const SECRET_HEADER_NAMES: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'openai-api-key',
]);

/** Known secret values shorter than this are ignored: replacing them would mangle ordinary text. */
const MIN_SECRET_LENGTH = 4;
/** Query values shorter than this are ids, flags or versions, not credentials. */
const MIN_QUERY_SECRET_LENGTH = 8;

/** `Bearer <token68>` / `Basic <token68>`; the scheme word is kept. */
const SCHEME_CREDENTIAL_PATTERN = /\b(Bearer|Basic)(\s+)[A-Za-z0-9._~+/-]{12,}=*/gi;
/** An OpenAI API key (`sk-…`, `sk-proj-…`); the `sk-` prefix is kept. */
const API_KEY_PATTERN = /\bsk-[A-Za-z0-9_-]{12,}/g;
/** A JWT (access or id token): three base64url segments, the first starting with `eyJ`. */
const JWT_PATTERN = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
/** A header value made of an authentication scheme and a credential. */
const SCHEME_VALUE_PATTERN = /^(Bearer|Basic)\s+\S/i;
/** Any `<scheme> <credential>` header value (the credential part is what a server may echo). */
const ANY_SCHEME_VALUE_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*\s+(\S.*)$/;

/**
 * Replaces the known `secrets` (exact values, longest first) and anything credential-shaped in `text`
 * (see the module comment for the format).
 *
 * @param text - text from a server, a lower layer or a request that may end up in a message or a log
 * @param secrets - exact values to remove, e.g. from {@link collectRequestSecrets}; values shorter
 *   than 4 characters are ignored
 * @returns the text with every secret replaced
 *
 * @example
 * ```ts
 * redactSecrets('Authorization: Bearer abc.def.ghi.jkl'); // 'Authorization: Bearer [redacted]'
 * redactSecrets('Incorrect API key provided: sk-proj-12345678'); // 'Incorrect API key provided: sk-[redacted]'
 * ```
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let redacted = text;
  for (const secret of [...secrets].sort((left, right) => right.length - left.length)) {
    if (secret.length >= MIN_SECRET_LENGTH) redacted = redacted.split(secret).join(REDACTED);
  }
  return redacted
    .replace(SCHEME_CREDENTIAL_PATTERN, `$1$2${REDACTED}`)
    .replace(API_KEY_PATTERN, `sk-${REDACTED}`)
    .replace(JWT_PATTERN, REDACTED);
}

/**
 * Redacts a value that is a credential as a whole (a credential header, a `token` field): `Bearer …`
 * and `Basic …` keep their scheme word (`Bearer [redacted]`), anything else becomes `[redacted]`.
 *
 * @param value - the credential
 */
export function redactCredential(value: string): string {
  const scheme = SCHEME_VALUE_PATTERN.exec(value)?.[1];
  return scheme === undefined ? REDACTED : `${scheme} ${REDACTED}`;
}

/**
 * Returns a copy of `headers` with every credential header ({@link SECRET_HEADER_NAMES}) redacted by
 * {@link redactCredential} and credential-shaped text in the others by `redactText`.
 *
 * @param headers - request or response headers (any case)
 * @param redactText - redacts the value of a header that is not a credential (default
 *   {@link redactSecrets}; pass one that also knows your own token shapes)
 */
export function redactHeaders(
  headers: Record<string, string>,
  redactText: (text: string) => string = (text) => redactSecrets(text),
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    result[name] = SECRET_HEADER_NAMES.has(name.toLowerCase()) ? redactCredential(value) : redactText(value);
  }
  return result;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function headerSecrets(name: string, value: string): string[] {
  if (name === 'cookie' || name === 'set-cookie') {
    const values = value.split(';').map((pair) => pair.slice(pair.indexOf('=') + 1).trim());
    return [value, ...values];
  }
  // Only the credential of `Bearer <credential>`, so an echo reads `Bearer [redacted]`.
  const credential = ANY_SCHEME_VALUE_PATTERN.exec(value)?.[1]?.trim();
  return [credential ?? value];
}

/**
 * The secret values of one request, longest first, to pass to {@link redactSecrets}: the values of
 * its credential headers (only the credential after a scheme word such as `Bearer`, each cookie
 * value), the URL's user name and password, and every query value of 8 characters or more
 * (`?api_key=…`, signatures), plain and percent-encoded. A server may echo any of them back.
 *
 * @param headers - the request headers
 * @param url - the request URL, when there is one
 */
export function collectRequestSecrets(headers: Record<string, string>, url?: string): string[] {
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const lowerCaseName = name.toLowerCase();
    if (!SECRET_HEADER_NAMES.has(lowerCaseName) || typeof value !== 'string') continue;
    secrets.push(...headerSecrets(lowerCaseName, value));
  }
  if (url !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      // Not a URL: the transport reports that without echoing it.
    }
    if (parsed !== undefined) {
      for (const value of [parsed.password, parsed.username]) secrets.push(value, safeDecode(value));
      parsed.searchParams.forEach((value) => {
        if (value.length >= MIN_QUERY_SECRET_LENGTH) secrets.push(value, encodeURIComponent(value));
      });
    }
  }
  return [...new Set(secrets)]
    .filter((secret) => secret.length >= MIN_SECRET_LENGTH)
    .sort((left, right) => right.length - left.length);
}

/**
 * Scrubs `secrets` (and anything credential-shaped) from every text field of an error about to
 * reach a caller — `message`, `stack` and own string fields such as `serverMessage`, `closeReason`
 * or `requestId` (a hostile server may echo a token in any of them); `name` and `code` are left as
 * they are. Returns the same error.
 *
 * @param error - the error to scrub in place
 * @param secrets - exact values to remove, e.g. from {@link collectRequestSecrets}
 */
export function redactErrorInPlace<T extends Error>(error: T, secrets: readonly string[]): T {
  const record = error as unknown as Record<string, unknown>;
  const keys = new Set(['message', ...Object.getOwnPropertyNames(error)]);
  for (const key of keys) {
    if (key === 'name' || key === 'code') continue;
    const value = record[key];
    if (typeof value !== 'string') continue;
    const redacted = redactSecrets(value, secrets);
    if (redacted !== value) {
      Object.defineProperty(error, key, { value: redacted, writable: true, configurable: true });
    }
  }
  return error;
}
