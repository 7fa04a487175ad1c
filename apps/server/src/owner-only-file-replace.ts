import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { secureOwnerOnlyFolder } from '@codetether/oauth-pkce';
import { ClientKeyError } from './client-key-error.js';

/**
 * Replaces a file in `home` with new content, mode 0600: the folder is made (or kept) 0700, the
 * content goes to a new temporary file opened with `wx` (O_EXCL, never through a link), synced, and
 * renamed over the file, so a reader sees the old or the new content, never part of it.
 *
 * @param home - the `CODETETHER_HOME` folder
 * @param path - the file in it
 * @param content - the new content
 * @throws {@link ClientKeyError} `client_key_file_unwritable`
 */
export async function replaceOwnerOnlyFile(home: string, path: string, content: string): Promise<void> {
  const temporary = join(home, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await secureOwnerOnlyFolder(home, {
      create: true,
      path,
      label: { name: basename(path), recovery: 'make CODETETHER_HOME a folder only you can write' },
    });
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.chmod(0o600);
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new ClientKeyError(
      'client_key_file_unwritable',
      `Could not store ${path}: ${(error as Error).message}. Make CODETETHER_HOME writable.`,
      { cause: error },
    );
  }
}
