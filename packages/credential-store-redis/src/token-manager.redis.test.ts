import { createHash } from 'node:crypto';
import { type Emulator, startEmulator } from '@codetether/emulator';
import { createTokenManager, refreshTokens } from '@codetether/oauth-pkce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRedisServer, startTestRedisServer, type TestRedisServer } from './__fixtures__/redis-server.js';
import { createRedisCredentialStore, type RedisCredentialStore } from './redis-credential-store.js';

/** oauth-pkce's journal fingerprint of a refresh token. */
const fingerprintRefreshToken = (token: string) =>
  `sha256:${createHash('sha256').update(token, 'utf8').digest('hex')}`;

describe.skipIf(!hasRedisServer)('TokenManagers sharing one login in Redis', () => {
  let server: TestRedisServer;
  let issuer: Emulator;

  beforeAll(async () => {
    server = await startTestRedisServer();
    issuer = await startEmulator();
  });
  afterAll(async () => {
    await issuer?.close();
    await server?.close();
  });

  const refreshRequests = () =>
    issuer.requests.filter(
      (request) =>
        request.path === '/oauth/token' &&
        (request.body as Record<string, unknown>).grant_type === 'refresh_token',
    );

  it('8 gateways (own connection and TokenManager each) with an expired token refresh it exactly once', async () => {
    const stores: RedisCredentialStore[] = Array.from({ length: 8 }, () =>
      createRedisCredentialStore({ url: server.url, keyPrefix: 'refresh-once:' }),
    );
    try {
      const expired = issuer.issueTokens({ expiresInSeconds: -60 });
      await stores[0]?.write({
        type: 'chatgpt',
        tokens: {
          accessToken: expired.accessToken,
          refreshToken: expired.refreshToken,
          idToken: expired.idToken,
          expiresAt: expired.expiresAt,
        },
        accountId: expired.accountId,
        lastRefreshAt: Date.now(),
        source: 'login',
      });
      const before = refreshRequests().length;
      const managers = stores.map((store) => createTokenManager({ store, issuer: issuer.issuerUrl }));
      const tokens = await Promise.all(
        managers.flatMap((manager) => [manager.getAccessToken(), manager.getAccessToken()]),
      );

      expect(refreshRequests().length - before).toBe(1);
      expect(new Set(tokens.map((token) => token.accessToken)).size).toBe(1);
      expect(tokens[0]?.accessToken).not.toBe(expired.accessToken);
      expect(tokens[0]?.accountId).toBe(expired.accountId);
      // The rotated refresh token is stored and live; the journal was cleared.
      const stored = await stores[1]?.read();
      expect(stored?.tokens.refreshToken).not.toBe(expired.refreshToken);
      await expect(
        refreshTokens({ issuer: issuer.issuerUrl, refreshToken: expired.refreshToken }),
      ).rejects.toMatchObject({
        code: 'refresh-token-rejected',
      });
      expect(await stores[2]?.refreshJournal.read()).toBeUndefined();
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('a refresh recorded in the Redis journal and lost is reported as refresh-interrupted', async () => {
    const store = createRedisCredentialStore({ url: server.url, keyPrefix: 'journal:' });
    try {
      const expired = issuer.issueTokens({ expiresInSeconds: -60 });
      await store.write({
        type: 'chatgpt',
        tokens: {
          accessToken: expired.accessToken,
          refreshToken: expired.refreshToken,
          expiresAt: expired.expiresAt,
        },
        lastRefreshAt: Date.now(),
        source: 'login',
      });
      // A gateway spent the refresh token, then died before saving the rotated one.
      await store.refreshJournal.write({
        refreshTokenFingerprint: fingerprintRefreshToken(expired.refreshToken),
        startedAt: Date.now(),
      });
      await refreshTokens({ issuer: issuer.issuerUrl, refreshToken: expired.refreshToken });
      const manager = createTokenManager({ store, issuer: issuer.issuerUrl });
      await expect(manager.getAccessToken()).rejects.toMatchObject({ code: 'refresh-interrupted' });
    } finally {
      await store.close();
    }
  });
});
