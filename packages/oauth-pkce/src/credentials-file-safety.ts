import { constants } from 'node:fs';
import { type FileHandle, lstat, open } from 'node:fs/promises';
import { credentialsIoError, errnoCode } from './credentials-file-errors.js';
import { OAuthError } from './errors.js';

/** `O_NOFOLLOW` where the platform has it (not on Windows; there an `lstat` check is used instead). */
const NO_FOLLOW: number = constants.O_NOFOLLOW ?? 0;

function symlinkError(path: string): OAuthError {
  return new OAuthError(
    'credentials-io-error',
    `The credentials file ${path} is a symbolic link. CodeTether does not read or replace credentials through a link (it could point anywhere, including at a file someone else controls). Replace the link with the file itself, or set CODETETHER_HOME to the folder that really holds auth.json.`,
    { path },
  );
}

/**
 * Checks the open credentials file: it must be a regular file owned by the current user; group or
 * world permissions are removed (mode 0600) and, when that is not possible, reading is refused.
 */
async function checkFileSafety(handle: FileHandle, path: string): Promise<void> {
  const info = await handle.stat();
  if (!info.isFile()) {
    throw new OAuthError(
      'credentials-io-error',
      `The credentials path ${path} is not a regular file. Move it away, then run \`codetether auth login\`.`,
      { path },
    );
  }
  if (process.platform === 'win32') return;
  const uid = process.getuid?.();
  if (uid !== undefined && uid !== 0 && info.uid !== uid) {
    throw new OAuthError(
      'credentials-io-error',
      `The credentials file ${path} belongs to another user (uid ${info.uid}), so CodeTether will not use it. Set CODETETHER_HOME to a folder you own, or run \`codetether auth login\` after moving the file away.`,
      { path },
    );
  }
  if ((info.mode & 0o077) !== 0) {
    try {
      // Readable by others: tighten it to owner-only before trusting or rewriting it.
      await handle.chmod(0o600);
    } catch (error) {
      throw new OAuthError(
        'credentials-io-error',
        `The credentials file ${path} is readable by other users (mode ${(info.mode & 0o777).toString(8)}) and its permissions could not be fixed. Run \`chmod 600 ${path}\` and try again.`,
        { cause: error, path },
      );
    }
  }
}

/**
 * Reads the credentials file without following a symbolic link, after checking that it is a regular
 * file owned by the current user (and tightening its mode to 0600). Resolves with `undefined` when
 * there is no file; anything unsafe or unreadable is a `credentials-io-error`.
 *
 * @param path - the credentials file
 */
export async function readCredentialsFileSafely(path: string): Promise<string | undefined> {
  let handle: FileHandle;
  try {
    // O_NOFOLLOW: a symbolic link at auth.json fails with ELOOP instead of being followed.
    if (NO_FOLLOW === 0 && (await lstat(path)).isSymbolicLink()) throw symlinkError(path);
    handle = await open(path, constants.O_RDONLY | NO_FOLLOW);
  } catch (error) {
    if (error instanceof OAuthError) throw error;
    const code = errnoCode(error);
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP' || code === 'EMLINK') throw symlinkError(path);
    throw credentialsIoError(path, 'read', error);
  }
  try {
    await checkFileSafety(handle, path);
    return await handle.readFile('utf8');
  } catch (error) {
    if (error instanceof OAuthError) throw error;
    throw credentialsIoError(path, 'read', error);
  } finally {
    await handle.close().catch(() => {});
  }
}
