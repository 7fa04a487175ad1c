import type { StoredChatGptCredentials } from '@codetether/oauth-pkce';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hasRedisServer, startTestRedisServer, type TestRedisServer } from './__fixtures__/redis-server.js';
import { createRedisCredentialStore, type RedisCredentialStore } from './redis-credential-store.js';

const login = (marker: string): StoredChatGptCredentials => ({
  type: 'chatgpt',
  tokens: {
    accessToken: `access-${marker}`,
    refreshToken: `refresh-${marker}`,
    expiresAt: 2_000_000_000_000,
  },
  accountId: `acct_${marker}`,
  lastRefreshAt: 1_700_000_000_000,
  source: 'login',
});

describe.skipIf(!hasRedisServer)('Redis credential store profiles', () => {
  let server: TestRedisServer;
  let admin: Redis;
  const opened: RedisCredentialStore[] = [];
  const open = (options: { profile?: string; keyPrefix?: string } = {}) => {
    const store = createRedisCredentialStore({ url: server.url, ...options });
    opened.push(store);
    return store;
  };

  beforeAll(async () => {
    server = await startTestRedisServer();
    admin = new Redis(server.port, '127.0.0.1');
  });
  afterAll(async () => {
    await Promise.all(opened.map((store) => store.close()));
    admin?.disconnect();
    await server?.close();
  });
  beforeEach(async () => {
    await admin.flushall();
  });

  it('keeps the default profile on the existing keys and a named one under profile:<name>:', async () => {
    const fallback = open();
    const work = open({ profile: 'work' });
    expect(fallback.profile).toBe('default');
    expect(work.profile).toBe('work');
    expect(work.location).toBe(`${server.url} (profile work)`);
    await fallback.write(login('default'));
    await work.write(login('work'));
    expect(await admin.hexists('codetether:credentials', 'data')).toBe(1);
    expect(await admin.hexists('codetether:profile:work:credentials', 'data')).toBe(1);
    expect((await fallback.read())?.accountId).toBe('acct_default');
    expect((await work.read())?.accountId).toBe('acct_work');
    await work.delete();
    expect(await work.read()).toBeUndefined();
    expect((await fallback.read())?.accountId).toBe('acct_default');
  });

  it('locks each profile on its own key', async () => {
    const work = open({ profile: 'work' });
    const personal = open({ profile: 'personal' });
    await work.withLock(async () => {
      expect(await admin.exists('codetether:profile:work:lock')).toBe(1);
      // Another profile's lock is free while this one is held.
      await personal.withLock(async () => {
        expect(await admin.exists('codetether:profile:personal:lock')).toBe(1);
      });
    });
    expect(await admin.exists('codetether:profile:work:lock', 'codetether:lock')).toBe(0);
  });

  it('lists the profiles holding a login with SCAN, default first, logged-out ones left out', async () => {
    const store = open();
    expect(await store.listProfiles()).toEqual([]);
    // Enough unrelated keys that SCAN needs several rounds.
    const filler = admin.pipeline();
    for (let index = 0; index < 1000; index += 1) filler.set(`other:key:${index}`, 'x');
    await filler.exec();
    await open({ profile: 'zeta' }).write(login('zeta'));
    await open({ profile: 'alpha' }).write(login('alpha'));
    const gone = open({ profile: 'gone' });
    await gone.write(login('gone'));
    await gone.delete();
    await admin.hset('codetether:profile:Bad*Name:credentials', 'data', '{}');
    expect(await store.listProfiles()).toEqual(['alpha', 'zeta']);
    await store.write(login('default'));
    expect(await open({ profile: 'alpha' }).listProfiles()).toEqual(['default', 'alpha', 'zeta']);
  });

  it('lists only the profiles under its own key prefix, even one with glob characters', async () => {
    await open({ keyPrefix: 'team[1]:', profile: 'work' }).write(login('work'));
    await open({ keyPrefix: 'team1:', profile: 'other' }).write(login('other'));
    expect(await open({ keyPrefix: 'team[1]:' }).listProfiles()).toEqual(['work']);
  });

  it('refuses a hostile profile name with invalid-profile', () => {
    expect(() => createRedisCredentialStore({ url: server.url, profile: 'x:*' })).toThrow(
      expect.objectContaining({ code: 'invalid-profile' }),
    );
  });
});
