import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { growFileAfterFstat } from './__fixtures__/file-growth.js';
import { makeChatGptJwt } from './__fixtures__/jwt.js';
import { importCodexCliLogin } from './codex-cli-import.js';
import { createMemoryCredentialStore } from './memory-credential-store.js';

let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'oauth-pkce-codex-hostile-'));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

const posixOnly = process.platform === 'win32' ? it.skip : it;
const withDevZero = existsSync('/dev/zero') && process.platform !== 'win32' ? it : it.skip;

function codexAuthFile(): string {
  return JSON.stringify({
    tokens: { access_token: makeChatGptJwt({ accountId: 'acct_link' }), refresh_token: 'rt-link' },
  });
}

describe('importCodexCliLogin with a Codex auth.json that is not a plain file', () => {
  posixOnly('refuses a named pipe (FIFO) at once instead of waiting forever for a writer', async () => {
    execFileSync('mkfifo', [join(folder, 'auth.json')]);
    const store = createMemoryCredentialStore();
    const error = await importCodexCliLogin({ codexHome: folder, store }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'OAuthError', code: 'credentials-io-error' });
    expect((error as Error).message).toContain('a named pipe (FIFO), not a regular file');
    expect(await store.read()).toBeUndefined();
  });

  withDevZero(
    'refuses a link to a device (/dev/zero) instead of reading it until memory runs out',
    async () => {
      await symlink('/dev/zero', join(folder, 'auth.json'));
      const error = await importCodexCliLogin({
        codexHome: folder,
        store: createMemoryCredentialStore(),
      }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: 'OAuthError', code: 'credentials-io-error' });
      expect((error as Error).message).toContain('a device, not a regular file');
      expect((error as Error).message).not.toContain('undefined');
    },
  );

  it('refuses a file far larger than any login (file-too-large), without reading it', async () => {
    const path = join(folder, 'auth.json');
    await writeFile(path, '');
    await truncate(path, 64 * 1024 * 1024);
    const error = await importCodexCliLogin({
      codexHome: folder,
      store: createMemoryCredentialStore(),
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'OAuthError', code: 'file-too-large', path, maxBytes: 1024 * 1024 });
    expect((error as Error).message).toContain('too large (over the limit of 1 MiB (1048576 bytes))');
  });

  it('refuses a file that grows over 1 MiB after it was checked, reading no more than the limit', async () => {
    const path = join(folder, 'auth.json');
    await writeFile(path, codexAuthFile(), { mode: 0o600 });
    const restore = await growFileAfterFstat(path, 64 * 1024 * 1024);
    const error = await importCodexCliLogin({ codexHome: folder, store: createMemoryCredentialStore() })
      .catch((caught: unknown) => caught)
      .finally(restore);
    expect(error).toMatchObject({ name: 'OAuthError', code: 'file-too-large', path });
  });

  posixOnly(
    'still imports through a symbolic link to a regular file (dotfile managers link it)',
    async () => {
      const target = join(folder, 'real-auth.json');
      await writeFile(target, codexAuthFile(), { mode: 0o600 });
      await symlink(target, join(folder, 'auth.json'));
      const imported = await importCodexCliLogin({ codexHome: folder, store: createMemoryCredentialStore() });
      expect(imported.accountId).toBe('acct_link');
    },
  );

  it('still says codex-login-not-found for a missing file', async () => {
    await expect(
      importCodexCliLogin({ codexHome: folder, store: createMemoryCredentialStore() }),
    ).rejects.toMatchObject({ code: 'codex-login-not-found' });
  });
});
