import type { ServerResponse } from 'node:http';
import type { EmulatorContext } from '../context.js';
import { escapeHtml, sendHtml } from '../http-utilities.js';
import { isAuthorizationDenied } from '../option-aliases.js';
import { isAcceptedRedirectUri } from './redirect-uri.js';

/** Authorization codes live 10 minutes. */
const AUTHORIZATION_CODE_TTL_MS = 10 * 60 * 1000;

/**
 * `GET /oauth/authorize`: validates the request and, instead of showing a login page, immediately
 * redirects (302) to `redirect_uri` with `code` and `state` — or with `error=access_denied` when the
 * `denyAuthorization` option is set. Requests without a usable `client_id`/`redirect_uri` get a 400 page
 * (like the real issuer, which never redirects to an unregistered URI).
 *
 * @param context - emulator state
 * @param query - the query parameters
 * @param response - the server response
 */
export function handleAuthorize(
  context: EmulatorContext,
  query: URLSearchParams,
  response: ServerResponse,
): void {
  const clientId = query.get('client_id') ?? '';
  const redirectUri = query.get('redirect_uri') ?? '';
  if (!context.clientIds().includes(clientId)) {
    sendHtml(response, 400, errorPage('invalid_client', `Unknown client_id "${clientId}".`));
    return;
  }
  if (!isAcceptedRedirectUri(redirectUri, context.issuerUrl)) {
    sendHtml(
      response,
      400,
      errorPage('invalid_request', `redirect_uri "${redirectUri}" is not registered for this client.`),
    );
    return;
  }
  const state = query.get('state');
  const redirectWith = (parameters: Record<string, string>) => {
    const target = new URL(redirectUri);
    for (const [name, value] of Object.entries(parameters)) target.searchParams.set(name, value);
    if (state !== null) target.searchParams.set('state', state);
    response.writeHead(302, { location: target.toString(), 'content-length': 0 });
    response.end();
  };
  if (query.get('response_type') !== 'code') {
    redirectWith({ error: 'unsupported_response_type', error_description: 'response_type must be "code".' });
    return;
  }
  const codeChallenge = query.get('code_challenge') ?? '';
  if (codeChallenge === '' || query.get('code_challenge_method') !== 'S256') {
    redirectWith({
      error: 'invalid_request',
      error_description: 'PKCE is required: send code_challenge with code_challenge_method=S256.',
    });
    return;
  }
  if (state === null || state === '') {
    redirectWith({ error: 'invalid_request', error_description: 'The state parameter is required.' });
    return;
  }
  if (isAuthorizationDenied(context.options())) {
    redirectWith({ error: 'access_denied', error_description: 'The user denied the authorization request.' });
    return;
  }
  const scope = query.get('scope') ?? 'openid profile email offline_access';
  const code = context.auth.createAuthorizationCode({
    clientId,
    redirectUri,
    codeChallenge,
    scope,
    account: context.defaultAccount(),
    expiresAt: context.now() + AUTHORIZATION_CODE_TTL_MS,
  });
  redirectWith({ code, scope });
}

function errorPage(error: string, description: string): string {
  return `<!doctype html><html><head><title>Authorization error</title></head><body><h1>${escapeHtml(
    error,
  )}</h1><p>${escapeHtml(description)}</p></body></html>`;
}
