import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
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
});
