import { createServer, type Server, type Socket } from 'node:net';
import { inspect } from 'node:util';
import { type Emulator, startEmulator } from '@codetether/emulator';
import { createTokenManager, refreshTokens, type StoredChatGptCredentials } from '@codetether/oauth-pkce';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hasRedisServer, startTestRedisServer, type TestRedisServer } from './__fixtures__/redis-server.js';
import { createRedisCredentialStore } from './redis-credential-store.js';
import { inspectRedisStore } from './redis-store-inspection.js';

const ACCESS_TOKEN = 'access-token-secret-value-1234567890';
const REFRESH_TOKEN = 'refresh-token-secret-value-0987654321';

const login = (): StoredChatGptCredentials => ({
  type: 'chatgpt',
  tokens: { accessToken: ACCESS_TOKEN, refreshToken: REFRESH_TOKEN, expiresAt: 2_000_000_000_000 },
  accountId: 'acct_123',
  lastRefreshAt: 1_700_000_000_000,
  source: 'login',
});

/** Everything an error shows: message, inspection (with its causes) and JSON. */
const everythingShown = (error: unknown) =>
  `${String(error)}\n${inspect(error, { depth: 10 })}\n${JSON.stringify(error)}`;

describe.skipIf(!hasRedisServer)('the Redis credential store against a broken or hostile Redis', () => {
  let server: TestRedisServer;
  let admin: Redis;
  let issuer: Emulator;

  beforeAll(async () => {
    server = await startTestRedisServer();
    admin = new Redis(server.port, '127.0.0.1');
    issuer = await startEmulator();
  });
  afterAll(async () => {
    admin?.disconnect();
    await issuer?.close();
    await server?.close();
  });
  beforeEach(async () => {
    await admin.config('SET', 'maxmemory', '0');
    await admin.flushall();
  });

  /** A stored login the emulator issued, already expired (the next getAccessToken refreshes it). */
  async function storeExpiredLogin(url = server.url) {
    const expired = issuer.issueTokens({ expiresInSeconds: -60 });
    const store = createRedisCredentialStore({ url });
    await store.write({
      type: 'chatgpt',
      tokens: {
        accessToken: expired.accessToken,
        refreshToken: expired.refreshToken,
        expiresAt: expired.expiresAt,
      },
      accountId: expired.accountId,
      lastRefreshAt: Date.now(),
      source: 'login',
    });
    await store.close();
    return expired;
  }

  it('a write Redis refuses (out of memory) does not carry the login in its error or cause', async () => {
    const store = createRedisCredentialStore({ url: server.url });
    try {
      await admin.config('SET', 'maxmemory', '1');
      const error = await store.write(login()).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: 'RedisCredentialStoreError', code: 'store-unavailable' });
      // ioredis puts the command's arguments (here the login) on its reply errors.
      expect(everythingShown(error)).not.toContain(ACCESS_TOKEN);
      expect(everythingShown(error)).not.toContain(REFRESH_TOKEN);
      expect((error as Error).message).toContain('refused the command (OOM)');
    } finally {
      await admin.config('SET', 'maxmemory', '0');
      await store.close();
    }
  });

  it('a lock that expired while its holder refreshed, with nobody else saving: the rotated token is kept', async () => {
    const expired = await storeExpiredLogin();
    const store = createRedisCredentialStore({ url: server.url });
    try {
      // The issuer is slow (or the holder paused) past the lock's lifetime: the lock expires meanwhile.
      const slowIssuerFetch: typeof fetch = async (input, init) => {
        await admin.del('codetether:lock');
        return fetch(input, init);
      };
      const manager = createTokenManager({ store, issuer: issuer.issuerUrl, fetch: slowIssuerFetch });
      const token = await manager.getAccessToken();
      expect(token.accessToken).not.toBe(expired.accessToken);
      // The rotated refresh token is what the store holds, and it is live: nobody has to log in again.
      const stored = await store.read();
      expect(stored?.tokens.accessToken).toBe(token.accessToken);
      await expect(
        refreshTokens({ issuer: issuer.issuerUrl, refreshToken: stored?.tokens.refreshToken ?? '' }),
      ).resolves.toMatchObject({ accessToken: expect.any(String) });
    } finally {
      await store.close();
    }
  });

  it('a value of the wrong type under the login key is credentials-corrupt, and logout removes it', async () => {
    const store = createRedisCredentialStore({ url: server.url });
    try {
      for (const plant of [
        () => admin.set('codetether:credentials', '{"version":1}'),
        () => admin.rpush('codetether:credentials', 'a', 'b'),
        () =>
          admin.hset('codetether:credentials', 'data', JSON.stringify({ version: 1 }), 'version', 'seven'),
      ]) {
        await admin.del('codetether:credentials');
        await plant();
        await expect(store.read()).rejects.toMatchObject({ name: 'OAuthError', code: 'credentials-corrupt' });
        await expect(store.write(login())).rejects.toMatchObject({ code: 'credentials-corrupt' });
        // Logging out (which deletes what it cannot read) works, then a new login is saved.
        await createTokenManager({ store, issuer: issuer.issuerUrl }).logout({ revoke: false });
        expect(await store.read()).toBeUndefined();
        await store.write(login());
        expect((await store.read())?.tokens.accessToken).toBe(ACCESS_TOKEN);
      }
    } finally {
      await store.close();
    }
  });

  it('a huge value under the login key is credentials-corrupt without being read into memory', async () => {
    const store = createRedisCredentialStore({ url: server.url });
    try {
      const huge = `{"padding":"${'x'.repeat(8 * 1024 * 1024)}"}`;
      await admin.hset('codetether:credentials', 'data', huge, 'version', '1');
      const error = await store.read().catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'credentials-corrupt' });
      expect((error as Error).message).toMatch(/too large/);
      await store.delete();
      expect(await store.read()).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('a refresh journal of the wrong type reads as none: the refresh goes through', async () => {
    const expired = await storeExpiredLogin();
    await admin.hset('codetether:refresh-journal', 'not', 'a journal');
    const store = createRedisCredentialStore({ url: server.url });
    try {
      const manager = createTokenManager({ store, issuer: issuer.issuerUrl });
      expect((await manager.getAccessToken()).accessToken).not.toBe(expired.accessToken);
      expect(await store.refreshJournal.read()).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('a lock left without a lifetime (or of the wrong type) is taken once a lifetime has passed', async () => {
    const store = createRedisCredentialStore({ url: server.url, lockTtlMs: 1000, lockTimeoutMs: 20_000 });
    try {
      for (const plant of [
        () => admin.set('codetether:lock', 'left-by-a-restore'),
        () => admin.hset('codetether:lock', 'owner', 'someone'),
      ]) {
        await admin.del('codetether:lock');
        await plant();
        let ran = false;
        await store.withLock(async () => {
          ran = true;
        });
        expect(ran).toBe(true);
        expect(await admin.exists('codetether:lock')).toBe(0);
      }
    } finally {
      await store.close();
    }
  });

  it('inspectRedisStore reports a login key of the wrong type as no login instead of failing', async () => {
    await admin.set('codetether:credentials', 'garbage');
    await expect(inspectRedisStore({ url: server.url })).resolves.toMatchObject({ loggedIn: false });
  });

  it('close() while the connection is still opening leaves no connection behind', async () => {
    const connectedClients = async () =>
      String(await admin.client('LIST'))
        .split('\n')
        .filter(Boolean).length;
    const before = await connectedClients();
    const store = createRedisCredentialStore({ url: server.url });
    const reading = store.read().catch(() => undefined);
    await store.close();
    await reading;
    // The server frees a client after its QUIT: wait for it, a bounded number of times.
    let after = await connectedClients();
    for (let attempt = 0; attempt < 50 && after !== before; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      after = await connectedClients();
    }
    expect(after).toBe(before);
  });

  it('listProfiles skips a profile key of the wrong type instead of failing', async () => {
    const store = createRedisCredentialStore({ url: server.url, profile: 'work' });
    try {
      await store.write(login());
      await admin.set('codetether:profile:broken:credentials', 'garbage');
      expect(await store.listProfiles()).toEqual(['work']);
    } finally {
      await store.close();
    }
  });
});

describe('the Redis credential store against a server that accepts and never answers', () => {
  let silent: Server;
  let port: number;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    silent = createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    port = (silent.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('connecting gives up after connectTimeoutMs, whatever the command timeout', async () => {
    const store = createRedisCredentialStore({
      url: `redis://127.0.0.1:${port}/0`,
      connectTimeoutMs: 300,
      commandTimeoutMs: 20_000,
    });
    try {
      const started = Date.now();
      const error = await store.read().catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'store-unavailable', isRetryable: true });
      expect((error as Error).message).toContain('it did not answer in time');
      // Without the bound the handshake's commands waited for the command timeout each (40 s here).
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await store.close();
    }
  });
});

describe.skipIf(!hasRedisServer)('the Redis credential store when Redis goes away under the lock', () => {
  it('Redis stopping between the read and the write: store-unavailable at once; after a restart all works', async () => {
    const server = await startTestRedisServer();
    const store = createRedisCredentialStore({ url: server.url, lockTtlMs: 1000, lockTimeoutMs: 10_000 });
    try {
      await store.write(login());
      const outcome = store.withLock(async () => {
        await store.read();
        await server.stop();
        await store.write(login());
      });
      const error = await outcome.catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'store-unavailable', isRetryable: true });
      expect(everythingShown(error)).not.toContain(ACCESS_TOKEN);
      await server.start();
      await store.withLock(async () => {
        expect(await store.read()).toBeUndefined();
        await store.write(login());
      });
      expect((await store.read())?.tokens.refreshToken).toBe(REFRESH_TOKEN);
    } finally {
      await store.close();
      await server.close();
    }
  });
});
