const BEARER_PATTERN = /\b(Bearer)\s+[^\s"',;]+/gi;
const API_KEY_PATTERN = /\bsk-[A-Za-z0-9_-]{6,}/g;
const JWT_PATTERN = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;

/**
 * Removes anything that looks like a credential (bearer tokens, `sk-` keys, JWTs) from text that may
 * end up in an error message or a log.
 *
 * @param text - text from a server or a lower layer
 * @returns the text with credentials replaced by `[redacted]`
 */
export function redactSecrets(text: string): string {
  return text
    .replace(BEARER_PATTERN, '$1 [redacted]')
    .replace(API_KEY_PATTERN, 'sk-[redacted]')
    .replace(JWT_PATTERN, '[redacted]');
}
