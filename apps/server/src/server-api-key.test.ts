import { execFileSync } from 'node:child_process';
import {
  chmod,
  chown,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateServerApiKey, SERVER_API_KEY_FILE_NAME } from './server-api-key.js';

let home: string;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'codetether-server-key-'));
});

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('loadOrCreateServerApiKey', () => {
  it('generates a key once, stores it with mode 0600 and reuses it', async () => {
    const nested = join(home, 'nested');
    const first = await loadOrCreateServerApiKey({ env: { CODETETHER_HOME: nested } });
    expect(first.source).toBe('generated');
    expect(first.apiKey).toMatch(/^ctsk-[\w-]{43}$/);
    const path = join(nested, SERVER_API_KEY_FILE_NAME);
    expect(first.path).toBe(path);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await readFile(path, 'utf8')).trim()).toBe(first.apiKey);
    const second = await loadOrCreateServerApiKey({ env: { CODETETHER_HOME: nested } });
    expect(second).toEqual({ apiKey: first.apiKey, source: 'file', path });
  });

  it('prefers CODETETHER_SERVER_API_KEY and writes nothing', async () => {
    const key = await loadOrCreateServerApiKey({ env: { CODETETHER_SERVER_API_KEY: ' from-env ' }, home });
    expect(key).toEqual({ apiKey: 'from-env', source: 'environment' });
    await expect(stat(join(home, SERVER_API_KEY_FILE_NAME))).rejects.toThrow();
  });

  it('regenerates when the stored file is empty', async () => {
    await writeFile(join(home, SERVER_API_KEY_FILE_NAME), '\n');
    const key = await loadOrCreateServerApiKey({ env: {}, home });
    expect(key.source).toBe('generated');
    expect((await readFile(join(home, SERVER_API_KEY_FILE_NAME), 'utf8')).trim()).toBe(key.apiKey);
    expect((await stat(join(home, SERVER_API_KEY_FILE_NAME))).mode & 0o777).toBe(0o600);
  });

  it('with generate: false, uses a configured key but never creates one', async () => {
    await expect(loadOrCreateServerApiKey({ env: {}, home, generate: false })).rejects.toMatchObject({
      code: 'server_key_missing',
      message: expect.stringContaining('CODETETHER_SERVER_API_KEY'),
    });
    await expect(stat(join(home, SERVER_API_KEY_FILE_NAME))).rejects.toThrow();
    await writeFile(join(home, SERVER_API_KEY_FILE_NAME), 'ctsk-stored\n');
    expect(await loadOrCreateServerApiKey({ env: {}, home, generate: false })).toMatchObject({
      apiKey: 'ctsk-stored',
      source: 'file',
    });
    expect(
      await loadOrCreateServerApiKey({ env: { CODETETHER_SERVER_API_KEY: 'k' }, home, generate: false }),
    ).toEqual({ apiKey: 'k', source: 'environment' });
  });

  it('explains what to do when the key cannot be stored', async () => {
    const file = join(home, 'not-a-folder');
    await writeFile(file, 'x');
    await expect(loadOrCreateServerApiKey({ env: {}, home: join(file, 'home') })).rejects.toMatchObject({
      code: expect.stringMatching(/^server_key_/),
      message: expect.stringContaining('CODETETHER_SERVER_API_KEY'),
    });
  });

  it.skipIf(process.platform === 'win32')(
    'refuses a symlinked key file (an attacker-planted key is never accepted) and leaves the target alone',
    async () => {
      const planted = join(home, 'planted-key');
      await writeFile(planted, 'ctsk-attacker-chosen\n', { mode: 0o600 });
      await symlink(planted, join(home, SERVER_API_KEY_FILE_NAME));
      const error = await loadOrCreateServerApiKey({ env: {}, home }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ status: 500, code: 'server_key_unreadable' });
      const message = (error as Error).message;
      expect(message).toContain(
        `The server key file ${join(home, SERVER_API_KEY_FILE_NAME)} is a symbolic link`,
      );
      expect(message).toContain('CODETETHER_SERVER_API_KEY');
      expect(message).not.toContain('ctsk-attacker-chosen');
      expect(await readFile(planted, 'utf8')).toBe('ctsk-attacker-chosen\n');
      expect((await lstat(join(home, SERVER_API_KEY_FILE_NAME))).isSymbolicLink()).toBe(true);
    },
  );

  it.skipIf(process.platform === 'win32')(
    'refuses a key file that is a FIFO at once instead of hanging',
    async () => {
      execFileSync('mkfifo', [join(home, SERVER_API_KEY_FILE_NAME)]);
      const error = await loadOrCreateServerApiKey({ env: {}, home }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'server_key_unreadable' });
      expect((error as Error).message).toContain('is a named pipe (FIFO), not a regular file');
    },
  );

  it.skipIf(process.platform === 'win32')(
    'tightens a key file others can read to 0600 and a home folder others can write to 0700',
    async () => {
      const first = await loadOrCreateServerApiKey({ env: {}, home });
      await chmod(first.path ?? '', 0o644);
      await chmod(home, 0o777);
      const second = await loadOrCreateServerApiKey({ env: {}, home });
      expect(second).toEqual({ apiKey: first.apiKey, source: 'file', path: first.path });
      expect((await stat(first.path ?? '')).mode & 0o777).toBe(0o600);
      expect((await stat(home)).mode & 0o777).toBe(0o700);
    },
  );

  it.skipIf(process.platform === 'win32')(
    'refuses a home folder others can write that belongs to another user (e.g. /tmp), and writes no key there',
    async () => {
      let shared: string;
      if (process.getuid?.() === 0) {
        shared = join(home, 'shared');
        await mkdir(shared);
        await chown(shared, 65534, 65534);
        await chmod(shared, 0o777);
      } else {
        // /tmp: world-writable and owned by root.
        shared = tmpdir();
        const info = await stat(shared);
        if (info.uid === process.getuid?.() || (info.mode & 0o002) === 0) return;
        await expect(stat(join(shared, SERVER_API_KEY_FILE_NAME))).rejects.toMatchObject({ code: 'ENOENT' });
      }
      const error = await loadOrCreateServerApiKey({ env: {}, home: shared }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({ code: 'server_key_unreadable' });
      expect((error as Error).message).toContain('belongs to another user');
      expect((error as Error).message).toContain('CODETETHER_HOME');
      await expect(stat(join(shared, SERVER_API_KEY_FILE_NAME))).rejects.toMatchObject({ code: 'ENOENT' });
    },
  );
});
