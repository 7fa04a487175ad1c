import { chmod, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { growFileAfterFstat } from './__fixtures__/file-growth.js';
import { ClientKeyError } from './client-key-error.js';
import {
  CLIENT_KEYS_FILE_MAX_BYTES,
  CLIENT_KEYS_FILE_NAME,
  createFileClientKeyStore,
} from './client-key-store.js';
import {
  CLIENT_KEY_USAGE_FILE_MAX_BYTES,
  CLIENT_KEY_USAGE_FILE_NAME,
  readClientKeyUsage,
} from './client-key-usage-file.js';
import {
  loadOrCreateServerApiKey,
  SERVER_API_KEY_FILE_MAX_BYTES,
  SERVER_API_KEY_FILE_NAME,
} from './server-api-key.js';
import { clientKeyWarnings } from './start-up-warnings.js';

const homes: string[] = [];

afterEach(async () => {
  await Promise.all(homes.splice(0).map((home) => rm(home, { recursive: true, force: true })));
});

async function temporaryHome(): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'codetether-size-limits-'));
  homes.push(home);
  await chmod(home, 0o700);
  return home;
}

/** Makes `path` a sparse 0600 file of `size` bytes. */
async function sparseFile(path: string, size: number): Promise<void> {
  const handle = await open(path, 'w', 0o600);
  await handle.truncate(size);
  await handle.close();
}

const EIGHT_GIB = 8 * 1024 ** 3;

describe('server-api-key over its 64 KiB limit', () => {
  it('is refused unread like any other unusable key file (server_key_unreadable, naming the file and the limit)', async () => {
    expect(SERVER_API_KEY_FILE_MAX_BYTES).toBe(64 * 1024);
    const home = await temporaryHome();
    const path = join(home, SERVER_API_KEY_FILE_NAME);
    await sparseFile(path, EIGHT_GIB);
    const error = await loadOrCreateServerApiKey({ env: {}, home }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 500, code: 'server_key_unreadable' });
    const message = (error as Error).message;
    expect(message).toContain(
      `The server key file ${path} is too large (over the limit of 64 KiB (65536 bytes))`,
    );
    expect(message).toContain('CODETETHER_SERVER_API_KEY');
  });

  it('is refused when it grows over the limit after it was checked', async () => {
    const home = await temporaryHome();
    const path = join(home, SERVER_API_KEY_FILE_NAME);
    await writeFile(path, 'ctsk-small-key\n', { mode: 0o600 });
    const restore = await growFileAfterFstat(path, EIGHT_GIB);
    const error = await loadOrCreateServerApiKey({ env: {}, home })
      .catch((caught: unknown) => caught)
      .finally(restore);
    expect(error).toMatchObject({ code: 'server_key_unreadable' });
    expect((error as Error).message).toContain('too large');
  });
});

describe('client-keys.json growing over 16 MiB between its stat and its read', () => {
  it('is client_key_file_too_large (the read stops at the limit), and the start-up warning says so', async () => {
    const home = await temporaryHome();
    const store = createFileClientKeyStore({ home });
    await store.create('laptop');
    const path = join(home, CLIENT_KEYS_FILE_NAME);
    const restore = await growFileAfterFstat(path, EIGHT_GIB);
    const error = await createFileClientKeyStore({ home })
      .load()
      .catch((caught: unknown) => caught)
      .finally(restore);
    expect(error).toBeInstanceOf(ClientKeyError);
    expect(error).toMatchObject({ code: 'client_key_file_too_large', isRetryable: false });
    expect((error as Error).message).toBe(
      `The client key file ${path} is over the limit of 16 MiB (${CLIENT_KEYS_FILE_MAX_BYTES} bytes), so it is not read. Move it away and create the keys again with codetether-server keys create.`,
    );
    const [warning] = await clientKeyWarnings(createFileClientKeyStore({ home }));
    expect(warning).toContain(`WARNING: the client keys cannot be read: The client key file ${path}`);
  });
});

describe('client-key-usage.json over its 16 MiB limit', () => {
  const paddedUsage = (size: number): string => {
    const text = JSON.stringify({ since: '2026-01-01T00:00:00.000Z', keys: {} });
    return text.slice(0, -1) + ' '.repeat(size - text.length) + text.slice(-1);
  };

  it('is read up to the limit; one byte more is no usage (usage is informational), as when it is unreadable', async () => {
    expect(CLIENT_KEY_USAGE_FILE_MAX_BYTES).toBe(16 * 1024 * 1024);
    const home = await temporaryHome();
    const path = join(home, CLIENT_KEY_USAGE_FILE_NAME);
    await writeFile(path, paddedUsage(CLIENT_KEY_USAGE_FILE_MAX_BYTES), { mode: 0o600 });
    expect(await readClientKeyUsage(home)).toEqual({ since: '2026-01-01T00:00:00.000Z', keys: {} });
    await writeFile(path, paddedUsage(CLIENT_KEY_USAGE_FILE_MAX_BYTES + 1), { mode: 0o600 });
    expect(await readClientKeyUsage(home)).toBeUndefined();
    await sparseFile(path, EIGHT_GIB);
    expect(await readClientKeyUsage(home)).toBeUndefined();
  });
});
