import { buildAuthorizeUrl } from './authorize-url.js';
import { CODEX_CLIENT_ID, DEFAULT_CALLBACK_PORT, DEFAULT_ISSUER, loopbackRedirectUri } from './constants.js';
import { OAuthError } from './errors.js';
import type { FetchFunction } from './http-request.js';
import type { OAuthTokens } from './oauth-tokens.js';
import { createPkcePair, createState } from './pkce.js';
import { exchangeCodeForTokens } from './token-endpoint.js';

/** Options of {@link startPasteLogin}. */
export interface PasteLoginOptions {
  /** The issuer base URL. Default `https://auth.openai.com`. */
  issuer?: string;
  /** The OAuth client id. Default: the Codex CLI's. */
  clientId?: string;
  /** The port in the redirect URI `http://localhost:<port>/auth/callback`. Default 1455. No server is started. */
  port?: number;
  /** `fetch` for the token exchange. */
  fetch?: FetchFunction;
  /** Cancels the token exchange. */
  signal?: AbortSignal;
  /** Clock for token expiry. Default `Date.now`. */
  now?: () => number;
}

/** A started paste login: show `authorizeUrl`, then call `complete` with what the user pasted. */
export interface PasteLogin {
  /** The URL to open in any browser. */
  readonly authorizeUrl: string;
  /** The redirect URI on the authorize URL. */
  readonly redirectUri: string;
  /**
   * Finishes the login with what the user pasted: the full redirect URL from the browser's address bar
   * (`http://localhost:1455/auth/callback?code=…&state=…`), its `code=…&state=…` query, or just the code.
   * Throws `invalid-paste`, `state-mismatch`, `access-denied` or the token endpoint's errors.
   */
  complete(pasted: string): Promise<OAuthTokens>;
}

const BARE_CODE = /^[A-Za-z0-9._~+/=-]+$/;

function invalidPaste(reason: string): OAuthError {
  return new OAuthError(
    'invalid-paste',
    `${reason} Paste the whole address from the browser's address bar after signing in (it starts with http://localhost:1455/auth/callback?code=), or just the code.`,
  );
}

/**
 * Parses what the user pasted into `{code, state?}` or throws; `error=` in a pasted URL/query becomes
 * `access-denied`.
 *
 * @param pasted - the pasted text
 */
export function parsePastedRedirect(pasted: string): { code: string; state?: string } {
  const text = pasted.trim();
  if (text === '') throw invalidPaste('Nothing was pasted.');
  let parameters: URLSearchParams | undefined;
  if (/^https?:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw invalidPaste('The pasted text looks like a URL but cannot be parsed.');
    }
    parameters = url.searchParams;
    if (!parameters.has('code') && !parameters.has('error') && url.hash.length > 1) {
      parameters = new URLSearchParams(url.hash.slice(1));
    }
  } else if (/(^|[?&#])(code|error)=/.test(text)) {
    parameters = new URLSearchParams(text.replace(/^[?#]/, ''));
  }
  if (parameters !== undefined) {
    const error = parameters.get('error');
    if (error !== null) {
      const description = parameters.get('error_description') ?? undefined;
      throw new OAuthError(
        'access-denied',
        `The login was not approved (${description ? `${error}: ${description}` : error}). Run \`codetether auth login\` again and approve the request.`,
        { issuerError: description === undefined ? { error } : { error, errorDescription: description } },
      );
    }
    const code = parameters.get('code');
    if (code === null || code.trim() === '') throw invalidPaste('The pasted URL has no code parameter.');
    const state = parameters.get('state');
    return state === null ? { code: code.trim() } : { code: code.trim(), state };
  }
  if (!BARE_CODE.test(text) || text.length < 8) {
    throw invalidPaste('The pasted text is neither a redirect URL nor an authorization code.');
  }
  return { code: text };
}

/**
 * Starts a paste login for machines whose browser cannot reach the loopback port (SSH, containers,
 * remote editors): no server is started; the user opens `authorizeUrl` anywhere, and after signing in
 * pastes the final `http://localhost:1455/auth/callback?...` address (the page itself fails to load —
 * that is expected) back into the terminal.
 *
 * @param options - issuer, client id, port and fetch
 */
export async function startPasteLogin(options: PasteLoginOptions = {}): Promise<PasteLogin> {
  const issuer = options.issuer ?? DEFAULT_ISSUER;
  const clientId = options.clientId ?? CODEX_CLIENT_ID;
  const redirectUri = loopbackRedirectUri(options.port ?? DEFAULT_CALLBACK_PORT);
  const pkce = await createPkcePair();
  const state = createState();
  const authorizeUrl = buildAuthorizeUrl({ issuer, clientId, redirectUri, challenge: pkce.challenge, state });
  let completed = false;
  return {
    authorizeUrl,
    redirectUri,
    async complete(pasted: string): Promise<OAuthTokens> {
      const parsed = parsePastedRedirect(pasted);
      if (parsed.state !== undefined && parsed.state !== state) {
        throw new OAuthError(
          'state-mismatch',
          'The pasted URL belongs to a different login attempt (its state does not match), so it was rejected. Open the newest login URL and paste its result.',
        );
      }
      if (completed) {
        throw new OAuthError(
          'invalid-paste',
          'This login was already completed; start a new one to log in again.',
        );
      }
      const tokens = await exchangeCodeForTokens({
        issuer,
        clientId,
        code: parsed.code,
        codeVerifier: pkce.verifier,
        redirectUri,
        fetch: options.fetch,
        signal: options.signal,
        now: options.now,
      });
      completed = true;
      return tokens;
    },
  };
}
