/** Default OAuth issuer. */
export const DEFAULT_AUTH_ISSUER = 'https://auth.openai.com';
/** Default ChatGPT Codex backend. */
export const DEFAULT_CHATGPT_BASE_URL = 'https://chatgpt.com/backend-api/codex';
/** Default OpenAI API base URL. */
export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';

/** The endpoints the CLI talks to, from the `CODETETHER_*` variables of ARCHITECTURE.md. */
export interface CliEndpoints {
  /** `CODETETHER_AUTH_ISSUER`. */
  issuer: string;
  /** `CODETETHER_CHATGPT_BASE_URL`. */
  chatgptBaseUrl: string;
  /** `CODETETHER_OPENAI_BASE_URL`. */
  openaiBaseUrl: string;
}

function setting(value: string | undefined, fallback: string): string {
  const trimmed = value?.trim();
  return (trimmed === undefined || trimmed === '' ? fallback : trimmed).replace(/\/+$/, '');
}

/**
 * Reads the endpoints from the environment (same names and defaults as the provider uses), without
 * loading the provider: the auth commands stay light.
 *
 * @param env - the environment
 */
export function readEndpoints(env: Record<string, string | undefined>): CliEndpoints {
  return {
    issuer: setting(env.CODETETHER_AUTH_ISSUER, DEFAULT_AUTH_ISSUER),
    chatgptBaseUrl: setting(env.CODETETHER_CHATGPT_BASE_URL, DEFAULT_CHATGPT_BASE_URL),
    openaiBaseUrl: setting(env.CODETETHER_OPENAI_BASE_URL, DEFAULT_OPENAI_BASE_URL),
  };
}

/**
 * True when `OPENAI_API_KEY` holds a value (the value itself is never shown).
 *
 * @param env - the environment
 */
export function hasApiKey(env: Record<string, string | undefined>): boolean {
  return (env.OPENAI_API_KEY?.trim() ?? '') !== '';
}
