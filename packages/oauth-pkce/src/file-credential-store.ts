import { rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomically } from './atomic-file-write.js';
import {
  resolveCodetetherHome,
  resolveProfileFolder,
  resolveProfileParentFolders,
} from './codetether-home.js';
import type { CredentialStore, StoredChatGptCredentials } from './credentials.js';
import { parseCredentialsFileContent, serializeCredentialsFileContent } from './credentials-file-content.js';
import { credentialsIoError } from './credentials-file-errors.js';
import { withCredentialsFileLock } from './credentials-file-lock.js';
import { readOwnerOnlyFile, secureOwnerOnlyFolder } from './credentials-file-safety.js';
import { listProfilesHoldingFile } from './profile-listing.js';
import { parseProfileName } from './profile-name.js';
import { inspectSymbol } from './redaction.js';
import { createFileRefreshJournal } from './refresh-journal.js';

/** Options of {@link createFileCredentialStore}. */
export interface FileCredentialStoreOptions {
  /** The CodeTether home folder; the file is `<home>/auth.json`. Default `$CODETETHER_HOME` or `~/.codetether`. */
  home?: string;
  /**
   * The profile: `default` (or unset) is `<home>/auth.json`; a named profile is
   * `<home>/profiles/<name>/auth.json` with its own lock and refresh journal. An invalid name throws
   * `invalid-profile`.
   */
  profile?: string | undefined;
  /** The credentials file itself (overrides `home` and `profile`; the store then lists no profiles). */
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
 * by `write` (only `delete` removes it). A symlinked, non-regular (FIFO, folder…) or foreign-owned
 * `auth.json` is refused (`credentials-io-error`) without ever blocking; one readable by group/others is
 * tightened to 0600 when read. A home folder that group/others can write is tightened to 0700 when the
 * user owns it, and refused (`credentials-io-error`) when another user does (e.g. `/tmp`). Its
 * `refreshJournal` is `<file>.refresh-journal` (see `TokenManager`); `delete` removes it too.
 *
 * Profiles: the `default` profile is `<home>/auth.json`; a named one is `<home>/profiles/<name>/auth.json`
 * (same safety, its own lock and journal). `listProfiles` lists the profiles holding a login.
 *
 * @param options - home folder or file path, lock tuning
 */
export function createFileCredentialStore(options: FileCredentialStoreOptions = {}): CredentialStore {
  const profile = parseProfileName(options.profile);
  const home = resolve(options.home ?? resolveCodetetherHome(options.env));
  const path = resolve(options.path ?? join(resolveProfileFolder(home, profile), 'auth.json'));
  const folder = dirname(path);
  // A named profile's folder sits in `<home>/profiles`, which must be as private as the home folder.
  const parentFolders = options.path === undefined ? resolveProfileParentFolders(home, profile) : [];

  const refreshJournal = createFileRefreshJournal(path);

  async function ensureFolder(): Promise<void> {
    for (const parent of parentFolders) await secureOwnerOnlyFolder(parent, { create: true, path });
    await secureOwnerOnlyFolder(folder, { create: true, path });
  }

  async function read(): Promise<StoredChatGptCredentials | undefined> {
    if (!(await secureOwnerOnlyFolder(folder, { create: false, path }))) return undefined;
    const text = await readOwnerOnlyFile(path);
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
    await refreshJournal.clear();
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
    profile,
    read,
    write,
    delete: remove,
    withLock: (fn) => withCredentialsFileLock(lockSettings, fn),
    refreshJournal,
    listProfiles: async () => (options.path === undefined ? listProfilesHoldingFile(home, 'auth.json') : []),
    toJSON: () => ({ location: path }),
    toString: () => `FileCredentialStore { location: ${path} }`,
  };
  Object.defineProperty(store, inspectSymbol, {
    enumerable: false,
    value: () => `FileCredentialStore { location: '${path}' }`,
  });
  return store;
}
