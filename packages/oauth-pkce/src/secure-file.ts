import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, lstat, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { OAuthError } from './errors.js';

// The file handling every secret CodeTether keeps on disk shares (the ChatGPT login in auth.json, a
// stored API key): owner-only files in an owner-only folder, never read or replaced through a
// symbolic link, written atomically.

/** `O_NOFOLLOW` where the platform has it (not on Windows; there an `lstat` check is used instead). */
const NO_FOLLOW: number = constants.O_NOFOLLOW ?? 0;

/**
 * The `code` of a Node.js system error (`ENOENT`, `EACCES`…), if it has one.
 *
 * @param error - what was thrown
 */
export function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
    ? (error as { code: string }).code
    : undefined;
}

/**
 * The `credentials-io-error` for a failed file operation, saying what to check.
 *
 * @param path - the file
 * @param action - what failed (`read`, `write`, `delete`, `create the folder for`)
 * @param error - the system error
 * @param label - what the file is, for the message (`credentials file`, `API key file`)
 */
export function secureFileIoError(path: string, action: string, error: unknown, label: string): OAuthError {
  const code = errnoCode(error);
  const advice =
    code === 'EACCES' || code === 'EPERM'
      ? `Check that you own ${dirname(path)} and can write to it (or set CODETETHER_HOME to a folder you own).`
      : 'Check the disk and the permissions of the folder, then try again.';
  return new OAuthError(
    'credentials-io-error',
    `Could not ${action} the ${label} ${path} (${code ?? 'I/O error'}). ${advice}`,
    {
      cause: error,
      path,
    },
  );
}

function symlinkError(path: string, label: string): OAuthError {
  return new OAuthError(
    'credentials-io-error',
    `The ${label} ${path} is a symbolic link. CodeTether does not read or replace credentials through a link (it could point anywhere, including at a file someone else controls). Replace the link with the file itself, or set CODETETHER_HOME to the folder that really holds ${basename(path)}.`,
    { path },
  );
}

/**
 * Checks an open secret file: it must be a regular file owned by the current user; group or world
 * permissions are removed (mode 0600) and, when that is not possible, reading is refused.
 */
async function checkFileSafety(
  handle: Awaited<ReturnType<typeof open>>,
  path: string,
  label: string,
): Promise<void> {
  const info = await handle.stat();
  if (!info.isFile()) {
    throw new OAuthError(
      'credentials-io-error',
      `The ${label === 'credentials file' ? 'credentials path' : label} ${path} is not a regular file. Move it away, then run \`codetether auth login\`.`,
      { path },
    );
  }
  if (process.platform === 'win32') return;
  const uid = process.getuid?.();
  if (uid !== undefined && uid !== 0 && info.uid !== uid) {
    throw new OAuthError(
      'credentials-io-error',
      `The ${label} ${path} belongs to another user (uid ${info.uid}), so CodeTether will not use it. Set CODETETHER_HOME to a folder you own, or run \`codetether auth login\` after moving the file away.`,
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
        `The ${label} ${path} is readable by other users (mode ${(info.mode & 0o777).toString(8)}) and its permissions could not be fixed. Run \`chmod 600 ${path}\` and try again.`,
        { cause: error, path },
      );
    }
  }
}

/**
 * Reads a secret file: `undefined` when it does not exist; a symbolic link, a non-regular file or a
 * file of another user is refused (`credentials-io-error`); group/world permissions are removed first.
 *
 * @param path - the file
 * @param label - what the file is, for messages
 */
export async function readSecureFile(path: string, label: string): Promise<string | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // O_NOFOLLOW: a symbolic link fails with ELOOP instead of being followed.
    if (NO_FOLLOW === 0 && (await lstat(path)).isSymbolicLink()) throw symlinkError(path, label);
    handle = await open(path, constants.O_RDONLY | NO_FOLLOW);
  } catch (error) {
    if (error instanceof OAuthError) throw error;
    const code = errnoCode(error);
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP' || code === 'EMLINK') throw symlinkError(path, label);
    throw secureFileIoError(path, 'read', error, label);
  }
  try {
    await checkFileSafety(handle, path, label);
    return await handle.readFile('utf8');
  } catch (error) {
    if (error instanceof OAuthError) throw error;
    throw secureFileIoError(path, 'read', error, label);
  } finally {
    await handle.close().catch(() => {});
  }
}

/**
 * Creates the folder of a secret file (mode 0700) when it does not exist.
 *
 * @param path - the file whose folder to create
 * @param label - what the file is, for messages
 */
export async function ensureSecureFolder(path: string, label: string): Promise<void> {
  const folder = dirname(path);
  try {
    const created = await mkdir(folder, { recursive: true, mode: 0o700 });
    if (created !== undefined) await chmod(folder, 0o700);
  } catch (error) {
    throw secureFileIoError(path, 'create the folder for', error, label);
  }
}

async function removeAbandonedTempFiles(folder: string, tempPrefix: string): Promise<void> {
  try {
    const names = await readdir(folder);
    const cutoff = Date.now() - 60_000;
    await Promise.all(
      names
        .filter((name) => name.startsWith(tempPrefix) && name.endsWith('.tmp'))
        .map(async (name) => {
          const tempPath = join(folder, name);
          const info = await stat(tempPath);
          if (info.mtimeMs < cutoff) await rm(tempPath, { force: true });
        }),
    );
  } catch {
    // best effort
  }
}

/**
 * Replaces a secret file atomically with mode 0600: a temp file in the same folder, fsync, rename,
 * so a reader or a crash sees the old or the new content, never a partial file. The folder must exist
 * ({@link ensureSecureFolder}).
 *
 * @param path - the file
 * @param content - its new content
 * @param label - what the file is, for messages
 */
export async function writeSecureFile(path: string, content: string, label: string): Promise<void> {
  const folder = dirname(path);
  const tempPrefix = `.${basename(path)}.`;
  const tempPath = join(folder, `${tempPrefix}${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(tempPath, 'wx', 0o600);
    try {
      await handle.chmod(0o600);
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tempPath, path);
  } catch (error) {
    await rm(tempPath, { force: true }).catch(() => {});
    throw secureFileIoError(path, 'write', error, label);
  }
  try {
    const folderHandle = await open(folder, 'r');
    try {
      await folderHandle.sync();
    } finally {
      await folderHandle.close();
    }
  } catch {
    // fsync of a directory is not supported everywhere; the rename is still atomic.
  }
  await removeAbandonedTempFiles(folder, tempPrefix);
}

/**
 * Deletes a secret file (no error when it does not exist).
 *
 * @param path - the file
 * @param label - what the file is, for messages
 */
export async function deleteSecureFile(path: string, label: string): Promise<void> {
  try {
    await rm(path, { force: true });
  } catch (error) {
    throw secureFileIoError(path, 'delete', error, label);
  }
}
