import { createRedisCredentialStore } from '@codetether/credential-store-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hasRedisServer,
  startTestRedisServer,
  type TestRedisServer,
} from '../../../../scripts/testing/redis-server.js';
import { checkCredentialStore } from './credential-store-check.js';

describe('the doctor’s credential store check', () => {
  it('names the file store by default', async () => {
    expect(await checkCredentialStore({}, '/home/someone/.codetether', 'default')).toEqual({
      name: 'Credential store',
      status: 'ok',
      detail: 'file /home/someone/.codetether/auth.json',
    });
    expect((await checkCredentialStore({}, '/home/someone/.codetether', 'work')).detail).toBe(
      'file /home/someone/.codetether/profiles/work/auth.json',
    );
  });

  it('fails in one line on a malformed CODETETHER_STORE', async () => {
    const check = await checkCredentialStore(
      { CODETETHER_STORE: 'postgres://secret@db/1' },
      '/tmp',
      'default',
    );
    expect(check).toMatchObject({ status: 'fail' });
    expect(check.fix).toMatch(/^Set CODETETHER_STORE to redis:\/\//);
    expect(JSON.stringify(check)).not.toContain('secret');
  });
});

describe.skipIf(!hasRedisServer)('the doctor’s credential store check against a real Redis', () => {
  let redis: TestRedisServer;
  const password = 'doctor-secret-password';

  beforeAll(async () => {
    redis = await startTestRedisServer({ password });
  });
  afterAll(async () => {
    await redis?.close();
  });

  it('reports the address without the password, the Redis version, the login and whether the lock is held', async () => {
    const url = `redis://:${password}@127.0.0.1:${redis.port}/0`;
    const env = { CODETETHER_STORE: url };
    const empty = await checkCredentialStore(env, '/tmp', 'default');
    expect(empty.status).toBe('ok');
    expect(empty.detail).toMatch(
      new RegExp(
        `^Redis redis://127\\.0\\.0\\.1:${redis.port}/0 reachable \\(Redis \\d+\\.\\d+\\.\\d+\\); no login stored; refresh lock free$`,
      ),
    );
    const store = createRedisCredentialStore({ url, lockTtlMs: 10_000 });
    try {
      await store.write({
        type: 'chatgpt',
        tokens: { accessToken: 'access', refreshToken: 'refresh', expiresAt: 2_000_000_000_000 },
        lastRefreshAt: 1_700_000_000_000,
        source: 'login',
      });
      const held = await store.withLock(() => checkCredentialStore(env, '/tmp', 'default'));
      expect(held.detail).toMatch(/login stored; refresh lock held \(expires in \d+ ms unless renewed\)$/);
      expect(JSON.stringify(held)).not.toContain(password);
      // Another profile has its own login and lock.
      const other = await checkCredentialStore(env, '/tmp', 'work');
      expect(other.detail).toMatch(/no login stored \(profile work\); refresh lock free$/);
    } finally {
      await store.close();
    }
  });

  it('a wrong password and an unreachable Redis each fail with one fix line', async () => {
    const wrong = await checkCredentialStore(
      { CODETETHER_STORE: `redis://:not-it@127.0.0.1:${redis.port}/0` },
      '/tmp',
      'default',
    );
    expect(wrong).toMatchObject({
      status: 'fail',
      detail: `Redis at redis://127.0.0.1:${redis.port}/0 refused the user name or password in the store URL (CODETETHER_STORE).`,
      fix: 'Correct the user name, password or database number in CODETETHER_STORE (redis://[user:password@]host[:port][/database]).',
    });
    expect(JSON.stringify(wrong)).not.toContain('not-it');
    const gone = await startTestRedisServer();
    await gone.close();
    const down = await checkCredentialStore({ CODETETHER_STORE: gone.url }, '/tmp', 'default');
    expect(down).toMatchObject({
      status: 'fail',
      detail: `The credential store Redis at ${gone.url} is unavailable (connection refused: nothing is listening there).`,
    });
    expect(down.fix).toMatch(/^Start Redis, or correct the host and port in CODETETHER_STORE/);
  });
});
