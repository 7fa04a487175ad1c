import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { resolveAuthSession } from './auth.js';
import { resolveCredentialStoreSetting } from './configuration.js';
import { openCredentialStore } from './credential-store-selection.js';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address !== null ? address.port : 1;
}

describe('CODETETHER_STORE', () => {
  it('selects the file store by default and for `file`, Redis for redis:// and rediss:// URLs', () => {
    expect(resolveCredentialStoreSetting({})).toEqual({ type: 'file' });
    expect(resolveCredentialStoreSetting({ CODETETHER_STORE: ' File ' })).toEqual({ type: 'file' });
    expect(
      resolveCredentialStoreSetting({ CODETETHER_STORE: 'rediss://user:secret@cache.example:6380/2' }),
    ).toEqual({
      type: 'redis',
      url: 'rediss://user:secret@cache.example:6380/2',
      location: 'rediss://cache.example:6380/2',
    });
    expect(openCredentialStore({ CODETETHER_HOME: '/tmp/codetether-home-test' }).location).toBe(
      '/tmp/codetether-home-test/auth.json',
    );
    const redis = openCredentialStore({ CODETETHER_STORE: 'redis://:secret@127.0.0.1:6379' });
    expect(redis.location).toBe('redis://127.0.0.1:6379/0');
    expect(String(redis)).not.toContain('secret');
  });

  it('an invalid value is one store-unavailable line that never repeats the value', () => {
    let error: unknown;
    try {
      resolveCredentialStoreSetting({ CODETETHER_STORE: 'postgres://admin:hunter2@db/0' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'store-unavailable', isRetryable: false });
    expect((error as Error).message).toMatch(
      /^CODETETHER_STORE is neither `file` nor a redis:\/\/ or rediss:\/\/ URL\./,
    );
    expect((error as Error).message).not.toContain('hunter2');
  });

  it('an unreachable Redis makes the provider fail with the retryable store-unavailable, without the password', async () => {
    const port = await closedPort();
    const error = await resolveAuthSession({
      auth: { type: 'auto' },
      env: { CODETETHER_STORE: `redis://:hunter2@127.0.0.1:${port}/0` },
      issuer: 'http://127.0.0.1:1',
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'CodexProviderError', code: 'store-unavailable', isRetryable: true });
    expect((error as Error).message).toBe(
      `The credential store Redis at redis://127.0.0.1:${port}/0 is unavailable (connection refused: nothing is listening there). Check that Redis is running and reachable, then try again.`,
    );
  });
});
