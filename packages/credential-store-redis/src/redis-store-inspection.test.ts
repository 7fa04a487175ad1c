import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRedisServer, startTestRedisServer, type TestRedisServer } from './__fixtures__/redis-server.js';
import { createRedisCredentialStore } from './redis-credential-store.js';
import { inspectRedisStore } from './redis-store-inspection.js';

describe.skipIf(!hasRedisServer)('inspectRedisStore', () => {
  let server: TestRedisServer;

  beforeAll(async () => {
    server = await startTestRedisServer({ password: 'secret-password' });
  });
  afterAll(async () => {
    await server?.close();
  });

  const url = () => `redis://:secret-password@127.0.0.1:${server.port}/0`;

  it('reports the version, the login and the lock without the password', async () => {
    const empty = await inspectRedisStore({ url: url(), keyPrefix: 'inspect:' });
    expect(empty).toMatchObject({ location: server.url, loggedIn: false, lockHeld: false });
    expect(empty.serverVersion).toMatch(/^\d+\.\d+/);
    const store = createRedisCredentialStore({ url: url(), keyPrefix: 'inspect:', lockTtlMs: 5000 });
    try {
      await store.write({
        type: 'chatgpt',
        tokens: { accessToken: 'access', refreshToken: 'refresh', expiresAt: 2_000_000_000_000 },
        lastRefreshAt: 1_700_000_000_000,
        source: 'login',
      });
      const during = await store.withLock(() => inspectRedisStore({ url: url(), keyPrefix: 'inspect:' }));
      expect(during).toMatchObject({ loggedIn: true, lockHeld: true });
      expect(during.lockExpiresInMs).toBeGreaterThan(0);
      expect(JSON.stringify(during)).not.toContain('secret-password');
    } finally {
      await store.close();
    }
  });

  it('a wrong password is store-misconfigured; nothing listening is store-unavailable', async () => {
    await expect(
      inspectRedisStore({ url: `redis://:wrong@127.0.0.1:${server.port}/0` }),
    ).rejects.toMatchObject({ code: 'store-misconfigured' });
    const gone = await startTestRedisServer();
    await gone.close();
    await expect(inspectRedisStore({ url: gone.url, timeoutMs: 500 })).rejects.toMatchObject({
      code: 'store-unavailable',
    });
  });
});
