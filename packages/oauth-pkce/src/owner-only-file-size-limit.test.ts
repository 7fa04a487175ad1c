import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeCredentials } from './__fixtures__/credentials.js';
import { growFileAfterFstat } from './__fixtures__/file-growth.js';
import { createApiKeyFileStore } from './api-key-store.js';
import { OWNER_ONLY_FILE_DEFAULT_MAX_BYTES, readOwnerOnlyFile } from './credentials-file-safety.js';
import { isOAuthError } from './errors.js';
import { createFileCredentialStore } from './file-credential-store.js';
import { createFileRefreshJournal, REFRESH_JOURNAL_MAX_BYTES } from './refresh-journal.js';

let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'oauth-pkce-size-limit-'));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** Makes `path` a sparse 0600 file of `size` bytes. */
async function sparseFile(path: string, size: number): Promise<void> {
  const handle = await open(path, 'w', 0o600);
  await handle.truncate(size);
  await handle.close();
}

async function failureOf(work: Promise<unknown>): Promise<unknown> {
  return await work.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('readOwnerOnlyFile size limit', () => {
  it('is 1 MiB by default: a file of exactly the limit is read, one byte more is file-too-large', async () => {
    expect(OWNER_ONLY_FILE_DEFAULT_MAX_BYTES).toBe(1024 * 1024);
    const path = join(folder, 'file');
    await writeFile(path, Buffer.alloc(OWNER_ONLY_FILE_DEFAULT_MAX_BYTES, ' '), { mode: 0o600 });
    expect(await readOwnerOnlyFile(path)).toHaveLength(OWNER_ONLY_FILE_DEFAULT_MAX_BYTES);
    await writeFile(path, Buffer.alloc(OWNER_ONLY_FILE_DEFAULT_MAX_BYTES + 1, ' '), { mode: 0o600 });
    const error = await failureOf(readOwnerOnlyFile(path));
    expect(isOAuthError(error, 'file-too-large')).toBe(true);
    expect(error).toMatchObject({ path, maxBytes: OWNER_ONLY_FILE_DEFAULT_MAX_BYTES });
    expect((error as Error).message).toBe(
      `The credentials file ${path} is too large (over the limit of 1 MiB (1048576 bytes)), so CodeTether did not read it. Move it away, then run \`codetether auth login\`.`,
    );
  });

  it('takes another limit, and refuses a file that grows over it after it was checked', async () => {
    const path = join(folder, 'file');
    await writeFile(path, 'small', { mode: 0o600 });
    const label = { name: 'test file', recovery: 'try again' };
    expect(await readOwnerOnlyFile(path, label, { maxBytes: 5 })).toBe('small');
    const restore = await growFileAfterFstat(path, 8 * 1024 ** 3);
    const error = await failureOf(readOwnerOnlyFile(path, label, { maxBytes: 1024 }).finally(restore));
    expect(error).toMatchObject({ code: 'file-too-large', path, maxBytes: 1024 });
    expect((error as Error).message).toContain('over the limit of 1 KiB (1024 bytes)');
  });
});

describe('files of the credential stores over their limit', () => {
  it('auth.json over 1 MiB (sparse 8 GiB) is file-too-large, unread', async () => {
    const store = createFileCredentialStore({ home: folder });
    await store.write(makeCredentials());
    await sparseFile(store.location, 8 * 1024 ** 3);
    expect(await failureOf(store.read())).toMatchObject({ code: 'file-too-large', path: store.location });
  });

  it('auth.json that grows over 1 MiB while it is read is file-too-large', async () => {
    const store = createFileCredentialStore({ home: folder });
    await store.write(makeCredentials());
    const restore = await growFileAfterFstat(store.location, 2 * 1024 * 1024);
    expect(await failureOf(store.read().finally(restore))).toMatchObject({ code: 'file-too-large' });
  });

  it('api-key.json over 1 MiB is file-too-large, naming the API key file', async () => {
    const store = createApiKeyFileStore({ home: folder });
    await store.write('sk-test-key');
    await sparseFile(store.location, 2 * 1024 * 1024);
    const error = await failureOf(store.read());
    expect(error).toMatchObject({ code: 'file-too-large', path: store.location });
    expect((error as Error).message).not.toContain('sk-test-key');
  });

  it('a refresh journal over 64 KiB is file-too-large', async () => {
    expect(REFRESH_JOURNAL_MAX_BYTES).toBe(64 * 1024);
    const journal = createFileRefreshJournal(join(folder, 'auth.json'));
    await sparseFile(journal.location, REFRESH_JOURNAL_MAX_BYTES + 1);
    const error = await failureOf(journal.read());
    expect(error).toMatchObject({ code: 'file-too-large', path: journal.location, maxBytes: 64 * 1024 });
    expect((error as Error).message).toContain('refresh journal');
  });
});
