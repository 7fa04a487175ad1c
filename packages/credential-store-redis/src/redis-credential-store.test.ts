import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import type { StoredChatGptCredentials } from '@codetether/oauth-pkce';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hasRedisServer, startTestRedisServer, type TestRedisServer } from './__fixtures__/redis-server.js';
import { createRedisCredentialStore } from './redis-credential-store.js';

if (!hasRedisServer) {
  console.warn(
    'redis-server is not installed: skipping the Redis credential store tests (apt-get install redis-server).',
  );
}

const login = (marker: string, refreshToken = `refresh-${marker}`): StoredChatGptCredentials => ({
  type: 'chatgpt',
  tokens: { accessToken: `access-${marker}`, refreshToken, expiresAt: 2_000_000_000_000 },
  accountId: 'acct_123',
  lastRefreshAt: 1_700_000_000_000,
  source: 'login',
});

const hooks = fileURLToPath(new URL('../../../scripts/testing/typescript-source-hooks.mjs', import.meta.url));
const childScript = fileURLToPath(new URL('./__fixtures__/store-child.mjs', import.meta.url));

function spawnChild(mode: string, url: string) {
  const child = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', '--import', hooks, childScript, mode, url],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const line = (expected: string) =>
    new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString('utf8').includes(expected)) resolve();
      });
      child.once('exit', (code) => reject(new Error(`child exited (${code}): ${stderr}`)));
    });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, line, exit };
}

describe.skipIf(!hasRedisServer)('createRedisCredentialStore', () => {
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
  beforeEach(async () => {
    await admin.flushall();
  });

  it('writes, reads and deletes a login without ever showing its tokens', async () => {
    const store = createRedisCredentialStore({ url: server.url });
    try {
      expect(await store.read()).toBeUndefined();
      await store.write(login('one'));
      const stored = await store.read();
      expect(stored).toEqual(login('one'));
      expect(inspect(stored)).not.toContain('access-one');
      expect(inspect(store)).toBe(`RedisCredentialStore { location: ${server.url} }`);
      expect(JSON.parse((await admin.hget('codetether:credentials', 'data')) ?? '')).toMatchObject({
        version: 1,
      });
      await store.delete();
      expect(await store.read()).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('refuses to overwrite data that is not a CodeTether login (credentials-corrupt); delete removes it', async () => {
    const store = createRedisCredentialStore({ url: server.url });
    try {
      await admin.hset('codetether:credentials', 'data', '{not json', 'version', '1');
      await expect(store.read()).rejects.toMatchObject({ code: 'credentials-corrupt' });
      await expect(store.write(login('one'))).rejects.toMatchObject({ code: 'credentials-corrupt' });
      await store.delete();
      await store.write(login('one'));
      expect((await store.read())?.tokens.accessToken).toBe('access-one');
    } finally {
      await store.close();
    }
  });

  it('a holder whose lock expired cannot overwrite what the next holder saved (write-conflict)', async () => {
    const stale = createRedisCredentialStore({ url: server.url });
    const next = createRedisCredentialStore({ url: server.url });
    try {
      await stale.write(login('one'));
      const outcome = stale.withLock(async () => {
        await stale.read();
        // The lock expires (the holder was paused); another gateway takes it and saves a newer login.
        await admin.del('codetether:lock');
        await next.withLock(async () => {
          await next.read();
          await next.write(login('two'));
        });
        await stale.write(login('stale'));
      });
      await expect(outcome).rejects.toMatchObject({ code: 'write-conflict', isRetryable: true });
      expect((await next.read())?.tokens.accessToken).toBe('access-two');
    } finally {
      await Promise.all([stale.close(), next.close()]);
    }
  });

  it('a write under the lock is a compare-and-set on the version it read', async () => {
    const holder = createRedisCredentialStore({ url: server.url });
    const other = createRedisCredentialStore({ url: server.url });
    try {
      await holder.write(login('one'));
      const outcome = holder.withLock(async () => {
        await holder.read();
        await other.write(login('newer'));
        await holder.write(login('stale'));
      });
      await expect(outcome).rejects.toMatchObject({ code: 'write-conflict' });
      expect((await other.read())?.tokens.accessToken).toBe('access-newer');
      // Reading again under a new hold, the write goes through.
      await holder.withLock(async () => {
        await holder.read();
        await holder.write(login('three'));
        await holder.write(login('four'));
      });
      expect((await other.read())?.tokens.accessToken).toBe('access-four');
    } finally {
      await Promise.all([holder.close(), other.close()]);
    }
  });

  it('a lock holder SIGKILLed while holding the lock delays others no longer than the lock lifetime', async () => {
    const store = createRedisCredentialStore({ url: server.url, lockTtlMs: 2000 });
    const { child, line } = spawnChild('hold-lock', server.url);
    try {
      await line('locked');
      child.kill('SIGKILL');
      const started = Date.now();
      await store.withLock(async () => {});
      // Well under the 60 s lock timeout; the margin covers polling and a busy machine.
      expect(Date.now() - started).toBeLessThanOrEqual(2000 + 1500);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await store.close();
    }
  });

  it('waiting longer than lockTimeoutMs for a live holder fails with the retryable lock-failed', async () => {
    const holder = createRedisCredentialStore({ url: server.url });
    const waiter = createRedisCredentialStore({ url: server.url, lockTimeoutMs: 300 });
    try {
      await holder.withLock(async () => {
        await expect(waiter.withLock(async () => {})).rejects.toMatchObject({
          code: 'lock-failed',
          isRetryable: true,
        });
      });
      // The holder released its lock: the waiter gets it now.
      await waiter.withLock(async () => {});
    } finally {
      await Promise.all([holder.close(), waiter.close()]);
    }
  });

  it('a process that used the store exits by itself (the idle connection does not hold it open)', async () => {
    const { line, exit } = spawnChild('read', server.url);
    await line('read');
    expect(await exit).toBe(0);
  });
});

describe.skipIf(!hasRedisServer)('createRedisCredentialStore when Redis is down or misconfigured', () => {
  it('Redis stopped → store-unavailable; restarted → works again, never a partial login', async () => {
    const server = await startTestRedisServer();
    const store = createRedisCredentialStore({ url: server.url });
    try {
      await store.write(login('one'));
      await server.stop();
      const error = await store.read().catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'store-unavailable', isRetryable: true });
      // The first command may still go out on the dying connection ("closed"); the next one reconnects.
      expect((error as Error).message).toMatch(
        /^The credential store Redis at redis:\/\/127\.0\.0\.1:\d+\/0 is unavailable \((connection refused: nothing is listening there|the connection failed or was closed)\)\. Check that Redis is running and reachable, then try again\.$/,
      );
      await expect(store.read()).rejects.toMatchObject({
        code: 'store-unavailable',
        message: `The credential store Redis at ${server.url} is unavailable (connection refused: nothing is listening there). Check that Redis is running and reachable, then try again.`,
      });
      await expect(store.write(login('two'))).rejects.toMatchObject({ code: 'store-unavailable' });
      await expect(store.withLock(async () => {})).rejects.toMatchObject({ code: 'store-unavailable' });
      await server.start();
      // The test server keeps nothing on disk: the login is gone, not half there.
      expect(await store.read()).toBeUndefined();
      await store.write(login('three'));
      expect(await store.read()).toEqual(login('three'));
    } finally {
      await store.close();
      await server.close();
    }
  });

  it('a wrong password or database gives one line without the password (store-misconfigured)', async () => {
    const server = await startTestRedisServer({ password: 'right-password' });
    try {
      const wrong = createRedisCredentialStore({ url: `redis://:hunter2@127.0.0.1:${server.port}/0` });
      const error = await wrong.read().catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'store-misconfigured', isRetryable: false });
      expect((error as Error).message).toBe(
        `Redis at ${server.url} refused the user name or password in the store URL (CODETETHER_STORE). Correct the URL and try again.`,
      );
      const right = createRedisCredentialStore({ url: `redis://:right-password@127.0.0.1:${server.port}/3` });
      await right.write(login('one'));
      expect((await right.read())?.tokens.accessToken).toBe('access-one');
      await right.close();
      const badDatabase = createRedisCredentialStore({
        url: `redis://:right-password@127.0.0.1:${server.port}/99`,
      });
      await expect(badDatabase.read()).rejects.toMatchObject({
        code: 'store-misconfigured',
        message: expect.stringContaining('refused the database number'),
      });
    } finally {
      await server.close();
    }
  });
});
