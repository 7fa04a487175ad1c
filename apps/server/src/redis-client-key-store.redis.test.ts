import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hasRedisServer,
  startTestRedisServer,
  type TestRedisServer,
} from '../../../scripts/testing/redis-server.js';
import { createClientAuthenticator } from './client-authentication.js';
import { runKeysCommand } from './keys-command.js';
import { createRedisClientKeyStore } from './redis-client-key-store.js';

describe.skipIf(!hasRedisServer)('client keys in Redis (CODETETHER_STORE=redis://…)', () => {
  let redis: TestRedisServer;

  beforeAll(async () => {
    redis = await startTestRedisServer();
  });
  afterAll(async () => {
    await redis?.close();
  });

  it('a key created through one store is accepted through another at once, and refused once revoked', async () => {
    const first = createRedisClientKeyStore({ url: redis.url, keyPrefix: 'auth:' });
    const second = createRedisClientKeyStore({ url: redis.url, keyPrefix: 'auth:' });
    try {
      const authenticator = createClientAuthenticator('server-key', second);
      const { key, record } = await first.create('laptop', { profile: 'work' });
      expect(record).toMatchObject({ name: 'laptop', profile: 'work' });
      expect(JSON.stringify(await second.load())).not.toContain(key);
      expect(await authenticator.authenticate(`Bearer ${key}`)).toBe('laptop');
      await expect(second.create('laptop')).rejects.toMatchObject({ code: 'client_key_exists' });
      await expect(second.create('Not Valid')).rejects.toMatchObject({ code: 'client_key_name_invalid' });
      await second.revoke('laptop');
      await expect(authenticator.authenticate(`Bearer ${key}`)).rejects.toMatchObject({
        status: 401,
        code: 'invalid_api_key',
      });
      await expect(first.revoke('laptop')).rejects.toMatchObject({ code: 'client_key_not_found' });
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('usage published by several gateways adds up (each publishes only what changed)', async () => {
    const stores = [0, 1].map(() => createRedisClientKeyStore({ url: redis.url, keyPrefix: 'usage:' }));
    const [first, second] = stores;
    if (first === undefined || second === undefined) throw new Error('no store');
    try {
      await first.create('ci');
      await first.publish(new Map([['ci', { requests: 2, tokens: 20 }]]));
      await first.publish(new Map([['ci', { requests: 3, tokens: 30 }]]));
      await second.publish(new Map([['ci', { requests: 1, tokens: 5 }]]));
      expect(await second.read()).toEqual({
        keys: { ci: { requests: 4, tokens: 35 } },
        scope: 'of every replica, since each key was created',
      });
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('Redis down: the gateway answers 503 store_unavailable (never 401), its own key still works; keys fails in one line', async () => {
    const own = await startTestRedisServer();
    const store = createRedisClientKeyStore({ url: own.url });
    try {
      const { key } = await store.create('phone');
      const authenticator = createClientAuthenticator('server-key', store);
      await own.stop();
      await expect(authenticator.authenticate(`Bearer ${key}`)).rejects.toMatchObject({
        status: 503,
        code: 'store_unavailable',
      });
      await expect(authenticator.authenticate('Bearer wrong')).rejects.toMatchObject({ status: 503 });
      expect(await authenticator.authenticate('Bearer server-key')).toBe('server');
      const error = await runKeysCommand(['list'], {
        env: { CODETETHER_STORE: own.url },
        stdout: () => {},
        stderr: () => {},
      }).catch((thrown: unknown) => thrown);
      expect(error).toMatchObject({ code: 'client_key_store_unavailable', isRetryable: true });
      expect((error as Error).message).toBe(
        `The credential store Redis at ${own.url} is unavailable (connection refused: nothing is listening there). Check that Redis is running and reachable, then try again.`,
      );
      await own.start();
      await expect(authenticator.authenticate(`Bearer ${key}`)).rejects.toMatchObject({ status: 401 });
    } finally {
      await store.close();
      await own.close();
    }
  });
});
