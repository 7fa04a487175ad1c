import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, lstat, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { AsyncMutex } from './async-mutex.js';
import { resolveCodetetherHome } from './codetether-home.js';
import {
  type CredentialStore,
  checkCredentialsFile,
  fromCredentialsFile,
  type StoredChatGptCredentials,
  toCredentialsFile,
} from './credentials.js';
import { OAuthError } from './errors.js';
import { inspectSymbol } from './redaction.js';

/** Options of {@link createFileCredentialStore}. */
export interface FileCredentialStoreOptions {
  /** The CodeTether home folder; the file is `<home>/auth.json`. Default `$CODETETHER_HOME` or `~/.codetether`. */
  home?: string;
  /** The credentials file itself (overrides `home`). */
  path?: string;
  /** Environment for resolving the default home. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** A lock untouched for this long is considered abandoned (its holder crashed) and taken over. Default 10 s, minimum 2 s. */
  lockStaleMs?: number;
  /** How long to wait for another process's lock before failing with `lock-failed`. Default 60 s. */
  lockTimeoutMs?: number;
}

const inProcessLocks = new Map<string, AsyncMutex>();

function mutexFor(path: string): AsyncMutex {
  let mutex = inProcessLocks.get(path);
  if (mutex === undefined) {
    mutex = new AsyncMutex();
    inProcessLocks.set(path, mutex);
  }
  return mutex;
}

function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
    ? (error as { code: string }).code
    : undefined;
}

function ioError(path: string, action: string, error: unknown): OAuthError {
  const code = errnoCode(error);
  const advice =
    code === 'EACCES' || code === 'EPERM'
      ? `Check that you own ${dirname(path)} and can write to it (or set CODETETHER_HOME to a folder you own).`
      : 'Check the disk and the permissions of the folder, then try again.';
  return new OAuthError(
    'credentials-io-error',
    `Could not ${action} the credentials file ${path} (${code ?? 'I/O error'}). ${advice}`,
    {
      cause: error,
      path,
    },
  );
}

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
async function checkFileSafety(handle: Awaited<ReturnType<typeof open>>, path: string): Promise<void> {
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

function looksLikeCodexCliFile(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  const tokens = record.tokens;
  return (
    'OPENAI_API_KEY' in record ||
    (typeof tokens === 'object' && tokens !== null && ('access_token' in tokens || 'refresh_token' in tokens))
  );
}

/**
 * Parses and validates credentials file content. Throws `credentials-corrupt` (with the path and what to
 * do) for invalid JSON or content that is not a CodeTether login.
 *
 * @param text - the file content
 * @param path - the file path, for messages
 */
export function parseCredentialsFileContent(text: string, path: string): StoredChatGptCredentials {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new OAuthError(
      'credentials-corrupt',
      `The credentials file ${path} is not valid JSON (it is damaged or was edited by hand). CodeTether will not overwrite it: move it away or delete it (\`codetether auth logout\` does), then run \`codetether auth login\`.`,
      { cause: error, path },
    );
  }
  const parsed = checkCredentialsFile(json);
  if (!parsed.success) {
    const hint = looksLikeCodexCliFile(json)
      ? ' It looks like an official Codex CLI auth.json: CODETETHER_HOME must not point at the Codex CLI folder; use `codetether auth import-codex` to copy that login instead.'
      : '';
    const fields = parsed.invalidFields.slice(0, 3).join(', ');
    throw new OAuthError(
      'credentials-corrupt',
      `The file ${path} is not a CodeTether ChatGPT login (unexpected or missing fields: ${fields}).${hint} CodeTether will not overwrite it: move it away or delete it, then run \`codetether auth login\`.`,
      { cause: new Error(`schema mismatch at ${fields}`), path },
    );
  }
  return fromCredentialsFile(parsed.data);
}

/**
 * Creates the file credential store: `$CODETETHER_HOME/auth.json` (default `~/.codetether/auth.json`),
 * mode 0600 in a 0700 folder. Writes are atomic (temp file in the same folder, fsync, rename), so a
 * reader or a crash sees either the old or the new login, never a partial file. `withLock` takes a
 * cross-process lock (proper-lockfile; `auth.json.lock`, abandoned locks are taken over after
 * `lockStaleMs`). A corrupt or foreign file is reported as `credentials-corrupt` and never overwritten
 * by `write` (only `delete` removes it). A symlinked, non-regular or foreign-owned `auth.json` is refused
 * (`credentials-io-error`); one readable by group/others is tightened to 0600 when read.
 *
 * @param options - home folder or file path, lock tuning
 */
export function createFileCredentialStore(options: FileCredentialStoreOptions = {}): CredentialStore {
  const path = resolve(options.path ?? join(options.home ?? resolveCodetetherHome(options.env), 'auth.json'));
  const folder = dirname(path);
  const lockPath = `${path}.lock`;
  const tempPrefix = `.${basename(path)}.`;
  const staleMs = Math.max(2000, options.lockStaleMs ?? 10_000);
  const lockTimeoutMs = options.lockTimeoutMs ?? 60_000;

  async function ensureFolder(): Promise<void> {
    try {
      const created = await mkdir(folder, { recursive: true, mode: 0o700 });
      if (created !== undefined) await chmod(folder, 0o700);
    } catch (error) {
      throw ioError(path, 'create the folder for', error);
    }
  }

  async function readRaw(): Promise<string | undefined> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      // O_NOFOLLOW: a symbolic link at auth.json fails with ELOOP instead of being followed.
      if (NO_FOLLOW === 0 && (await lstat(path)).isSymbolicLink()) throw symlinkError(path);
      handle = await open(path, constants.O_RDONLY | NO_FOLLOW);
    } catch (error) {
      if (error instanceof OAuthError) throw error;
      const code = errnoCode(error);
      if (code === 'ENOENT') return undefined;
      if (code === 'ELOOP' || code === 'EMLINK') throw symlinkError(path);
      throw ioError(path, 'read', error);
    }
    try {
      await checkFileSafety(handle, path);
      return await handle.readFile('utf8');
    } catch (error) {
      if (error instanceof OAuthError) throw error;
      throw ioError(path, 'read', error);
    } finally {
      await handle.close().catch(() => {});
    }
  }

  async function read(): Promise<StoredChatGptCredentials | undefined> {
    const text = await readRaw();
    return text === undefined ? undefined : parseCredentialsFileContent(text, path);
  }

  async function removeAbandonedTempFiles(): Promise<void> {
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

  async function write(credentials: StoredChatGptCredentials): Promise<void> {
    let content: string;
    try {
      content = `${JSON.stringify(toCredentialsFile(credentials), null, 2)}\n`;
    } catch (error) {
      throw new TypeError(
        'The credentials to store are incomplete or invalid (tokens, lastRefreshAt, source).',
        {
          cause: error,
        },
      );
    }
    await ensureFolder();
    // Refuse to replace anything that is not ours: read() throws credentials-corrupt for it.
    await read();
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
      throw ioError(path, 'write', error);
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
    await removeAbandonedTempFiles();
  }

  async function remove(): Promise<void> {
    try {
      await rm(path, { force: true });
    } catch (error) {
      throw ioError(path, 'delete', error);
    }
  }

  function withLock<T>(fn: () => Promise<T>): Promise<T> {
    return mutexFor(path).run(async () => {
      await ensureFolder();
      let compromised: Error | undefined;
      let release: () => Promise<void>;
      try {
        // Loaded on first lock (a refresh or a login), not when the package is imported.
        const { lock } = await import('proper-lockfile');
        release = await lock(path, {
          realpath: false,
          lockfilePath: lockPath,
          stale: staleMs,
          update: Math.max(1000, Math.floor(staleMs / 2)),
          retries: {
            retries: Math.max(1, Math.ceil(lockTimeoutMs / 100)),
            factor: 1.2,
            minTimeout: 10,
            maxTimeout: 100,
            randomize: true,
          },
          onCompromised: (error) => {
            compromised = error;
          },
        });
      } catch (error) {
        throw new OAuthError(
          'lock-failed',
          `Could not lock the credentials file ${path}: another CodeTether process has held ${lockPath} for too long. If no other CodeTether process is running, delete ${lockPath} and try again.`,
          { cause: error, path, isRetryable: true },
        );
      }
      try {
        return await fn();
      } finally {
        if (compromised === undefined) await release().catch(() => {});
      }
    });
  }

  const store: CredentialStore & { toJSON(): unknown; toString(): string } = {
    location: path,
    read,
    write,
    delete: remove,
    withLock,
    toJSON: () => ({ location: path }),
    toString: () => `FileCredentialStore { location: ${path} }`,
  };
  Object.defineProperty(store, inspectSymbol, {
    enumerable: false,
    value: () => `FileCredentialStore { location: '${path}' }`,
  });
  return store;
}
