import {
  CODEX_CLIENT_ID,
  DEFAULT_ISSUER,
  DEFAULT_ORIGINATOR,
  DEFAULT_SCOPE,
  normalizeIssuer,
} from './constants.js';

/** Options of {@link buildAuthorizeUrl}. */
export interface AuthorizeUrlOptions {
  /** The issuer base URL. Default `https://auth.openai.com`. */
  issuer?: string;
  /** The OAuth client id. Default: the Codex CLI's. */
  clientId?: string;
  /** Where the issuer sends the browser back, e.g. `http://localhost:1455/auth/callback`. */
  redirectUri: string;
  /** The PKCE S256 challenge. */
  challenge: string;
  /** The anti-CSRF state value the callback must echo. */
  state: string;
  /** Scopes. Default `openid profile email offline_access`. */
  scope?: string;
  /** The `originator` parameter. Default `codex_cli_rs`. */
  originator?: string;
}

/**
 * Builds the issuer's `/oauth/authorize` URL with every query parameter the official Codex CLI sends:
 * `response_type=code`, `client_id`, `redirect_uri`, `scope`, `code_challenge`,
 * `code_challenge_method=S256`, `state`, `id_token_add_organizations=true`,
 * `codex_cli_simplified_flow=true`, `originator`.
 *
 * @param options - issuer, client id, redirect URI, PKCE challenge and state
 */
export function buildAuthorizeUrl(options: AuthorizeUrlOptions): string {
  const parameters: Array<[string, string]> = [
    ['response_type', 'code'],
    ['client_id', options.clientId ?? CODEX_CLIENT_ID],
    ['redirect_uri', options.redirectUri],
    ['scope', options.scope ?? DEFAULT_SCOPE],
    ['code_challenge', options.challenge],
    ['code_challenge_method', 'S256'],
    ['state', options.state],
    ['id_token_add_organizations', 'true'],
    ['codex_cli_simplified_flow', 'true'],
    ['originator', options.originator ?? DEFAULT_ORIGINATOR],
  ];
  // encodeURIComponent (not URLSearchParams) so spaces become %20 exactly as the official client sends them.
  const query = parameters.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&');
  return `${normalizeIssuer(options.issuer ?? DEFAULT_ISSUER)}/oauth/authorize?${query}`;
}
