import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeChatGptJwt, makeJwt } from './__fixtures__/jwt.js';
import { resolveCodexHome } from './codetether-home.js';
import { CODEX_CLI_IMPORT_NOTICE, importCodexCliLogin } from './codex-cli-import.js';
import { createFileCredentialStore } from './file-credential-store.js';
import { createMemoryCredentialStore } from './memory-credential-store.js';

let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'oauth-pkce-codex-'));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('importCodexCliLogin', () => {
  it('copies the Codex CLI tokens into our store with source codex-cli-import', async () => {
    const accessToken = makeChatGptJwt({ accountId: 'acct_codex', exp: 2_000_000_000 });
    const idToken = makeJwt({ 'https://api.openai.com/auth': { chatgpt_account_id: 'acct_codex' } });
    await writeFile(
      join(folder, 'auth.json'),
      JSON.stringify({
        OPENAI_API_KEY: null,
        tokens: {
          id_token: idToken,
          access_token: accessToken,
          refresh_token: 'rt-codex',
          account_id: 'acct_codex',
        },
        last_refresh: '2025-01-02T03:04:05Z',
      }),
    );
    const store = createFileCredentialStore({ home: join(folder, 'codetether') });
    const imported = await importCodexCliLogin({ codexHome: folder, store });
    expect(imported).toEqual({
      type: 'chatgpt',
      tokens: { accessToken, refreshToken: 'rt-codex', idToken, expiresAt: 2_000_000_000_000 },
      accountId: 'acct_codex',
      lastRefreshAt: Date.parse('2025-01-02T03:04:05Z'),
      source: 'codex-cli-import',
    });
    expect(await store.read()).toEqual(imported);
  });

  it('falls back to claims for the account id and expires unknown-expiry tokens at once', async () => {
    await writeFile(
      join(folder, 'auth.json'),
      JSON.stringify({
        tokens: {
          access_token: 'opaque',
          refresh_token: 'rt',
          id_token: makeJwt({ chatgpt_account_id: 'acct_claim' }),
        },
      }),
    );
    const imported = await importCodexCliLogin({
      codexHome: folder,
      store: createMemoryCredentialStore(),
      now: () => 42,
    });
    expect(imported).toMatchObject({ accountId: 'acct_claim', lastRefreshAt: 42, tokens: { expiresAt: 0 } });
  });

  it('has a plain notice that refreshing the copy logs the Codex CLI out', () => {
    expect(CODEX_CLI_IMPORT_NOTICE).toContain('does not share');
    expect(CODEX_CLI_IMPORT_NOTICE).toContain('the Codex CLI is logged out');
    expect(CODEX_CLI_IMPORT_NOTICE).toContain('codetether auth login');
  });

  it('uses CODEX_HOME by default', () => {
    expect(resolveCodexHome({ CODEX_HOME: folder })).toBe(folder);
    expect(resolveCodexHome({})).toMatch(/\.codex$/);
  });

  it('reports a missing login, an API-key-only login, corrupt JSON and a foreign format clearly', async () => {
    const store = createMemoryCredentialStore();
    await expect(importCodexCliLogin({ codexHome: folder, store })).rejects.toMatchObject({
      code: 'codex-login-not-found',
      path: join(folder, 'auth.json'),
    });
    await writeFile(join(folder, 'auth.json'), JSON.stringify({ OPENAI_API_KEY: 'sk-secret', tokens: null }));
    const apiKeyOnly = await importCodexCliLogin({ codexHome: folder, store }).catch(
      (caught: unknown) => caught,
    );
    expect(apiKeyOnly).toMatchObject({ code: 'codex-login-not-found' });
    expect((apiKeyOnly as Error).message).not.toContain('sk-secret');
    await writeFile(join(folder, 'auth.json'), '{oops');
    await expect(importCodexCliLogin({ codexHome: folder, store })).rejects.toMatchObject({
      code: 'credentials-corrupt',
    });
    await writeFile(join(folder, 'auth.json'), JSON.stringify({ tokens: { access_token: 5 } }));
    await expect(importCodexCliLogin({ codexHome: folder, store })).rejects.toMatchObject({
      code: 'credentials-corrupt',
    });
    expect(await store.read()).toBeUndefined();
  });
});
