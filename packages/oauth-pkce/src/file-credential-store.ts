import { join, resolve } from 'node:path';
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
import { deleteSecureFile, ensureSecureFolder, readSecureFile, writeSecureFile } from './secure-file.js';

const LABEL = 'credentials file';

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
  const lockPath = `${path}.lock`;
  const staleMs = Math.max(2000, options.lockStaleMs ?? 10_000);
  const lockTimeoutMs = options.lockTimeoutMs ?? 60_000;

  const ensureFolder = (): Promise<void> => ensureSecureFolder(path, LABEL);

  async function read(): Promise<StoredChatGptCredentials | undefined> {
    const text = await readSecureFile(path, LABEL);
    return text === undefined ? undefined : parseCredentialsFileContent(text, path);
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
    await writeSecureFile(path, content, LABEL);
  }

  const remove = (): Promise<void> => deleteSecureFile(path, LABEL);

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
