import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { makeChatGptJwt } from './__fixtures__/jwt.js';
import { createMockFetch, jsonResponse } from './__fixtures__/mock-fetch.js';
import { OAuthError } from './errors.js';
import {
  exchangeCodeForTokens,
  exchangeIdTokenForApiKey,
  parseIssuerError,
  refreshTokens,
  revokeToken,
} from './token-endpoint.js';

const ISSUER = 'http://127.0.0.1:9/';
const now = () => 1_000_000;

async function catchError(promise: Promise<unknown>): Promise<OAuthError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(OAuthError);
    return error as OAuthError;
  }
  throw new Error('expected a rejection');
}

describe('exchangeCodeForTokens', () => {
  it('posts a form-encoded authorization_code grant and validates the response', async () => {
    const accessToken = makeChatGptJwt();
    const mock = createMockFetch(() =>
      jsonResponse(200, {
        access_token: accessToken,
        refresh_token: 'rt-1',
        id_token: 'id-1',
        expires_in: '120',
      }),
    );
    const tokens = await exchangeCodeForTokens({
      issuer: ISSUER,
      code: 'the-code',
      codeVerifier: 'the-verifier',
      redirectUri: 'http://localhost:1455/auth/callback',
      fetch: mock.fetch,
      now,
    });
    expect(tokens).toEqual({ accessToken, refreshToken: 'rt-1', idToken: 'id-1', expiresAt: 1_120_000 });
    const [request] = mock.requests;
    expect(request?.url).toBe('http://127.0.0.1:9/oauth/token');
    expect(request?.method).toBe('POST');
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request?.fields).toEqual({
      grant_type: 'authorization_code',
      client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
      code: 'the-code',
      code_verifier: 'the-verifier',
      redirect_uri: 'http://localhost:1455/auth/callback',
    });
  });

  it('uses the access token exp when expires_in is missing', async () => {
    const accessToken = makeChatGptJwt({ exp: 5000 });
    const mock = createMockFetch(() => jsonResponse(200, { access_token: accessToken, refresh_token: 'r' }));
    const tokens = await exchangeCodeForTokens({
      issuer: ISSUER,
      code: 'c',
      codeVerifier: 'v',
      redirectUri: 'r',
      fetch: mock.fetch,
    });
    expect(tokens.expiresAt).toBe(5_000_000);
  });

  it('rejects a response without a refresh token or with the wrong shape', async () => {
    for (const body of [{ access_token: 'a' }, { access_token: 5 }, 'text', null]) {
      const mock = createMockFetch(() => jsonResponse(200, body));
      const error = await catchError(
        exchangeCodeForTokens({
          issuer: ISSUER,
          code: 'c',
          codeVerifier: 'v',
          redirectUri: 'r',
          fetch: mock.fetch,
        }),
      );
      expect(error.code).toBe('invalid-token-response');
    }
  });

  it('types issuer errors with error/error_description and an actionable message', async () => {
    const mock = createMockFetch(() =>
      jsonResponse(400, { error: 'invalid_grant', error_description: 'Code expired' }),
    );
    const error = await catchError(
      exchangeCodeForTokens({
        issuer: ISSUER,
        code: 'c',
        codeVerifier: 'v',
        redirectUri: 'r',
        fetch: mock.fetch,
      }),
    );
    expect(error.code).toBe('token-endpoint-error');
    expect(error.status).toBe(400);
    expect(error.isRetryable).toBe(false);
    expect(error.issuerError).toEqual({ error: 'invalid_grant', errorDescription: 'Code expired' });
    expect(error.message).toContain('invalid_grant: Code expired');
    expect(error.message).toContain('codetether auth login');
  });
});

describe('refreshTokens', () => {
  it('posts a refresh_token grant and keeps the old id token when none comes back', async () => {
    const mock = createMockFetch(() =>
      jsonResponse(200, { access_token: 'new-access', refresh_token: 'rt-2', expires_in: 60 }),
    );
    const tokens = await refreshTokens({
      issuer: ISSUER,
      refreshToken: 'rt-1',
      idToken: 'old-id',
      fetch: mock.fetch,
      now,
    });
    expect(tokens).toEqual({
      accessToken: 'new-access',
      refreshToken: 'rt-2',
      idToken: 'old-id',
      expiresAt: 1_060_000,
    });
    expect(mock.requests[0]?.fields).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'rt-1',
      client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
    });
  });

  it.each([
    [400, { error: 'invalid_grant' }],
    [401, { error: { code: 'refresh_token_reused', message: 'Your refresh token was already used' } }],
    [401, { error: { code: 'refresh_token_expired', message: 'expired' } }],
    [401, { error: 'refresh_token_invalidated' }],
    [401, {}],
  ])('maps HTTP %i %j to refresh-token-rejected', async (status, body) => {
    const mock = createMockFetch(() => jsonResponse(status, body));
    const error = await catchError(
      refreshTokens({ issuer: ISSUER, refreshToken: 'secret-refresh-token', fetch: mock.fetch }),
    );
    expect(error.code).toBe('refresh-token-rejected');
    expect(error.isRetryable).toBe(false);
    expect(error.message).toContain('log in again with `codetether auth login`'.replace('log', 'Log'));
    expect(error.message).not.toContain('secret-refresh-token');
    expect(inspect(error)).not.toContain('secret-refresh-token');
  });

  it('marks 5xx and 429 answers retryable', async () => {
    for (const status of [429, 500, 503]) {
      const mock = createMockFetch(() => new Response('oops', { status }));
      const error = await catchError(refreshTokens({ issuer: ISSUER, refreshToken: 'r', fetch: mock.fetch }));
      expect(error.code).toBe('token-endpoint-error');
      expect(error.isRetryable).toBe(true);
      expect(error.status).toBe(status);
    }
  });

  it('turns network failures into a retryable network-error', async () => {
    const error = await catchError(
      refreshTokens({
        issuer: ISSUER,
        refreshToken: 'secret-refresh-token',
        fetch: async () => {
          throw new TypeError('fetch failed', {
            cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
          });
        },
      }),
    );
    expect(error.code).toBe('network-error');
    expect(error.isRetryable).toBe(true);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).not.toContain('secret-refresh-token');
  });

  it('turns a hanging issuer into a network-error after the timeout, and an abort into aborted', async () => {
    const hanging = (_input: unknown, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    const timeout = await catchError(
      refreshTokens({ issuer: ISSUER, refreshToken: 'r', fetch: hanging, timeoutMs: 20 }),
    );
    expect(timeout.code).toBe('network-error');
    expect(timeout.message).toContain('timed out');
    const controller = new AbortController();
    const promise = refreshTokens({
      issuer: ISSUER,
      refreshToken: 'r',
      fetch: hanging,
      signal: controller.signal,
    });
    controller.abort();
    expect((await catchError(promise)).code).toBe('aborted');
  });
});

describe('exchangeIdTokenForApiKey and revokeToken', () => {
  it('sends the token-exchange grant and returns the key', async () => {
    const mock = createMockFetch(() => jsonResponse(200, { access_token: 'sk-test' }));
    expect(
      await exchangeIdTokenForApiKey({ issuer: ISSUER, idToken: 'the-id-token', fetch: mock.fetch }),
    ).toBe('sk-test');
    expect(mock.requests[0]?.fields).toEqual({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
      requested_token: 'openai-api-key',
      subject_token: 'the-id-token',
      subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
    });
    const empty = createMockFetch(() => jsonResponse(200, { access_token: '  ' }));
    expect(
      (await catchError(exchangeIdTokenForApiKey({ issuer: ISSUER, idToken: 'x', fetch: empty.fetch }))).code,
    ).toBe('invalid-token-response');
  });

  it('revokes at /oauth/revoke (RFC 7009)', async () => {
    const mock = createMockFetch(() => new Response(null, { status: 200 }));
    await revokeToken({ issuer: ISSUER, token: 'rt', fetch: mock.fetch });
    expect(mock.requests[0]?.url).toBe('http://127.0.0.1:9/oauth/revoke');
    expect(mock.requests[0]?.fields).toMatchObject({ token: 'rt', token_type_hint: 'refresh_token' });
    const failing = createMockFetch(() => jsonResponse(503, { error: 'unavailable' }));
    expect(
      (await catchError(revokeToken({ issuer: ISSUER, token: 'rt', fetch: failing.fetch }))).isRetryable,
    ).toBe(true);
  });
});

describe('parseIssuerError', () => {
  it('accepts both error shapes and ignores others', () => {
    expect(parseIssuerError({ error: 'x', error_description: 'y' })).toEqual({
      error: 'x',
      errorDescription: 'y',
    });
    expect(parseIssuerError({ error: { code: 'c', message: 'm' } })).toEqual({
      error: 'c',
      errorDescription: 'm',
    });
    expect(parseIssuerError({ error: { message: 'm' } })).toEqual({
      error: 'unknown_error',
      errorDescription: 'm',
    });
    expect(parseIssuerError({ code: 'c' })).toEqual({ error: 'c' });
    expect(parseIssuerError(null)).toBeUndefined();
    expect(parseIssuerError({ error: 1 })).toBeUndefined();
  });
});
