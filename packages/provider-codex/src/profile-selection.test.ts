import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKeyFileStore } from '@codetether/oauth-pkce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hasRedisServer,
  startTestRedisServer,
  type TestRedisServer,
} from '../../credential-store-redis/src/__fixtures__/redis-server.js';
import { resolveAuthSession } from './auth.js';
import { resolveProfile } from './configuration.js';
import { openCredentialStore } from './credential-store-selection.js';

const login = (marker: string) => ({
  type: 'chatgpt' as const,
  tokens: {
    accessToken: `access-${marker}`,
    refreshToken: `refresh-${marker}`,
    expiresAt: 2_000_000_000_000,
  },
  accountId: `acct_${marker}`,
  lastRefreshAt: 1_700_000_000_000,
  source: 'login' as const,
});

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'provider-profiles-'));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('profile selection', () => {
  it('takes the option, then CODETETHER_PROFILE, then default', () => {
    expect(resolveProfile(undefined, {})).toBe('default');
    expect(resolveProfile(undefined, { CODETETHER_PROFILE: ' work ' })).toBe('work');
    expect(resolveProfile('personal', { CODETETHER_PROFILE: 'work' })).toBe('personal');
  });

  it('says where a hostile name came from (invalid-request)', () => {
    expect(() => resolveProfile(undefined, { CODETETHER_PROFILE: '../x' })).toThrow(
      expect.objectContaining({
        code: 'invalid-request',
        message: expect.stringMatching(
          /^The profile name "\.\.\/x" is not valid\..*\(from CODETETHER_PROFILE\)$/,
        ),
      }),
    );
    expect(() => openCredentialStore({ CODETETHER_HOME: home }, { profile: 'a/b' })).toThrow(
      expect.objectContaining({
        code: 'invalid-request',
        message: expect.stringMatching(/the profile option/),
      }),
    );
  });

  it('opens the named profile of the file store beside the default one', async () => {
    expect(openCredentialStore({ CODETETHER_HOME: home }).location).toBe(join(home, 'auth.json'));
    const work = openCredentialStore({ CODETETHER_HOME: home, CODETETHER_PROFILE: 'work' });
    expect(work.location).toBe(join(home, 'profiles', 'work', 'auth.json'));
    expect(work.profile).toBe('work');
    await work.write(login('work'));
    expect(await openCredentialStore({ CODETETHER_HOME: home }).listProfiles?.()).toEqual(['work']);
    const session = await resolveAuthSession({
      auth: { type: 'auto' },
      env: { CODETETHER_HOME: home },
      profile: 'work',
      issuer: 'http://127.0.0.1:1',
    });
    expect((await session.getCredentials()).accountId).toBe('acct_work');
  });

  it('a named profile without a login is not-logged-in naming it, never OPENAI_API_KEY', async () => {
    const error = await resolveAuthSession({
      auth: { type: 'auto' },
      env: { CODETETHER_HOME: home, OPENAI_API_KEY: 'sk-environment' },
      profile: 'empty',
      issuer: 'http://127.0.0.1:1',
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'not-logged-in' });
    expect((error as Error).message).toContain('`codetether auth login --profile empty`');
  });

  it("uses a named profile's stored API key", async () => {
    await createApiKeyFileStore({ home, profile: 'keyed' }).write('sk-keyed');
    const session = await resolveAuthSession({
      auth: { type: 'auto' },
      env: { CODETETHER_HOME: home, CODETETHER_PROFILE: 'keyed' },
      issuer: 'http://127.0.0.1:1',
    });
    expect(await session.getCredentials()).toEqual({ bearerToken: 'sk-keyed' });
  });
});

describe.skipIf(!hasRedisServer)('profile selection with CODETETHER_STORE=redis://', () => {
  let server: TestRedisServer;
  beforeAll(async () => {
    server = await startTestRedisServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('keeps each profile under its own keys and lists them', async () => {
    const env = { CODETETHER_STORE: server.url, CODETETHER_HOME: home };
    const fallback = openCredentialStore(env);
    const work = openCredentialStore({ ...env, CODETETHER_PROFILE: 'work' });
    expect(work.location).toBe(`${server.url} (profile work)`);
    await fallback.write(login('default'));
    await work.write(login('work'));
    expect((await work.read())?.accountId).toBe('acct_work');
    expect((await fallback.read())?.accountId).toBe('acct_default');
    expect(await fallback.listProfiles?.()).toEqual(['default', 'work']);
    for (const store of [fallback, work]) {
      await (store as unknown as { close?: () => Promise<void> }).close?.();
    }
  });
});
