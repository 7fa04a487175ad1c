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
 * @throws {@link ClientKeyError} `client_key_file_unwritable`, saying what to do ({@link writeFailureAdvice})
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
      `Could not store ${path}: ${(error as Error).message}. ${writeFailureAdvice(error)}`,
      { cause: error },
    );
  }
}

/**
 * What to do about a failed write, by its system error: free space on a full disk, remount a read-only
 * file system, else make `CODETETHER_HOME` writable.
 *
 * @param error - the write's error
 */
export function writeFailureAdvice(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return 'The disk (or your quota) is full: free some space and try again.';
  if (code === 'EROFS') return 'CODETETHER_HOME is on a read-only file system: set it to a writable folder.';
  return 'Make CODETETHER_HOME writable.';
}
