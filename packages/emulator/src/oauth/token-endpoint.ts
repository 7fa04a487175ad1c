import type { ServerResponse } from 'node:http';
import type { EmulatorContext } from '../context.js';
import { sendJson } from '../http-utilities.js';
import type { TokenSet } from './auth-state.js';
import { sendOAuthError } from './oauth-error.js';
import { s256Challenge } from './pkce.js';

/** The token-exchange grant type used to turn an id token into an API key. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** The message the real issuer gives for a refresh token used twice. */
export const REFRESH_TOKEN_REUSED_MESSAGE =
  'Your refresh token has already been used to generate a new access token. Please try signing in again.';

/**
 * `POST /oauth/token` (form-encoded or JSON body): `authorization_code` with PKCE, rotating
 * `refresh_token`, and the id token → API key token exchange.
 *
 * @param context - emulator state
 * @param fields - body fields
 * @param response - the server response
 */
export function handleToken(
  context: EmulatorContext,
  fields: Record<string, unknown>,
  response: ServerResponse,
): void {
  const field = (name: string): string | undefined => {
    const value = fields[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const grantType = field('grant_type');
  const clientId = field('client_id');
  if (clientId === undefined || !context.clientIds().includes(clientId)) {
    sendOAuthError(response, 401, 'invalid_client', 'Unknown or missing client_id.');
    return;
  }
  switch (grantType) {
    case 'authorization_code':
      exchangeAuthorizationCode(context, clientId, field, response);
      return;
    case 'refresh_token':
      refresh(context, clientId, field('refresh_token'), response);
      return;
    case TOKEN_EXCHANGE_GRANT:
      exchangeIdToken(context, field, response);
      return;
    default:
      sendOAuthError(
        response,
        400,
        'unsupported_grant_type',
        `grant_type "${grantType ?? ''}" is not supported; use authorization_code, refresh_token or token exchange.`,
      );
  }
}

function exchangeAuthorizationCode(
  context: EmulatorContext,
  clientId: string,
  field: (name: string) => string | undefined,
  response: ServerResponse,
): void {
  const code = field('code');
  const grant = code === undefined ? undefined : context.auth.findAuthorizationCode(code);
  if (grant === undefined) {
    sendOAuthError(response, 400, 'invalid_grant', 'The authorization code is invalid.');
    return;
  }
  if (grant.used) {
    sendOAuthError(response, 400, 'invalid_grant', 'The authorization code has already been used.');
    return;
  }
  if (grant.expiresAt <= context.now()) {
    sendOAuthError(response, 400, 'invalid_grant', 'The authorization code has expired.');
    return;
  }
  if (grant.clientId !== clientId) {
    sendOAuthError(response, 400, 'invalid_grant', 'The authorization code was issued to another client.');
    return;
  }
  if (field('redirect_uri') !== grant.redirectUri) {
    sendOAuthError(
      response,
      400,
      'invalid_grant',
      'redirect_uri does not match the one used at authorization.',
    );
    return;
  }
  const verifier = field('code_verifier');
  if (verifier === undefined) {
    sendOAuthError(response, 400, 'invalid_request', 'code_verifier is required (PKCE).');
    return;
  }
  if (s256Challenge(verifier) !== grant.codeChallenge) {
    sendOAuthError(
      response,
      400,
      'invalid_grant',
      'Invalid code_verifier: it does not match the code_challenge.',
    );
    return;
  }
  grant.used = true;
  const tokens = context.auth.issueTokenSet({
    account: grant.account,
    clientId,
    scope: grant.scope,
    expiresInSeconds: context.accessTokenTtlSeconds(),
  });
  sendTokenSet(response, tokens);
}

function refresh(
  context: EmulatorContext,
  clientId: string,
  refreshToken: string | undefined,
  response: ServerResponse,
): void {
  const grant = refreshToken === undefined ? undefined : context.auth.findRefreshToken(refreshToken);
  if (grant === undefined || grant.clientId !== clientId) {
    sendOAuthError(response, 400, 'invalid_grant', 'The refresh token is invalid.');
    return;
  }
  if (grant.revoked) {
    sendJson(response, 401, {
      error: {
        message: 'Your refresh token has been invalidated. Please try signing in again.',
        type: 'invalid_request_error',
        param: null,
        code: 'refresh_token_invalidated',
      },
    });
    return;
  }
  if (grant.used) {
    sendJson(response, 401, {
      error: {
        message: REFRESH_TOKEN_REUSED_MESSAGE,
        type: 'invalid_request_error',
        param: null,
        code: 'refresh_token_reused',
      },
    });
    return;
  }
  grant.used = true;
  const tokens = context.auth.issueTokenSet({
    account: grant.account,
    clientId,
    scope: grant.scope,
    expiresInSeconds: context.accessTokenTtlSeconds(),
  });
  sendTokenSet(response, tokens);
}

function exchangeIdToken(
  context: EmulatorContext,
  field: (name: string) => string | undefined,
  response: ServerResponse,
): void {
  if (field('requested_token') !== 'openai-api-key') {
    sendOAuthError(response, 400, 'invalid_request', 'requested_token must be "openai-api-key".');
    return;
  }
  if (field('subject_token_type') !== 'urn:ietf:params:oauth:token-type:id_token') {
    sendOAuthError(
      response,
      400,
      'invalid_request',
      'subject_token_type must be "urn:ietf:params:oauth:token-type:id_token".',
    );
    return;
  }
  const subjectToken = field('subject_token');
  const account = subjectToken === undefined ? undefined : context.auth.checkIdToken(subjectToken);
  if (account === undefined) {
    sendOAuthError(response, 400, 'invalid_grant', 'subject_token is not a valid id_token from this issuer.');
    return;
  }
  sendJson(
    response,
    200,
    {
      access_token: context.auth.createApiKey(),
      issued_token_type: 'openai-api-key',
      token_type: 'Bearer',
    },
    { 'cache-control': 'no-store' },
  );
}

function sendTokenSet(response: ServerResponse, tokens: TokenSet): void {
  sendJson(
    response,
    200,
    {
      access_token: tokens.accessToken,
      refresh_token: tokens.refreshToken,
      id_token: tokens.idToken,
      expires_in: tokens.expiresIn,
      token_type: 'Bearer',
      scope: tokens.scope,
    },
    { 'cache-control': 'no-store' },
  );
}
