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

/** Replaces known secret values and anything that looks like a bearer token, API key or JWT with `[redacted]`. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let redacted = text;
  for (const secret of secrets) redacted = redacted.split(secret).join('[redacted]');
  for (const pattern of SECRET_PATTERNS) redacted = redacted.replace(pattern, '[redacted]');
  return redacted;
}
