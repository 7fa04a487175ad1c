import { chmod, mkdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomically } from './atomic-file-write.js';
import { resolveCodetetherHome } from './codetether-home.js';
import type { CredentialStore, StoredChatGptCredentials } from './credentials.js';
import { parseCredentialsFileContent, serializeCredentialsFileContent } from './credentials-file-content.js';
import { credentialsIoError } from './credentials-file-errors.js';
import { withCredentialsFileLock } from './credentials-file-lock.js';
import { readCredentialsFileSafely } from './credentials-file-safety.js';
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

  async function ensureFolder(): Promise<void> {
    try {
      const created = await mkdir(folder, { recursive: true, mode: 0o700 });
      if (created !== undefined) await chmod(folder, 0o700);
    } catch (error) {
      throw credentialsIoError(path, 'create the folder for', error);
    }
  }

  async function read(): Promise<StoredChatGptCredentials | undefined> {
    const text = await readCredentialsFileSafely(path);
    return text === undefined ? undefined : parseCredentialsFileContent(text, path);
  }

  async function write(credentials: StoredChatGptCredentials): Promise<void> {
    const content = serializeCredentialsFileContent(credentials);
    await ensureFolder();
    // Refuse to replace anything that is not ours: read() throws credentials-corrupt for it.
    await read();
    try {
      await writeFileAtomically(path, content);
    } catch (error) {
      throw credentialsIoError(path, 'write', error);
    }
  }

  async function remove(): Promise<void> {
    try {
      await rm(path, { force: true });
    } catch (error) {
      throw credentialsIoError(path, 'delete', error);
    }
  }

  const lockSettings = {
    path,
    lockPath: `${path}.lock`,
    staleMs: Math.max(2000, options.lockStaleMs ?? 10_000),
    timeoutMs: options.lockTimeoutMs ?? 60_000,
    prepare: ensureFolder,
  };
  const store: CredentialStore & { toJSON(): unknown; toString(): string } = {
    location: path,
    read,
    write,
    delete: remove,
    withLock: (fn) => withCredentialsFileLock(lockSettings, fn),
    toJSON: () => ({ location: path }),
    toString: () => `FileCredentialStore { location: ${path} }`,
  };
  Object.defineProperty(store, inspectSymbol, {
    enumerable: false,
    value: () => `FileCredentialStore { location: '${path}' }`,
  });
  return store;
}
