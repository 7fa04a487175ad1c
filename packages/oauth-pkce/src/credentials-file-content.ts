import {
  checkCredentialsFile,
  fromCredentialsFile,
  type StoredChatGptCredentials,
  toCredentialsFile,
} from './credentials.js';
import { OAuthError } from './errors.js';

function looksLikeCodexCliFile(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  const tokens = record.tokens;
  return (
    'OPENAI_API_KEY' in record ||
    (typeof tokens === 'object' && tokens !== null && ('access_token' in tokens || 'refresh_token' in tokens))
  );
}

/**
 * Parses and validates credentials file content. Throws `credentials-corrupt` (with the path and what to
 * do) for invalid JSON or content that is not a CodeTether login.
 *
 * @param text - the file content
 * @param path - the file path, for messages
 */
export function parseCredentialsFileContent(text: string, path: string): StoredChatGptCredentials {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new OAuthError(
      'credentials-corrupt',
      `The credentials file ${path} is not valid JSON (it is damaged or was edited by hand). CodeTether will not overwrite it: move it away or delete it (\`codetether auth logout\` does), then run \`codetether auth login\`.`,
      { cause: error, path },
    );
  }
  const parsed = checkCredentialsFile(json);
  if (!parsed.success) {
    const hint = looksLikeCodexCliFile(json)
      ? ' It looks like an official Codex CLI auth.json: CODETETHER_HOME must not point at the Codex CLI folder; use `codetether auth import-codex` to copy that login instead.'
      : '';
    const fields = parsed.invalidFields.slice(0, 3).join(', ');
    throw new OAuthError(
      'credentials-corrupt',
      `The file ${path} is not a CodeTether ChatGPT login (unexpected or missing fields: ${fields}).${hint} CodeTether will not overwrite it: move it away or delete it, then run \`codetether auth login\`.`,
      { cause: new Error(`schema mismatch at ${fields}`), path },
    );
  }
  return fromCredentialsFile(parsed.data);
}

/**
 * The credentials file content for `credentials` (pretty JSON with a final newline). Throws a
 * `TypeError` when they are incomplete or invalid.
 *
 * @param credentials - the login to store
 */
export function serializeCredentialsFileContent(credentials: StoredChatGptCredentials): string {
  try {
    return `${JSON.stringify(toCredentialsFile(credentials), null, 2)}\n`;
  } catch (error) {
    throw new TypeError(
      'The credentials to store are incomplete or invalid (tokens, lastRefreshAt, source).',
      {
        cause: error,
      },
    );
  }
}
