import { rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomically } from './atomic-file-write.js';
import {
  resolveCodetetherHome,
  resolveProfileFolder,
  resolveProfileParentFolders,
} from './codetether-home.js';
import { credentialsIoError } from './credentials-file-errors.js';
import {
  type OwnerOnlyFileLabel,
  readOwnerOnlyFile,
  secureOwnerOnlyFolder,
} from './credentials-file-safety.js';
import { OAuthError } from './errors.js';
import { listProfilesHoldingFile } from './profile-listing.js';
import { parseProfileName } from './profile-name.js';
import { inspectSymbol } from './redaction.js';

/** The JSON format version written to `api-key.json`. */
export const API_KEY_FILE_VERSION = 1;

const LABEL: OwnerOnlyFileLabel = {
  name: 'API key file',
  recovery: 'run `codetether auth login --with-api-key`',
};

/** Where an OpenAI API key saved with `codetether auth login --with-api-key` is kept. */
export interface ApiKeyStore {
  /** The file path (never the key). */
  readonly location: string;
  /** The stored key; `undefined` when none is stored. Throws `credentials-corrupt` for a damaged file. */
  read(): Promise<string | undefined>;
  /** Stores the key (mode 0600, atomically). Throws a TypeError for an empty key or one with spaces. */
  write(apiKey: string): Promise<void>;
  /** Deletes the stored key (no error when there is none). */
  delete(): Promise<void>;
  /** The profile whose key this is (`default` unless one was named). */
  readonly profile: string;
  /** Lists the profiles holding a stored key, `default` first then alphabetically. */
  listProfiles(): Promise<string[]>;
}

/** Options of {@link createApiKeyFileStore}. */
export interface ApiKeyFileStoreOptions {
  /** The CodeTether home folder; the file is `<home>/api-key.json`. Default `$CODETETHER_HOME` or `~/.codetether`. */
  home?: string;
  /** Environment for resolving the default home. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** The profile: `default` (or unset) is `<home>/api-key.json`, a named one `<home>/profiles/<name>/api-key.json`. */
  profile?: string | undefined;
}

/**
 * Tells whether a string can be an API key: not empty, no whitespace or control characters.
 *
 * @param apiKey - the candidate key
 */
export function isPlausibleApiKey(apiKey: string): boolean {
  return apiKey !== '' && !/[\s\p{Cc}]/u.test(apiKey);
}

function parseApiKeyFile(text: string, path: string): string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const record = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  if (
    record.version !== API_KEY_FILE_VERSION ||
    record.type !== 'api-key' ||
    typeof record.apiKey !== 'string' ||
    !isPlausibleApiKey(record.apiKey)
  ) {
    throw new OAuthError(
      'credentials-corrupt',
      `The API key file ${path} is damaged (it is not what \`codetether auth login --with-api-key\` writes). Run \`codetether auth logout\` to remove it, then log in again.`,
      { path },
    );
  }
  return record.apiKey;
}

/**
 * Creates the store of a saved OpenAI API key: `$CODETETHER_HOME/api-key.json` (default
 * `~/.codetether/api-key.json`), mode 0600 in a 0700 folder, written atomically. Like `auth.json`, a
 * symlinked, non-regular or foreign-owned file is refused (`credentials-io-error`) and one readable by
 * others is tightened to 0600 when read. The key itself is never part of a message.
 *
 * @param options - home folder
 */
export function createApiKeyFileStore(options: ApiKeyFileStoreOptions = {}): ApiKeyStore {
  const profile = parseProfileName(options.profile);
  const home = resolve(options.home ?? resolveCodetetherHome(options.env));
  const path = join(resolveProfileFolder(home, profile), 'api-key.json');
  const store: ApiKeyStore & { toJSON(): unknown; toString(): string } = {
    location: path,
    profile,
    listProfiles: () => listProfilesHoldingFile(home, 'api-key.json'),
    async read() {
      const text = await readOwnerOnlyFile(path, LABEL);
      return text === undefined ? undefined : parseApiKeyFile(text, path);
    },
    async write(apiKey) {
      if (!isPlausibleApiKey(apiKey)) {
        throw new TypeError('The API key to store is empty or contains spaces or control characters.');
      }
      for (const parent of resolveProfileParentFolders(home, profile)) {
        await secureOwnerOnlyFolder(parent, { create: true, path, label: LABEL });
      }
      await secureOwnerOnlyFolder(dirname(path), { create: true, path, label: LABEL });
      const content = { version: API_KEY_FILE_VERSION, type: 'api-key', apiKey, savedAt: Date.now() };
      try {
        await writeFileAtomically(path, `${JSON.stringify(content, null, 2)}\n`);
      } catch (error) {
        throw credentialsIoError(path, 'write', error, LABEL.name);
      }
    },
    async delete() {
      try {
        await rm(path, { force: true });
      } catch (error) {
        throw credentialsIoError(path, 'delete', error, LABEL.name);
      }
    },
    toJSON: () => ({ location: path }),
    toString: () => `ApiKeyFileStore { location: ${path} }`,
  };
  Object.defineProperty(store, inspectSymbol, {
    enumerable: false,
    value: () => `ApiKeyFileStore { location: '${path}' }`,
  });
  return store;
}
