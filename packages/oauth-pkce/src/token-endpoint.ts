import { CODEX_CLIENT_ID, DEFAULT_ISSUER, normalizeIssuer } from './constants.js';
import { type IssuerError, OAuthError } from './errors.js';
import { type FetchFunction, type IssuerResponse, sendIssuerRequest } from './http-request.js';
import { readAccountClaims } from './jwt-claims.js';
import { defineLazySchemas } from './lazy-schemas.js';
import { type OAuthTokens, protectOAuthTokens } from './oauth-tokens.js';

/** Options shared by every token endpoint call. */
export interface TokenEndpointOptions {
  /** The issuer base URL. Default `https://auth.openai.com`. */
  issuer?: string | undefined;
  /** The OAuth client id. Default: the Codex CLI's. */
  clientId?: string | undefined;
  /** `fetch` to use (tests inject one). */
  fetch?: FetchFunction | undefined;
  /** Cancels the request (→ `aborted`). */
  signal?: AbortSignal | undefined;
  /** Clock for computing `expiresAt`. Default `Date.now`. */
  now?: (() => number) | undefined;
  /** Per-request timeout. Default 30 s. */
  timeoutMs?: number | undefined;
}

/** Issuer error codes that mean "this refresh token will never work again". */
const REJECTED_REFRESH_ERRORS = new Set([
  'invalid_grant',
  'refresh_token_reused',
  'refresh_token_expired',
  'refresh_token_invalidated',
  'invalid_refresh_token',
]);

const tokenEndpointSchemas = defineLazySchemas((z) => {
  const expiresIn = z.union([
    z.number(),
    z
      .string()
      .regex(/^\d+(\.\d+)?$/)
      .transform(Number),
  ]);
  return {
    tokenResponse: z.object({
      access_token: z.string().min(1),
      refresh_token: z.string().min(1).optional(),
      id_token: z.string().min(1).optional(),
      expires_in: expiresIn.optional(),
      token_type: z.string().optional(),
    }),
    apiKeyResponse: z.object({ access_token: z.string().trim().min(1) }),
  };
});

/** A token endpoint answer after validation. */
interface TokenResponse {
  access_token: string;
  refresh_token?: string | undefined;
  id_token?: string | undefined;
  expires_in?: number | undefined;
}

/**
 * Extracts the issuer's `error` / `error_description` from a body of either shape:
 * `{error: "invalid_grant", error_description}` or `{error: {code|type, message}}`.
 *
 * @param body - the parsed JSON error body
 */
export function parseIssuerError(body: unknown): IssuerError | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const error = record.error;
  if (typeof error === 'string' && error !== '') {
    const description = record.error_description ?? record.message;
    return typeof description === 'string' && description !== ''
      ? { error, errorDescription: description }
      : { error };
  }
  if (typeof error === 'object' && error !== null) {
    const nested = error as Record<string, unknown>;
    const code = [nested.code, nested.type, nested.error].find(
      (value) => typeof value === 'string' && value !== '',
    );
    const message = nested.message ?? nested.error_description;
    if (typeof code === 'string') {
      return typeof message === 'string' && message !== ''
        ? { error: code, errorDescription: message }
        : { error: code };
    }
    if (typeof message === 'string' && message !== '')
      return { error: 'unknown_error', errorDescription: message };
  }
  if (typeof record.code === 'string' && record.code !== '') {
    return typeof record.message === 'string'
      ? { error: record.code, errorDescription: record.message }
      : { error: record.code };
  }
  return undefined;
}

function describeIssuerError(issuerError: IssuerError | undefined, status: number): string {
  if (issuerError === undefined) return `HTTP ${status}`;
  const description = issuerError.errorDescription ? `: ${truncate(issuerError.errorDescription, 300)}` : '';
  return `${issuerError.error}${description} (HTTP ${status})`;
}

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length)}…` : text;
}

function tokenEndpointUrl(issuer: string | undefined): string {
  return `${normalizeIssuer(issuer ?? DEFAULT_ISSUER)}/oauth/token`;
}

function failureFromResponse(
  response: IssuerResponse,
  operation: string,
  kind: 'code' | 'refresh' | 'api-key',
): OAuthError {
  const issuerError = parseIssuerError(response.json);
  const detail = describeIssuerError(issuerError, response.status);
  const options = {
    status: response.status,
    isRetryable: response.status === 429 || response.status >= 500,
    ...(issuerError === undefined ? {} : { issuerError }),
  };
  if (kind === 'refresh') {
    const rejected =
      (issuerError !== undefined && REJECTED_REFRESH_ERRORS.has(issuerError.error)) ||
      response.status === 401;
    if (rejected) {
      const reused = issuerError?.error === 'refresh_token_reused';
      return new OAuthError(
        'refresh-token-rejected',
        `Your ChatGPT login could not be refreshed: the issuer rejected the refresh token (${detail}).${
          reused ? ' It was already used, usually by another tool or session sharing the same login.' : ''
        } Log in again with \`codetether auth login\`.`,
        { ...options, isRetryable: false },
      );
    }
  }
  const advice = options.isRetryable
    ? 'The issuer may be having trouble; try again in a moment.'
    : kind === 'code'
      ? 'The login code may have expired or been used already; start the login again with `codetether auth login`.'
      : kind === 'api-key'
        ? 'This account may not be able to create API keys; use the ChatGPT login directly.'
        : 'Log in again with `codetether auth login`.';
  return new OAuthError('token-endpoint-error', `${operation} failed: ${detail}. ${advice}`, options);
}

function invalidResponse(operation: string, status: number, cause: unknown): OAuthError {
  return new OAuthError(
    'invalid-token-response',
    `${operation} returned a response CodeTether does not understand (HTTP ${status}). Check that the issuer URL is right (CODETETHER_AUTH_ISSUER) and try again.`,
    { status, cause, isRetryable: false },
  );
}

function toOAuthTokens(
  parsed: TokenResponse,
  now: () => number,
  fallback: { refreshToken?: string | undefined; idToken?: string | undefined },
  operation: string,
  status: number,
): OAuthTokens {
  const refreshToken = parsed.refresh_token ?? fallback.refreshToken;
  if (refreshToken === undefined) {
    throw invalidResponse(operation, status, new Error('the response has no refresh_token'));
  }
  const idToken = parsed.id_token ?? fallback.idToken;
  // A broken issuer's expires_in (0, negative, or so large the time overflows to Infinity, which cannot
  // be stored: the rotated refresh token would be lost) is ignored like a missing one.
  const fromExpiresIn = parsed.expires_in === undefined ? Number.NaN : now() + parsed.expires_in * 1000;
  const expiresAt =
    Number.isFinite(fromExpiresIn) && (parsed.expires_in ?? 0) > 0
      ? fromExpiresIn
      : (readAccountClaims({ accessToken: parsed.access_token }).expiresAt ?? now() + 3600 * 1000);
  const tokens: OAuthTokens = { accessToken: parsed.access_token, refreshToken, expiresAt };
  if (idToken !== undefined) tokens.idToken = idToken;
  return protectOAuthTokens(tokens);
}

/** Options of {@link exchangeCodeForTokens}. */
export interface ExchangeCodeOptions extends TokenEndpointOptions {
  /** The authorization code from the callback. */
  code: string;
  /** The PKCE verifier whose challenge was on the authorize URL. */
  codeVerifier: string;
  /** The exact redirect URI used on the authorize URL. */
  redirectUri: string;
}

/**
 * Exchanges an authorization code for tokens: form POST
 * `grant_type=authorization_code&client_id&code&code_verifier&redirect_uri` to `{issuer}/oauth/token`.
 *
 * @param options - code, verifier, redirect URI, issuer and client id
 */
export async function exchangeCodeForTokens(options: ExchangeCodeOptions): Promise<OAuthTokens> {
  const operation = 'The login code exchange';
  const response = await sendIssuerRequest({
    url: tokenEndpointUrl(options.issuer),
    operation: 'the login code exchange',
    body: {
      kind: 'form',
      fields: {
        grant_type: 'authorization_code',
        client_id: options.clientId ?? CODEX_CLIENT_ID,
        code: options.code,
        code_verifier: options.codeVerifier,
        redirect_uri: options.redirectUri,
      },
    },
    fetch: options.fetch,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  });
  if (!response.ok) throw failureFromResponse(response, operation, 'code');
  const parsed = (await tokenEndpointSchemas()).tokenResponse.safeParse(response.json);
  if (!parsed.success) throw invalidResponse(operation, response.status, parsed.error);
  return toOAuthTokens(parsed.data, options.now ?? Date.now, {}, operation, response.status);
}

/** Options of {@link refreshTokens}. */
export interface RefreshTokensOptions extends TokenEndpointOptions {
  /** The current refresh token (it stops working once this call succeeds). */
  refreshToken: string;
  /** The current id token, kept when the issuer does not send a new one. */
  idToken?: string | undefined;
}

/**
 * Refreshes the tokens: form POST `grant_type=refresh_token&refresh_token&client_id`. Refresh tokens
 * rotate — persist the returned refresh token at once. A rejected refresh token (`invalid_grant`,
 * `refresh_token_reused`, `refresh_token_expired`, `refresh_token_invalidated`) throws
 * `refresh-token-rejected`.
 *
 * @param options - refresh token, issuer and client id
 */
export async function refreshTokens(options: RefreshTokensOptions): Promise<OAuthTokens> {
  const operation = 'The token refresh';
  const response = await sendIssuerRequest({
    url: tokenEndpointUrl(options.issuer),
    operation: 'the token refresh',
    body: {
      kind: 'form',
      fields: {
        grant_type: 'refresh_token',
        refresh_token: options.refreshToken,
        client_id: options.clientId ?? CODEX_CLIENT_ID,
      },
    },
    fetch: options.fetch,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  });
  if (!response.ok) throw failureFromResponse(response, operation, 'refresh');
  const parsed = (await tokenEndpointSchemas()).tokenResponse.safeParse(response.json);
  if (!parsed.success) throw invalidResponse(operation, response.status, parsed.error);
  return toOAuthTokens(
    parsed.data,
    options.now ?? Date.now,
    { refreshToken: options.refreshToken, idToken: options.idToken },
    operation,
    response.status,
  );
}

/** Options of {@link exchangeIdTokenForApiKey}. */
export interface ExchangeIdTokenOptions extends TokenEndpointOptions {
  /** The id token of a ChatGPT login. */
  idToken: string;
}

/**
 * Exchanges an id token for an OpenAI API key (RFC 8693 token exchange with
 * `requested_token=openai-api-key`). Returns the key.
 *
 * @param options - id token, issuer and client id
 */
export async function exchangeIdTokenForApiKey(options: ExchangeIdTokenOptions): Promise<string> {
  const operation = 'The API key exchange';
  const response = await sendIssuerRequest({
    url: tokenEndpointUrl(options.issuer),
    operation: 'the API key exchange',
    body: {
      kind: 'form',
      fields: {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        client_id: options.clientId ?? CODEX_CLIENT_ID,
        requested_token: 'openai-api-key',
        subject_token: options.idToken,
        subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
      },
    },
    fetch: options.fetch,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  });
  if (!response.ok) throw failureFromResponse(response, operation, 'api-key');
  const parsed = (await tokenEndpointSchemas()).apiKeyResponse.safeParse(response.json);
  if (!parsed.success) throw invalidResponse(operation, response.status, parsed.error);
  return parsed.data.access_token;
}

/** Options of {@link revokeToken}. */
export interface RevokeTokenOptions extends TokenEndpointOptions {
  /** The token to revoke (usually the refresh token). */
  token: string;
  /** RFC 7009 `token_type_hint`. Default `refresh_token`. */
  tokenTypeHint?: 'refresh_token' | 'access_token';
}

/**
 * Revokes a token at `{issuer}/oauth/revoke` (RFC 7009). Throws `token-endpoint-error` on an error
 * status and `network-error` when the issuer cannot be reached; callers doing a best-effort logout
 * may ignore both.
 *
 * @param options - token, hint, issuer and client id
 */
export async function revokeToken(options: RevokeTokenOptions): Promise<void> {
  const response = await sendIssuerRequest({
    url: `${normalizeIssuer(options.issuer ?? DEFAULT_ISSUER)}/oauth/revoke`,
    operation: 'the token revocation',
    body: {
      kind: 'form',
      fields: {
        token: options.token,
        token_type_hint: options.tokenTypeHint ?? 'refresh_token',
        client_id: options.clientId ?? CODEX_CLIENT_ID,
      },
    },
    fetch: options.fetch,
    signal: options.signal,
    timeoutMs: options.timeoutMs ?? 10_000,
  });
  if (!response.ok) {
    const issuerError = parseIssuerError(response.json);
    throw new OAuthError(
      'token-endpoint-error',
      `The token revocation failed: ${describeIssuerError(issuerError, response.status)}. The local credentials can still be deleted.`,
      {
        status: response.status,
        isRetryable: response.status >= 500,
        ...(issuerError === undefined ? {} : { issuerError }),
      },
    );
  }
}
