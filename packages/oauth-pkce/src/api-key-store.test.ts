import { chmod, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiKeyFileStore, isPlausibleApiKey } from './api-key-store.js';

const KEY = 'sk-test-0123456789abcdef';
let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'oauth-pkce-api-key-'));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('createApiKeyFileStore', () => {
  it('stores the key in <home>/api-key.json with mode 0600 in a 0700 folder, and deletes it', async () => {
    const home = join(folder, 'home');
    const store = createApiKeyFileStore({ home });
    expect(store.location).toBe(join(home, 'api-key.json'));
    expect(await store.read()).toBeUndefined();
    await store.write(KEY);
    expect(await store.read()).toBe(KEY);
    expect((await stat(store.location)).mode & 0o777).toBe(0o600);
    expect((await stat(home)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(store.location, 'utf8'))).toMatchObject({
      version: 1,
      type: 'api-key',
      apiKey: KEY,
    });
    await store.delete();
    expect(await store.read()).toBeUndefined();
    await store.delete();
  });

  it('resolves the home from CODETETHER_HOME', () => {
    expect(createApiKeyFileStore({ env: { CODETETHER_HOME: folder } }).location).toBe(
      join(folder, 'api-key.json'),
    );
  });

  it('never shows the key when inspected or serialised', async () => {
    const store = createApiKeyFileStore({ home: folder });
    await store.write(KEY);
    for (const text of [inspect(store), JSON.stringify(store), String(store)]) {
      expect(text).toContain('api-key.json');
      expect(text).not.toContain(KEY);
    }
  });

  it('refuses empty keys and keys with spaces', async () => {
    const store = createApiKeyFileStore({ home: folder });
    await expect(store.write('')).rejects.toThrow(TypeError);
    await expect(store.write('sk-a b')).rejects.toThrow(TypeError);
    expect(isPlausibleApiKey('sk-a\n')).toBe(false);
    expect(isPlausibleApiKey(KEY)).toBe(true);
  });

  it('reports a damaged file as credentials-corrupt without quoting it', async () => {
    const store = createApiKeyFileStore({ home: folder });
    await writeFile(store.location, '{"apiKey": "sk-secret-in-file"', { mode: 0o600 });
    const error = await store.read().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'credentials-corrupt', path: store.location });
    expect((error as Error).message).toContain('codetether auth logout');
    expect((error as Error).message).not.toContain('sk-secret');
  });

  it('refuses a symbolic link and tightens a file readable by others to 0600', async () => {
    const store = createApiKeyFileStore({ home: folder });
    const elsewhere = join(folder, 'elsewhere.json');
    await writeFile(elsewhere, JSON.stringify({ version: 1, type: 'api-key', apiKey: KEY }));
    await symlink(elsewhere, store.location);
    await expect(store.read()).rejects.toMatchObject({ code: 'credentials-io-error' });
    await rm(store.location);
    await store.write(KEY);
    await chmod(store.location, 0o644);
    expect(await store.read()).toBe(KEY);
    expect((await stat(store.location)).mode & 0o777).toBe(0o600);
  });
});
