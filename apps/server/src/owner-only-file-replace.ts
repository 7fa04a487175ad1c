import { basename } from 'node:path';
import { secureOwnerOnlyFolder, writeFileAtomically } from '@codetether/oauth-pkce';
import { ClientKeyError } from './client-key-error.js';

/**
 * Replaces a file in `home` with new content, mode 0600: the folder is made (or kept) 0700, then
 * oauth-pkce's atomic write (a temp file opened with `wx`, synced, renamed over the file), so a reader
 * sees the old or the new content, never part of it.
 *
 * @param home - the `CODETETHER_HOME` folder
 * @param path - the file in it
 * @param content - the new content
 * @throws {@link ClientKeyError} `client_key_file_unwritable`
 */
export async function replaceOwnerOnlyFile(home: string, path: string, content: string): Promise<void> {
  try {
    await secureOwnerOnlyFolder(home, {
      create: true,
      path,
      label: { name: basename(path), recovery: 'make CODETETHER_HOME a folder only you can write' },
    });
    await writeFileAtomically(path, content);
  } catch (error) {
    throw new ClientKeyError(
      'client_key_file_unwritable',
      `Could not store ${path}: ${(error as Error).message}. Make CODETETHER_HOME writable.`,
      { cause: error },
    );
  }
}
