import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRedisServer, startTestRedisServer, type TestRedisServer } from './__fixtures__/redis-server.js';
import { createRedisClientKeyRegistry, type StoredClientKey } from './redis-client-key-registry.js';

if (!hasRedisServer) {
  console.warn('redis-server is not installed: skipping the Redis client key registry tests.');
}

const keyNamed = (name: string, createdAt = '2026-01-01T00:00:00.000Z'): StoredClientKey => ({
  name,
  hash: 'a'.repeat(64),
  createdAt,
});

describe.skipIf(!hasRedisServer)('createRedisClientKeyRegistry', () => {
  let server: TestRedisServer;

  beforeAll(async () => {
    server = await startTestRedisServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('two registries (two replicas) see each other’s keys at once, in creation order', async () => {
    const first = createRedisClientKeyRegistry({ url: server.url, keyPrefix: 'shared:' });
    const second = createRedisClientKeyRegistry({ url: server.url, keyPrefix: 'shared:' });
    try {
      expect(await first.add(keyNamed('phone', '2026-01-02T00:00:00.000Z'))).toBe(true);
      expect(await second.add(keyNamed('laptop'))).toBe(true);
      expect(await second.add({ ...keyNamed('laptop'), profile: 'work' })).toBe(false);
      const listed = await first.list();
      expect(listed.keys?.map((key) => key.name)).toEqual(['laptop', 'phone']);
      // Unchanged: only the version comes back.
      expect(await first.list(listed.version)).toEqual({ version: listed.version, keys: undefined });
      expect(await second.remove('phone')).toEqual(keyNamed('phone', '2026-01-02T00:00:00.000Z'));
      expect(await second.remove('phone')).toBeUndefined();
      const after = await first.list(listed.version);
      expect(after.version).not.toBe(listed.version);
      expect(after.keys?.map((key) => key.name)).toEqual(['laptop']);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('adds usage atomically from several replicas, skips revoked keys, and resets a re-created key', async () => {
    const registries = Array.from({ length: 4 }, () =>
      createRedisClientKeyRegistry({ url: server.url, keyPrefix: 'usage:' }),
    );
    const [first] = registries;
    if (first === undefined) throw new Error('no registry');
    try {
      await first.add(keyNamed('ci'));
      await Promise.all(
        registries.flatMap((registry) =>
          Array.from({ length: 25 }, () =>
            registry.addUsage(
              new Map([
                ['ci', { requests: 1, tokens: 10 }],
                ['gone', { requests: 1, tokens: 1 }],
              ]),
            ),
          ),
        ),
      );
      expect(await first.readUsage()).toEqual(new Map([['ci', { requests: 100, tokens: 1000 }]]));
      await first.remove('ci');
      await first.add(keyNamed('ci'));
      expect(await first.readUsage()).toEqual(new Map());
    } finally {
      await Promise.all(registries.map((registry) => registry.close()));
    }
  });

  it('fails with store-unavailable while Redis is down, and works again once it is back', async () => {
    const own = await startTestRedisServer();
    const registry = createRedisClientKeyRegistry({
      url: own.url,
      connectTimeoutMs: 500,
      commandTimeoutMs: 500,
    });
    try {
      await registry.add(keyNamed('before'));
      await own.stop();
      await expect(registry.list()).rejects.toMatchObject({ code: 'store-unavailable', isRetryable: true });
      await own.start();
      expect((await registry.list()).keys).toEqual([]);
    } finally {
      await registry.close();
      await own.close();
    }
  });
});
