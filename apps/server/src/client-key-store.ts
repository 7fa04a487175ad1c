import { hash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  describeByteLimit,
  isOAuthError,
  type OwnerOnlyFileLabel,
  readOwnerOnlyFile,
  secureOwnerOnlyFolder,
  withFileLock,
} from '@codetether/oauth-pkce';
import { isValidProfileName } from '@codetether/oauth-pkce/profile-name';
import { ClientKeyError } from './client-key-error.js';
import { isRecord } from './is-record.js';
import { isIsoTime } from './iso-time.js';
import { replaceOwnerOnlyFile, writeFailureAdvice } from './owner-only-file-replace.js';
import { printableArgument } from './printable-argument.js';
import { generateServerApiKey } from './server-api-key.js';

/** The file under `CODETETHER_HOME` holding the client keys (names and hashes, never the keys). */
export const CLIENT_KEYS_FILE_NAME = 'client-keys.json';

/**
 * The largest client key file the gateway and `keys` read, bytes (16 MiB: some 100,000 keys). A bigger
 * one — planted, or grown without end — is refused before it is read (`client_key_file_too_large`; the
 * read never goes past the limit, even for a file growing meanwhile), and `keys create` never writes one.
 */
export const CLIENT_KEYS_FILE_MAX_BYTES = 16 * 1024 * 1024;

/** The name the gateway's own key (`server-api-key`, `CODETETHER_SERVER_API_KEY`) goes by in metrics. */
export const SERVER_KEY_NAME = 'server';

/** One client key as stored: its name, the SHA-256 of the key, and when it was made. */
export interface ClientKeyRecord {
  /** The key's name (`[a-z0-9][a-z0-9._-]*`, at most 64 characters): its label in metrics and `keys list`. */
  name: string;
  /** The SHA-256 of the key, hex. The key itself is never stored. */
  hash: string;
  /** The login profile given with `--profile`: the key's requests spend that profile's login. */
  profile?: string;
  /** When the key was created, ISO 8601. */
  createdAt: string;
}

/**
 * Where client keys live. The gateway only reads ({@link ClientKeyStore.load}); the `keys` command
 * creates and revokes. A file under `CODETETHER_HOME` ({@link createFileClientKeyStore}), or Redis for
 * several gateway replicas (`createRedisClientKeyStore`, chosen by `CODETETHER_STORE`).
 */
export interface ClientKeyStore {
  /** Every key, in creation order; reads the store again only when it changed since the last call. */
  load(): Promise<readonly ClientKeyRecord[]>;
  /** Creates a key; resolves to the record and the key itself (to show once). */
  create(name: string, options?: { profile?: string }): Promise<{ record: ClientKeyRecord; key: string }>;
  /** Removes a key; requests with it are refused from then on. */
  revoke(name: string): Promise<ClientKeyRecord>;
  /**
   * Every usable key, and how many stored entries were ignored because they are not valid keys (a name
   * or profile `keys create` would refuse, a bad hash or date: hand-edited or planted). `keys list`
   * uses it to say so; a store without it is listed through `load`.
   */
  list?(): Promise<ClientKeyListing>;
}

/** What {@link ClientKeyStore.list} finds. */
export interface ClientKeyListing {
  /** The usable keys, in creation order. */
  records: readonly ClientKeyRecord[];
  /** How many stored entries are not valid keys (never used, never shown). */
  ignored: number;
}

/** The SHA-256 of a key, hex: what the store keeps and what a presented key is compared with. */
export function hashClientKey(key: string): string {
  return hash('sha256', key, 'hex');
}

const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * Whether a name is one a client key may have (see {@link assertClientKeyName}).
 *
 * @param name - the name to check
 */
export function isClientKeyName(name: string): boolean {
  return NAME_PATTERN.test(name) && name !== SERVER_KEY_NAME;
}

/**
 * Checks a key name: lowercase letters, digits, `.`, `_` and `-`, starting with a letter or digit, at
 * most 64 characters, and not `server` (the name of the gateway's own key).
 *
 * @param name - the name to check
 * @throws {@link ClientKeyError} `client_key_name_invalid`
 */
export function assertClientKeyName(name: string): void {
  if (!isClientKeyName(name)) {
    throw new ClientKeyError(
      'client_key_name_invalid',
      `'${printableArgument(name)}' is not a usable key name. Use lowercase letters, digits, '.', '_' and '-' (at most 64, starting with a letter or digit), and not '${SERVER_KEY_NAME}'.`,
    );
  }
}

/**
 * Makes a new key for a name (already checked): the key itself, to show once, and its record.
 *
 * @param name - the key's name
 * @param profile - the profile given with `--profile`, if any
 * @param now - wall clock, for `createdAt`
 */
export function newClientKey(
  name: string,
  profile: string | undefined,
  now: () => number,
): { record: ClientKeyRecord; key: string } {
  const key = generateServerApiKey();
  const record: ClientKeyRecord = {
    name,
    hash: hashClientKey(key),
    ...(profile === undefined ? {} : { profile }),
    createdAt: new Date(now()).toISOString(),
  };
  return { record, key };
}

/** The `client_key_exists` error for a name that is taken. */
export function clientKeyExistsError(name: string): ClientKeyError {
  return new ClientKeyError(
    'client_key_exists',
    `A key named '${printableArgument(name)}' exists already. Choose another name, or revoke it first with \`codetether-server keys revoke ${printableArgument(name)}\`.`,
  );
}

/** The `client_key_not_found` error for a name no key has. */
export function clientKeyNotFoundError(name: string): ClientKeyError {
  return new ClientKeyError(
    'client_key_not_found',
    `No key is named '${printableArgument(name)}'. See the names with \`codetether-server keys list\`.`,
  );
}

const CLIENT_KEYS_FILE_LABEL: OwnerOnlyFileLabel = {
  name: 'client key file',
  recovery: 'remove it and create the keys again with `codetether-server keys create NAME`',
};

/**
 * Whether a stored entry is a key the gateway may use and `keys list` may show: a name `keys create`
 * accepts, a SHA-256 hex hash, a valid profile name if any, and an ISO 8601 creation time. Anything else
 * (hand-edited, planted, or written by another program) is ignored: its name would otherwise reach a
 * terminal or a `/metrics` label as is.
 *
 * @param entry - one entry of the store
 */
export function isUsableClientKeyRecord(entry: unknown): entry is ClientKeyRecord {
  return (
    isRecord(entry) &&
    typeof entry.name === 'string' &&
    isClientKeyName(entry.name) &&
    typeof entry.hash === 'string' &&
    /^[0-9a-f]{64}$/.test(entry.hash) &&
    (entry.profile === undefined ||
      (typeof entry.profile === 'string' && isValidProfileName(entry.profile))) &&
    typeof entry.createdAt === 'string' &&
    isIsoTime(entry.createdAt)
  );
}

/** The entries of the key file: the usable keys, and the others (kept as they are when the file is rewritten). */
function parseRecords(text: string, path: string): { records: ClientKeyRecord[]; others: unknown[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ClientKeyError(
      'client_key_file_unreadable',
      `The client key file ${path} is not valid JSON. Fix it or remove it and create the keys again.`,
      { cause: error },
    );
  }
  const keys = isRecord(parsed) && Array.isArray(parsed.keys) ? (parsed.keys as unknown[]) : undefined;
  if (keys === undefined) {
    throw new ClientKeyError(
      'client_key_file_unreadable',
      `The client key file ${path} has no "keys" list. Fix it or remove it and create the keys again.`,
    );
  }
  const records: ClientKeyRecord[] = [];
  const others: unknown[] = [];
  for (const entry of keys) {
    if (isUsableClientKeyRecord(entry)) records.push(entry);
    else others.push(entry);
  }
  return { records, others };
}

/** The limit in words, for messages. */
const MAX_BYTES_TEXT = describeByteLimit(CLIENT_KEYS_FILE_MAX_BYTES);

/**
 * The key file is over {@link CLIENT_KEYS_FILE_MAX_BYTES}: refused unread.
 *
 * @param path - the key file
 * @param size - its size per `stat`; undefined when it grew over the limit while being read
 * @param cause - oauth-pkce's `file-too-large`, when the read found it
 */
function keyFileTooLargeError(path: string, size?: number, cause?: unknown): ClientKeyError {
  const what = size === undefined ? 'is over' : `is ${size} bytes, over`;
  return new ClientKeyError(
    'client_key_file_too_large',
    `The client key file ${path} ${what} the limit of ${MAX_BYTES_TEXT}, so it is not read. Move it away and create the keys again with codetether-server keys create.`,
    cause === undefined ? {} : { cause },
  );
}

/** How long `keys create` or `revoke` waits for another one holding the key file's lock, ms. */
const KEY_FILE_LOCK_TIMEOUT_MS = 10_000;
/** A key file lock untouched this long was left by a process that died: it is taken over, ms. */
const KEY_FILE_LOCK_STALE_MS = 10_000;

/** Options of {@link createFileClientKeyStore}. */
export interface FileClientKeyStoreOptions {
  /** The `CODETETHER_HOME` folder the file lives in. */
  home: string;
  /** Wall clock (default `Date.now`), for `createdAt`. */
  now?: () => number;
}

/**
 * The client keys in `<home>/client-keys.json`, treated like `auth.json` and `server-api-key`: only a
 * regular file the user owns is read (never through a link), tightened to 0600; the folder is kept
 * 0700. Writes go to a new 0600 file renamed over the old one. {@link ClientKeyStore.load} checks the
 * file's modification time, size and inode on each call (one `stat`) and reads it again only when one
 * changed, so a revoked key is refused on the next request. `create` and `revoke` read and write the
 * file under a lock (`client-keys.json.lock`, taken over once stale), so `keys` commands run at once
 * lose no key. Entries that are not valid keys ({@link isUsableClientKeyRecord}) are never used or
 * shown, and kept as they are when the file is rewritten.
 *
 * @param options - the home folder
 */
export function createFileClientKeyStore(options: FileClientKeyStoreOptions): ClientKeyStore & {
  /** The file's path. */
  readonly path: string;
} {
  const path = join(options.home, CLIENT_KEYS_FILE_NAME);
  const now = options.now ?? Date.now;
  let cached: { version: string; records: ClientKeyRecord[]; others: unknown[] } | undefined;

  const versionOf = async (): Promise<{ version: string; size: number }> => {
    try {
      const info = await stat(path);
      return { version: `${info.mtimeMs}:${info.size}:${info.ino}`, size: info.size };
    } catch {
      return { version: 'missing', size: 0 };
    }
  };

  const read = async (): Promise<{ records: ClientKeyRecord[]; others: unknown[] }> => {
    const { version, size } = await versionOf();
    if (cached?.version === version) return cached;
    if (size > CLIENT_KEYS_FILE_MAX_BYTES) throw keyFileTooLargeError(path, size);
    let text: string | undefined;
    try {
      await secureOwnerOnlyFolder(options.home, { create: false, path, label: CLIENT_KEYS_FILE_LABEL });
      text =
        version === 'missing'
          ? undefined
          : await readOwnerOnlyFile(path, CLIENT_KEYS_FILE_LABEL, { maxBytes: CLIENT_KEYS_FILE_MAX_BYTES });
    } catch (error) {
      // Grown over the limit since the `stat`: refused all the same (the read stopped past the limit).
      if (isOAuthError(error, 'file-too-large')) throw keyFileTooLargeError(path, undefined, error);
      throw new ClientKeyError('client_key_file_unreadable', (error as Error).message, { cause: error });
    }
    const entries =
      text === undefined || text.trim() === '' ? { records: [], others: [] } : parseRecords(text, path);
    cached = { version, ...entries };
    return entries;
  };

  const write = async (records: readonly ClientKeyRecord[], others: readonly unknown[]): Promise<void> => {
    const text = `${JSON.stringify({ keys: [...others, ...records] }, null, 2)}\n`;
    const size = Buffer.byteLength(text);
    if (size > CLIENT_KEYS_FILE_MAX_BYTES) {
      throw new ClientKeyError(
        'client_key_file_too_large',
        `The client key file ${path} would be ${size} bytes, over the limit of ${MAX_BYTES_TEXT}, so it was left as it was. Revoke keys you no longer use (codetether-server keys revoke NAME), then try again.`,
      );
    }
    await replaceOwnerOnlyFile(options.home, path, text);
    cached = undefined;
  };

  /** A read-modify-write of the file under its lock, so two `keys` commands at once lose nothing. */
  const locked = <T>(change: () => Promise<T>): Promise<T> =>
    withFileLock(
      {
        path,
        lockPath: `${path}.lock`,
        staleMs: KEY_FILE_LOCK_STALE_MS,
        timeoutMs: KEY_FILE_LOCK_TIMEOUT_MS,
        prepare: async () => {
          try {
            await secureOwnerOnlyFolder(options.home, { create: true, path, label: CLIENT_KEYS_FILE_LABEL });
          } catch (error) {
            throw new ClientKeyError(
              'client_key_file_unwritable',
              `${(error as Error).message} ${writeFailureAdvice(error)}`,
              { cause: error },
            );
          }
        },
        lockFailed: (cause) =>
          (cause as { code?: unknown } | null)?.code === 'ELOCKED'
            ? new ClientKeyError(
                'client_key_file_busy',
                `Another codetether-server keys command has held ${path}.lock for over ${KEY_FILE_LOCK_TIMEOUT_MS / 1000} s. Try again; if none is running, remove ${path}.lock.`,
                { cause, isRetryable: true },
              )
            : new ClientKeyError(
                'client_key_file_unwritable',
                `Could not lock ${path} (${(cause as Error).message}). ${writeFailureAdvice(cause)}`,
                { cause },
              ),
      },
      change,
    );

  return {
    path,
    load: async () => (await read()).records,
    list: async () => {
      const { records, others } = await read();
      return { records, ignored: others.length };
    },
    create: (name, createOptions) => {
      assertClientKeyName(name);
      return locked(async () => {
        const { records, others } = await read();
        if (records.some((record) => record.name === name)) throw clientKeyExistsError(name);
        const created = newClientKey(name, createOptions?.profile, now);
        await write([...records, created.record], others);
        return created;
      });
    },
    revoke: async (name) => {
      // An unknown name needs no lock (nor a home folder made for it).
      if (!(await read()).records.some((record) => record.name === name)) throw clientKeyNotFoundError(name);
      return locked(async () => {
        const { records, others } = await read();
        const record = records.find((candidate) => candidate.name === name);
        if (record === undefined) throw clientKeyNotFoundError(name);
        await write(
          records.filter((candidate) => candidate !== record),
          others,
        );
        return record;
      });
    },
  };
}
