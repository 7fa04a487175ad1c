import { constants, type Stats } from 'node:fs';
import { chmod, type FileHandle, lstat, mkdir, open, stat } from 'node:fs/promises';
import { describeByteLimit, readFileHandleAtMost } from './bounded-file-read.js';
import { credentialsIoError, errnoCode } from './credentials-file-errors.js';
import { OAuthError } from './errors.js';

/** `O_NOFOLLOW` where the platform has it (not on Windows; there the `lstat` check alone is used). */
const NO_FOLLOW: number = constants.O_NOFOLLOW ?? 0;

/** `O_NONBLOCK` where the platform has it: opening a FIFO must never wait for a writer. */
export const NON_BLOCKING: number = constants.O_NONBLOCK ?? 0;

/** Permission bits that let the group or other users write. */
const WRITABLE_BY_OTHERS = 0o022;

/** The sticky bit: set on folders meant to be shared, such as `/tmp`. */
const STICKY = 0o1000;

/** How messages about an owner-only file name it and what they tell the user to do. */
export interface OwnerOnlyFileLabel {
  /** What the file is, e.g. `credentials file` or `server key file`. */
  name: string;
  /** The next step once a bad file was moved away, e.g. ``run `codetether auth login` ``. */
  recovery: string;
}

/**
 * The most bytes {@link readOwnerOnlyFile} reads by default: 1 MiB, the limit of `auth.json` and
 * `api-key.json` (as in the Redis credential store), far above the few kilobytes a login takes.
 */
export const OWNER_ONLY_FILE_DEFAULT_MAX_BYTES = 1024 * 1024;

/** Options of {@link readOwnerOnlyFile}. */
export interface ReadOwnerOnlyFileOptions {
  /**
   * The most bytes the file may hold; a larger one is refused with `file-too-large` (at most this many
   * bytes plus one are ever read, even from a file growing meanwhile). Default
   * {@link OWNER_ONLY_FILE_DEFAULT_MAX_BYTES} (1 MiB).
   */
  maxBytes?: number;
}

/**
 * The `file-too-large` error of a file over its limit, naming the file, the limit and what to do.
 *
 * @param path - the file
 * @param maxBytes - its limit
 * @param label - how the message names the file and what it advises
 */
export function fileTooLargeError(path: string, maxBytes: number, label: OwnerOnlyFileLabel): OAuthError {
  return new OAuthError(
    'file-too-large',
    `The ${label.name} ${path} is too large (over the limit of ${describeByteLimit(maxBytes)}), so CodeTether did not read it. Move it away, then ${label.recovery}.`,
    { path, maxBytes },
  );
}

/** The label of `auth.json`. */
const CREDENTIALS_FILE_LABEL: OwnerOnlyFileLabel = {
  name: 'credentials file',
  recovery: 'run `codetether auth login`',
};

function mode(info: Stats): string {
  return (info.mode & 0o7777).toString(8).padStart(3, '0');
}

function symlinkError(path: string, label: OwnerOnlyFileLabel): OAuthError {
  return new OAuthError(
    'credentials-io-error',
    `The ${label.name} ${path} is a symbolic link. CodeTether does not read or replace it through a link (it could point anywhere, including at a file someone else controls). Replace the link with the file itself, or set CODETETHER_HOME to the folder that really holds it.`,
    { path },
  );
}

function fileKind(info: Stats): string {
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * The `credentials-io-error` for a path that is a folder, FIFO, socket or device instead of a file.
 *
 * @param path - the path
 * @param info - what `stat` said about it
 * @param label - how the message names the file and what it advises
 */
export function notRegularFileError(path: string, info: Stats, label: OwnerOnlyFileLabel): OAuthError {
  const kind = fileKind(info);
  return new OAuthError(
    'credentials-io-error',
    `The ${label.name} path ${path} is ${kind === 'not a regular file' ? kind : `${kind}, not a regular file`}, so CodeTether will not read it. Move it away, then ${label.recovery}.`,
    { path },
  );
}

/** The current user's id, or undefined where there is none (Windows). */
function currentUserId(): number | undefined {
  return process.platform === 'win32' ? undefined : process.getuid?.();
}

/**
 * Checks the opened file: a regular file owned by the current user; group or other permissions are
 * removed (mode 0600) and, when that is not possible, reading is refused.
 */
async function checkOpenedFile(handle: FileHandle, path: string, label: OwnerOnlyFileLabel): Promise<void> {
  const info = await handle.stat();
  if (!info.isFile()) throw notRegularFileError(path, info, label);
  const uid = currentUserId();
  if (uid === undefined) return;
  if (uid !== 0 && info.uid !== uid) {
    throw new OAuthError(
      'credentials-io-error',
      `The ${label.name} ${path} belongs to another user (uid ${info.uid}), so CodeTether will not use it. Set CODETETHER_HOME to a folder you own, or move the file away and ${label.recovery}.`,
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
        `The ${label.name} ${path} is readable by other users (mode ${mode(info)}) and its permissions could not be fixed. Run \`chmod 600 ${path}\` and try again.`,
        { cause: error, path },
      );
    }
  }
}

/**
 * Opens `path` for reading after `lstat` showed a regular file: `O_NOFOLLOW` (a link swapped in since
 * fails with ELOOP) and `O_NONBLOCK` (a FIFO swapped in does not block the open). Undefined when the
 * file does not exist.
 */
async function openRegularFile(path: string, label: OwnerOnlyFileLabel): Promise<FileHandle | undefined> {
  try {
    const info = await lstat(path);
    if (info.isSymbolicLink()) throw symlinkError(path, label);
    if (!info.isFile()) throw notRegularFileError(path, info, label);
    return await open(path, constants.O_RDONLY | NO_FOLLOW | NON_BLOCKING);
  } catch (error) {
    if (error instanceof OAuthError) throw error;
    const code = errnoCode(error);
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP' || code === 'EMLINK') throw symlinkError(path, label);
    throw credentialsIoError(path, 'read', error, label.name);
  }
}

/**
 * Reads a file only its owner may use (`auth.json`, the gateway's `server-api-key`, the refresh journal)
 * without ever following a symbolic link or blocking: `lstat` must show a regular file, which is then
 * opened with `O_NOFOLLOW | O_NONBLOCK` and checked again on the open handle (regular file, owned by
 * the current user; group/other permissions are removed, mode 0600). Resolves with `undefined` when
 * there is no file. A symbolic link, FIFO, socket, device or folder, a file of another user, or an
 * unreadable file is a `credentials-io-error` whose message names the file and says what to do. A file
 * over `options.maxBytes` (default 1 MiB) is a `file-too-large` error naming the file and the limit; the
 * read itself stops one byte past the limit, so a file growing while it is read cannot make it longer.
 *
 * @param path - the file
 * @param label - how messages name the file and what they advise. Default: the credentials file.
 * @param options - the size limit
 */
export async function readOwnerOnlyFile(
  path: string,
  label: OwnerOnlyFileLabel = CREDENTIALS_FILE_LABEL,
  options: ReadOwnerOnlyFileOptions = {},
): Promise<string | undefined> {
  const maxBytes = options.maxBytes ?? OWNER_ONLY_FILE_DEFAULT_MAX_BYTES;
  const handle = await openRegularFile(path, label);
  if (handle === undefined) return undefined;
  try {
    await checkOpenedFile(handle, path, label);
    const bytes = await readFileHandleAtMost(handle, maxBytes);
    if (bytes === undefined) throw fileTooLargeError(path, maxBytes, label);
    return bytes.toString('utf8');
  } catch (error) {
    if (error instanceof OAuthError) throw error;
    throw credentialsIoError(path, 'read', error, label.name);
  } finally {
    await handle.close().catch(() => {});
  }
}

/** Options of {@link secureOwnerOnlyFolder}. */
export interface OwnerOnlyFolderOptions {
  /** Create the folder (mode 0700) when it does not exist. */
  create: boolean;
  /** The file in the folder the caller is about to use, for messages. */
  path: string;
  /** How messages name that file. Default: the credentials file. */
  label?: OwnerOnlyFileLabel;
}

/**
 * Makes sure a folder holding owner-only files (CodeTether's home) cannot be written by other users,
 * who could otherwise replace or plant files in it. A missing folder is created with mode 0700 when
 * `create` is set. A folder the group or other users can write (e.g. mode 0777 or 0775) is tightened
 * to 0700 when the current user owns it; when another user owns it, or it is shared by design (sticky
 * bit, e.g. `/tmp` — even for root), using it is refused with a `credentials-io-error` saying what to
 * do, and it is left unchanged. Resolves with whether the folder exists.
 *
 * @param folder - the folder
 * @param options - whether to create it, and the file it is for
 */
export async function secureOwnerOnlyFolder(
  folder: string,
  options: OwnerOnlyFolderOptions,
): Promise<boolean> {
  const { path } = options;
  let info: Stats;
  try {
    if (options.create) {
      const created = await mkdir(folder, { recursive: true, mode: 0o700 });
      if (created !== undefined) await chmod(folder, 0o700);
    }
    info = await stat(folder);
  } catch (error) {
    if (!options.create && errnoCode(error) === 'ENOENT') return false;
    const action = options.create ? 'create the folder for' : 'check the folder of';
    throw credentialsIoError(path, action, error, (options.label ?? CREDENTIALS_FILE_LABEL).name);
  }
  if (!info.isDirectory()) {
    throw new OAuthError(
      'credentials-io-error',
      `${folder} (the folder for ${path}) is not a folder. Move it away or set CODETETHER_HOME to another folder.`,
      { path },
    );
  }
  const uid = currentUserId();
  if (uid === undefined || (info.mode & WRITABLE_BY_OTHERS) === 0) return true;
  // A sticky folder (such as /tmp) is shared by design: never change it, even when we own it (root).
  const sharedByDesign = (info.mode & STICKY) !== 0;
  if (info.uid !== uid || sharedByDesign) {
    const why =
      info.uid !== uid ? `belongs to another user (uid ${info.uid})` : 'is a shared folder (sticky bit set)';
    throw new OAuthError(
      'credentials-io-error',
      `The folder ${folder} (which holds ${path}) can be written by other users (mode ${mode(info)}) and ${why}, so CodeTether will not keep secrets there: anyone who can write to it could replace them. Set CODETETHER_HOME to a folder only you can write to (the default is ~/.codetether).`,
      { path },
    );
  }
  try {
    await chmod(folder, 0o700);
  } catch (error) {
    throw new OAuthError(
      'credentials-io-error',
      `The folder ${folder} (which holds ${path}) can be written by other users (mode ${mode(info)}) and its permissions could not be tightened. Run \`chmod 700 ${folder}\` and try again.`,
      { cause: error, path },
    );
  }
  return true;
}
