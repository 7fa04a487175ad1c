import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRedisServer, startTestRedisServer, type TestRedisServer } from './__fixtures__/redis-server.js';
import { createRedisClientKeyRegistry, type StoredClientKey } from './redis-client-key-registry.js';

const keyNamed = (name: string): StoredClientKey => ({
  name,
  hash: 'a'.repeat(64),
  createdAt: '2026-01-01T00:00:00.000Z',
});

describe.skipIf(!hasRedisServer)('the client-key registry against damaged counters and huge usage', () => {
  let server: TestRedisServer;
  let admin: Redis;

  beforeAll(async () => {
    server = await startTestRedisServer();
    admin = new Redis(server.port, '127.0.0.1');
  });
  afterAll(async () => {
    admin?.disconnect();
    await server?.close();
  });

  it('a counter that is not a number does not stop every other key’s usage from being counted', async () => {
    const registry = createRedisClientKeyRegistry({ url: server.url, keyPrefix: 'damaged:' });
    try {
      await registry.add(keyNamed('alice'));
      await registry.add(keyNamed('bob'));
      await admin.hset('damaged:client-key-usage', 'tokens:alice', 'not a number');
      await registry.addUsage(
        new Map([
          ['alice', { requests: 1, tokens: 10 }],
          ['bob', { requests: 2, tokens: 20 }],
        ]),
      );
      const usage = await registry.readUsage();
      expect(usage.get('bob')).toEqual({ requests: 2, tokens: 20 });
      // The damaged counter starts again from what was added.
      expect(usage.get('alice')).toEqual({ requests: 1, tokens: 10 });
    } finally {
      await registry.close();
    }
  });

  it('a huge usage figure (a hostile upstream’s) is counted as a whole number, and counting goes on', async () => {
    const registry = createRedisClientKeyRegistry({ url: server.url, keyPrefix: 'huge:' });
    try {
      await registry.add(keyNamed('carol'));
      await registry.addUsage(new Map([['carol', { requests: 1, tokens: 1e308 }]]));
      await registry.addUsage(new Map([['carol', { requests: 1, tokens: 5 }]]));
      const usage = (await registry.readUsage()).get('carol');
      expect(usage?.requests).toBe(2);
      expect(Number.isSafeInteger(usage?.tokens)).toBe(true);
    } finally {
      await registry.close();
    }
  });
});
