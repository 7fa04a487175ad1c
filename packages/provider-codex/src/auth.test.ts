import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKeyFileStore, createFileCredentialStore, OAuthError } from '@codetether/oauth-pkce';
import { describe, expect, it } from 'vitest';
import { mapAuthError, resolveAuthSession } from './auth.js';

describe('mapAuthError', () => {
  it('keeps oauth-pkce messages that already say what to do, without repeating the advice', () => {
    const rejected = new OAuthError(
      'refresh-token-rejected',
      'Your ChatGPT login could not be refreshed: the issuer rejected the refresh token (refresh_token_reused (HTTP 401)). Log in again with `codetether auth login`.',
      { status: 401 },
    );
    const mapped = mapAuthError(rejected);
    expect(mapped).toMatchObject({ code: 'unauthorized', status: 401, isRetryable: false });
    expect(mapped.message).toBe(rejected.message);
    expect(mapped.cause).toBe(rejected);

    const network = mapAuthError(
      new OAuthError(
        'network-error',
        'Refreshing the token could not reach auth.openai.com: ECONNREFUSED. Check your network connection (and proxy settings) and try again.',
        { isRetryable: true },
      ),
    );
    expect(network).toMatchObject({ code: 'network-error', isRetryable: true });
    expect(network.message.match(/codetether auth login|Check your network/g)).toHaveLength(1);
  });

  it('reports a credentials file over its size limit like any other unreadable one (not-logged-in, its own message)', () => {
    const tooLarge = new OAuthError(
      'file-too-large',
      'The credentials file /x/auth.json is too large (over the limit of 1 MiB (1048576 bytes)), so CodeTether did not read it. Move it away, then run `codetether auth login`.',
      { path: '/x/auth.json', maxBytes: 1024 * 1024 },
    );
    const unreadable = new OAuthError('credentials-io-error', 'The credentials file /x/auth.json is a FIFO.');
    const mapped = mapAuthError(tooLarge);
    expect(mapped).toMatchObject({ code: mapAuthError(unreadable).code, isRetryable: false });
    expect(mapped.message).toBe(tooLarge.message);
  });

  it('ends every message with one period and a next step', () => {
    for (const error of [
      new Error('boom.'),
      new Error('boom'),
      new Error(''),
      'not an error',
      new OAuthError(
        'token-endpoint-error',
        'Refreshing failed: HTTP 500. Log in again with `codetether auth login`.',
      ),
      new OAuthError(
        'credentials-corrupt',
        'The credentials file /x/auth.json is not valid JSON. Run `codetether auth login`.',
      ),
      new OAuthError('lock-failed', 'Could not lock /x/auth.json. Delete /x/auth.json.lock and try again.'),
    ]) {
      const { message } = mapAuthError(error);
      expect(message).not.toMatch(/\.\.|\.\)\.|: \./);
      expect(message).toMatch(/[.!?]$/);
      expect(message).toMatch(/codetether auth login|try again/i);
    }
  });
});

describe('resolveAuthSession (auto)', () => {
  const withHome = async (
    run: (home: string, env: Record<string, string | undefined>) => Promise<void>,
  ): Promise<void> => {
    const home = await mkdtemp(join(tmpdir(), 'provider-auth-'));
    try {
      await run(home, { CODETETHER_HOME: home });
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  };
  const resolveAuto = (env: Record<string, string | undefined>) =>
    resolveAuthSession({ auth: { type: 'auto' }, env, issuer: 'http://127.0.0.1:9' });

  it('uses a stored ChatGPT login, then a stored API key, then OPENAI_API_KEY', async () => {
    await withHome(async (home, env) => {
      await expect(resolveAuto(env)).rejects.toMatchObject({ code: 'not-logged-in' });
      await expect(resolveAuto(env)).rejects.toThrow(/--with-api-key/);

      const fromEnvironment = await resolveAuto({ ...env, OPENAI_API_KEY: 'sk-from-env' });
      expect(await fromEnvironment.getCredentials()).toEqual({ bearerToken: 'sk-from-env' });
      expect(await fromEnvironment.describe()).toMatchObject({ mode: 'api-key', location: 'OPENAI_API_KEY' });

      const apiKeys = createApiKeyFileStore({ home });
      await apiKeys.write('sk-stored');
      const stored = await resolveAuto({ ...env, OPENAI_API_KEY: 'sk-from-env' });
      expect(await stored.getCredentials()).toEqual({ bearerToken: 'sk-stored' });
      expect(await stored.describe()).toMatchObject({ mode: 'api-key', location: apiKeys.location });

      await createFileCredentialStore({ home }).write({
        type: 'chatgpt',
        tokens: { accessToken: 'access', refreshToken: 'refresh', expiresAt: Date.now() + 3_600_000 },
        accountId: 'account-1',
        lastRefreshAt: Date.now(),
        source: 'login',
      });
      const chatgpt = await resolveAuto({ ...env, OPENAI_API_KEY: 'sk-from-env' });
      expect(chatgpt.mode).toBe('chatgpt');
      expect(await chatgpt.getCredentials()).toEqual({ bearerToken: 'access', accountId: 'account-1' });
    });
  });

  it('reports a damaged stored API key as not logged in, naming the file', async () => {
    await withHome(async (home, env) => {
      await writeFile(join(home, 'api-key.json'), 'not json', { mode: 0o600 });
      const error = await resolveAuto(env).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'not-logged-in' });
      expect((error as Error).message).toContain(join(home, 'api-key.json'));
    });
  });
});
