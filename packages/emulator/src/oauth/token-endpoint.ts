import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EmulatorContext } from '../context.js';
import { sendJson } from '../http-utilities.js';
import type { AuthorizationCodeGrant, RefreshTokenGrant, TokenSet } from './auth-state.js';
import { s256Challenge } from './pkce.js';

/** The token-exchange grant type used to turn an id token into an API key. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** The message the real issuer gives for a refresh token used twice. */
export const REFRESH_TOKEN_REUSED_MESSAGE =
  'Your refresh token has already been used to generate a new access token. Please try signing in again.';

/** The token endpoint's answer: an HTTP status and a JSON body. */
interface TokenAnswer {
  status: number;
  body: unknown;
}

/** An RFC 6749 error body `{error, error_description}`. */
function oauthError(status: number, error: string, description: string): TokenAnswer {
  return { status, body: { error, error_description: description } };
}

/** The OpenAI-style error body `{error: {message, type, param, code}}` the real issuer uses for refresh tokens. */
function openAiError(status: number, message: string, code: string): TokenAnswer {
  return { status, body: { error: { message, type: 'invalid_request_error', param: null, code } } };
}

/**
 * `POST /oauth/token` (form-encoded or JSON body): `authorization_code` with PKCE, rotating
 * `refresh_token`, and the id token → API key token exchange. The request takes effect at once (codes
 * are spent, refresh tokens rotated); with `tokenEndpointDelayMs` the answer is then held back that
 * long, like a response lost in transit when the client dies meanwhile. With `tokenEndpointHoldMs` the
 * request waits that long before it takes effect, and is dropped unanswered and without effect when
 * its client disconnects meanwhile.
 *
 * @param context - emulator state
 * @param fields - body fields
 * @param response - the server response
 */
export async function handleToken(
  context: EmulatorContext,
  fields: Record<string, unknown>,
  response: ServerResponse,
): Promise<void> {
  const holdMs = context.options().tokenEndpointHoldMs ?? 0;
  if (holdMs > 0) {
    const disconnected = new AbortController();
    const onClose = () => disconnected.abort();
    response.once('close', onClose);
    await sleep(holdMs, undefined, { signal: AbortSignal.any([disconnected.signal, context.closing]) }).catch(
      () => {},
    );
    response.off('close', onClose);
    if (disconnected.signal.aborted || response.destroyed || response.writableEnded) return;
  }
  const answer = answerTokenRequest(context, fields);
  const delayMs = context.options().tokenEndpointDelayMs ?? 0;
  if (delayMs > 0) await sleep(delayMs, undefined, { signal: context.closing }).catch(() => {});
  if (response.destroyed || response.writableEnded) return;
  sendJson(response, answer.status, answer.body, { 'cache-control': 'no-store' });
}

function answerTokenRequest(context: EmulatorContext, fields: Record<string, unknown>): TokenAnswer {
  const field = (name: string): string | undefined => {
    const value = fields[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const grantType = field('grant_type');
  const clientId = field('client_id');
  if (clientId === undefined || !context.clientIds().includes(clientId)) {
    return oauthError(401, 'invalid_client', 'Unknown or missing client_id.');
  }
  switch (grantType) {
    case 'authorization_code':
      return exchangeAuthorizationCode(context, clientId, field);
    case 'refresh_token':
      return refresh(context, clientId, field('refresh_token'));
    case TOKEN_EXCHANGE_GRANT:
      return exchangeIdToken(context, field);
    default:
      return oauthError(
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
): TokenAnswer {
  const code = field('code');
  const grant = code === undefined ? undefined : context.auth.findAuthorizationCode(code);
  if (grant === undefined) {
    return oauthError(400, 'invalid_grant', 'The authorization code is invalid.');
  }
  if (grant.used) {
    return oauthError(400, 'invalid_grant', 'The authorization code has already been used.');
  }
  if (grant.expiresAt <= context.now()) {
    return oauthError(400, 'invalid_grant', 'The authorization code has expired.');
  }
  if (grant.clientId !== clientId) {
    return oauthError(400, 'invalid_grant', 'The authorization code was issued to another client.');
  }
  if (field('redirect_uri') !== grant.redirectUri) {
    return oauthError(400, 'invalid_grant', 'redirect_uri does not match the one used at authorization.');
  }
  const verifier = field('code_verifier');
  if (verifier === undefined) {
    return oauthError(400, 'invalid_request', 'code_verifier is required (PKCE).');
  }
  if (s256Challenge(verifier) !== grant.codeChallenge) {
    return oauthError(400, 'invalid_grant', 'Invalid code_verifier: it does not match the code_challenge.');
  }
  return redeem(context, grant, clientId);
}

/** Marks a grant (authorization code or refresh token) used and answers a fresh token set for it. */
function redeem(
  context: EmulatorContext,
  grant: AuthorizationCodeGrant | RefreshTokenGrant,
  clientId: string,
): TokenAnswer {
  grant.used = true;
  const tokens = context.auth.issueTokenSet({
    account: grant.account,
    clientId,
    scope: grant.scope,
    expiresInSeconds: context.accessTokenTtlSeconds(),
  });
  return tokenSetAnswer(tokens);
}

function refresh(context: EmulatorContext, clientId: string, refreshToken: string | undefined): TokenAnswer {
  const grant = refreshToken === undefined ? undefined : context.auth.findRefreshToken(refreshToken);
  if (grant === undefined || grant.clientId !== clientId) {
    return oauthError(400, 'invalid_grant', 'The refresh token is invalid.');
  }
  if (grant.revoked) {
    return openAiError(
      401,
      'Your refresh token has been invalidated. Please try signing in again.',
      'refresh_token_invalidated',
    );
  }
  if (grant.used) {
    return openAiError(401, REFRESH_TOKEN_REUSED_MESSAGE, 'refresh_token_reused');
  }
  return redeem(context, grant, clientId);
}

function exchangeIdToken(context: EmulatorContext, field: (name: string) => string | undefined): TokenAnswer {
  if (field('requested_token') !== 'openai-api-key') {
    return oauthError(400, 'invalid_request', 'requested_token must be "openai-api-key".');
  }
  if (field('subject_token_type') !== 'urn:ietf:params:oauth:token-type:id_token') {
    return oauthError(
      400,
      'invalid_request',
      'subject_token_type must be "urn:ietf:params:oauth:token-type:id_token".',
    );
  }
  const subjectToken = field('subject_token');
  const account = subjectToken === undefined ? undefined : context.auth.checkIdToken(subjectToken);
  if (account === undefined) {
    return oauthError(400, 'invalid_grant', 'subject_token is not a valid id_token from this issuer.');
  }
  return {
    status: 200,
    body: {
      access_token: context.auth.createApiKey(),
      issued_token_type: 'openai-api-key',
      token_type: 'Bearer',
    },
  };
}

function tokenSetAnswer(tokens: TokenSet): TokenAnswer {
  return {
    status: 200,
    body: {
      access_token: tokens.accessToken,
      refresh_token: tokens.refreshToken,
      id_token: tokens.idToken,
      expires_in: tokens.expiresIn,
      token_type: 'Bearer',
      scope: tokens.scope,
    },
  };
}
