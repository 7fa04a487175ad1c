/** The OpenAI auth issuer used by the official Codex CLI. */
export const DEFAULT_ISSUER = 'https://auth.openai.com';

/** The OAuth client id of the official Codex CLI (public client, PKCE only). */
export const CODEX_CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann';

/** The loopback port registered for the Codex client's redirect URI. */
export const DEFAULT_CALLBACK_PORT = 1455;

/** The path of the loopback callback the issuer redirects the browser to. */
export const CALLBACK_PATH = '/auth/callback';

/** The OAuth scopes the official Codex CLI asks for. */
export const DEFAULT_SCOPE = 'openid profile email offline_access';

/** The `originator` value the official Codex CLI sends on the authorize URL. */
export const DEFAULT_ORIGINATOR = 'codex_cli_rs';

/** Access tokens are refreshed when they expire within this many milliseconds (5 minutes). */
export const DEFAULT_REFRESH_WINDOW_MS = 5 * 60 * 1000;

/** How long the browser login waits for the callback before giving up (5 minutes). */
export const DEFAULT_LOGIN_TIMEOUT_MS = 5 * 60 * 1000;

/** How long a device code lasts when the issuer does not say (15 minutes). */
export const DEFAULT_DEVICE_CODE_LIFETIME_MS = 15 * 60 * 1000;

/**
 * Builds the redirect URI for a loopback port: `http://localhost:<port>/auth/callback`.
 *
 * @param port - the loopback port (the real issuer accepts only 1455)
 */
export function loopbackRedirectUri(port: number = DEFAULT_CALLBACK_PORT): string {
  return `http://localhost:${port}${CALLBACK_PATH}`;
}

/**
 * Removes trailing slashes from an issuer URL so endpoint paths can be appended.
 *
 * @param issuer - the issuer base URL
 */
export function normalizeIssuer(issuer: string = DEFAULT_ISSUER): string {
  return issuer.replace(/\/+$/, '');
}
