import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeCredentials } from './__fixtures__/credentials.js';
import { makeChatGptJwt } from './__fixtures__/jwt.js';
import { createMockFetch, jsonResponse } from './__fixtures__/mock-fetch.js';
import { createFileCredentialStore } from './file-credential-store.js';
import { exchangeCodeForTokens, refreshTokens } from './token-endpoint.js';
import { createTokenManager } from './token-manager.js';

const ISSUER = 'http://127.0.0.1:9';
const NOW = 1_800_000_000_000;
const ACCESS_TOKEN_EXP_SECONDS = 1_800_003_600;

let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'oauth-pkce-token-endpoint-hostile-'));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** A broken issuer: answers every token request with `expires_in` set to `expiresIn`. */
function issuerSendingExpiresIn(expiresIn: unknown) {
  return createMockFetch(async () =>
    jsonResponse(200, {
      access_token: makeChatGptJwt({ exp: ACCESS_TOKEN_EXP_SECONDS }),
      refresh_token: 'rt-rotated',
      expires_in: expiresIn,
    }),
  );
}

describe('token responses whose expires_in gives no usable expiry', () => {
  it.each([
    ['a number so large the expiry overflows to Infinity', 1e306],
    ['zero', 0],
    ['a negative number', -3600],
  ])('ignores expires_in that is %s and uses the access token exp instead', async (_kind, expiresIn) => {
    const issuer = issuerSendingExpiresIn(expiresIn);
    const exchanged = await exchangeCodeForTokens({
      issuer: ISSUER,
      code: 'code-1',
      codeVerifier: 'verifier-1',
      redirectUri: 'http://localhost:1455/auth/callback',
      fetch: issuer.fetch,
      now: () => NOW,
    });
    expect(exchanged.expiresAt).toBe(ACCESS_TOKEN_EXP_SECONDS * 1000);
    const refreshed = await refreshTokens({
      issuer: ISSUER,
      refreshToken: 'rt-old',
      fetch: issuer.fetch,
      now: () => NOW,
    });
    expect(refreshed.expiresAt).toBe(ACCESS_TOKEN_EXP_SECONDS * 1000);
  });

  it('keeps the login after a refresh answered with a huge expires_in (the rotated refresh token is stored)', async () => {
    const store = createFileCredentialStore({ home: folder });
    await store.write(makeCredentials({ expiresAt: NOW - 1000, refreshToken: 'rt-old' }));
    const issuer = issuerSendingExpiresIn(1e306);
    const manager = createTokenManager({ store, issuer: ISSUER, fetch: issuer.fetch, now: () => NOW });
    const info = await manager.getAccessToken();
    expect(info.expiresAt).toBe(ACCESS_TOKEN_EXP_SECONDS * 1000);
    const stored = await store.read();
    expect(stored?.tokens.refreshToken).toBe('rt-rotated');
    expect(stored?.tokens.expiresAt).toBe(ACCESS_TOKEN_EXP_SECONDS * 1000);
  });
});
