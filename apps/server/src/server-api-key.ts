import { randomBytes } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  isOAuthError,
  type OwnerOnlyFileLabel,
  readOwnerOnlyFile,
  resolveCodetetherHome,
  secureOwnerOnlyFolder,
} from '@codetether/oauth-pkce';
import { readServerApiKey } from '@codetether/provider-codex/configuration';
import { GatewayError } from './openai-error.js';

/** The file under `CODETETHER_HOME` holding the generated server key. */
export const SERVER_API_KEY_FILE_NAME = 'server-api-key';

/** Prefix of generated server keys, so they are recognisable (and never mistaken for OpenAI keys). */
export const SERVER_API_KEY_PREFIX = 'ctsk-';

/** Options of {@link loadOrCreateServerApiKey}. */
export interface ServerApiKeyOptions {
  /** Environment to read `CODETETHER_SERVER_API_KEY` and `CODETETHER_HOME` from (pass `process.env`). */
  env: Record<string, string | undefined>;
  /** Folder to store the key in (default `CODETETHER_HOME` or `~/.codetether`). */
  home?: string;
  /**
   * Generate and store a key when none is configured (default true). When false, a missing key is a
   * {@link GatewayError} with code `server_key_missing` (what `codetether-server --require-key` does).
   */
  generate?: boolean;
}

/** The server key and where it came from. */
export interface ServerApiKey {
  /** The bearer key clients must send. */
  apiKey: string;
  /** `environment` (CODETETHER_SERVER_API_KEY), `file` (stored earlier) or `generated` (just now). */
  source: 'environment' | 'file' | 'generated';
  /** The key file, when the key is stored in one. */
  path?: string;
}

/** Creates a new random server key (`ctsk-` + 256 random bits, base64url). */
export function generateServerApiKey(): string {
  return `${SERVER_API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** The most bytes the key file may hold: 64 KiB, far above the 49 bytes of a generated key. */
export const SERVER_API_KEY_FILE_MAX_BYTES = 64 * 1024;

/** How oauth-pkce's owner-only file checks name the key file and what they advise. */
const SERVER_KEY_FILE_LABEL: OwnerOnlyFileLabel = {
  name: 'server key file',
  recovery: 'restart the server (it generates a new key), or set CODETETHER_SERVER_API_KEY',
};

/** The GatewayError for a key file (or its folder) that cannot be used; the message says what to do. */
function keyFileError(path: string, error: unknown, code: 'server_key_unreadable' | 'server_key_unwritable') {
  const reason = error instanceof Error ? error.message : String(error);
  const message = isOAuthError(error)
    ? `${reason}${reason.includes('CODETETHER_SERVER_API_KEY') ? '' : ' Or set CODETETHER_SERVER_API_KEY instead.'}`
    : `Could not ${code === 'server_key_unreadable' ? 'read' : 'store'} the server key file ${path}: ${reason}. Make CODETETHER_HOME writable or set CODETETHER_SERVER_API_KEY.`;
  return new GatewayError(500, 'server_error', message, { cause: error, code });
}

function isExistingFile(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EEXIST';
}

/**
 * Reads the key file like oauth-pkce reads `auth.json`: never through a symbolic link, only a regular
 * file the user owns (a FIFO, device or folder is refused without blocking), tightened to 0600.
 */
async function readKeyFile(path: string): Promise<{ exists: boolean; key?: string }> {
  let text: string | undefined;
  try {
    text = await readOwnerOnlyFile(path, SERVER_KEY_FILE_LABEL, { maxBytes: SERVER_API_KEY_FILE_MAX_BYTES });
  } catch (error) {
    throw keyFileError(path, error, 'server_key_unreadable');
  }
  if (text === undefined) return { exists: false };
  const stored = text.trim();
  return stored === '' ? { exists: true } : { exists: true, key: stored };
}

/** Creates the key file (mode 0600); `wx` (O_EXCL) fails on anything already there, a link included. */
async function createKeyFile(path: string, apiKey: string): Promise<void> {
  const handle = await open(path, 'wx', 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(`${apiKey}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Whitespace or a control character: what no client can send in `Authorization: Bearer <key>`. */
const UNSENDABLE = /[\s\u0000-\u001f\u007f-\u009f]/;

/**
 * Refuses a key no client could send: one with a space, tab, line break or other control character
 * inside (the header carries one token after `Bearer`), which would leave every request refused with
 * 401. The message never shows the key.
 *
 * @param key - the key (trimmed)
 * @param where - where it came from, as the message's subject
 * @throws {@link GatewayError} `server_key_invalid`
 */
function assertSendableKey(key: string, where: string): void {
  if (!UNSENDABLE.test(key)) return;
  throw new GatewayError(
    500,
    'server_error',
    `${where} contains a space, line break or other control character, so no client could send it as \`Authorization: Bearer <key>\`. Use one token of printable characters (for example the output of \`openssl rand -hex 32\`).`,
    { code: 'server_key_invalid' },
  );
}

function missingKeyError(path: string): GatewayError {
  return new GatewayError(
    500,
    'server_error',
    `No server key is configured, and generating one is turned off (--require-key). Set CODETETHER_SERVER_API_KEY to a long random value (for example the output of \`openssl rand -hex 32\`), or store a key in ${path}.`,
    { code: 'server_key_missing' },
  );
}

/**
 * Returns the gateway's bearer key: `CODETETHER_SERVER_API_KEY` when set, else the key stored in
 * `<CODETETHER_HOME>/server-api-key`, else a newly generated key written there with mode 0600.
 * The key file is treated like `auth.json`: a symbolic link, a FIFO or other non-regular file, or a
 * file of another user, or one over {@link SERVER_API_KEY_FILE_MAX_BYTES} (64 KiB; never read past it) is
 * refused (`server_key_unreadable`, saying what to do), never followed or
 * waited on; a file others can read is tightened to 0600; a home folder others can write is tightened
 * to 0700 when the user owns it and refused when another user does. A key no client could send (a
 * space, line break or other control character inside) is refused with `server_key_invalid`.
 *
 * @param options - environment and home folder
 */
export async function loadOrCreateServerApiKey(options: ServerApiKeyOptions): Promise<ServerApiKey> {
  const fromEnvironment = readServerApiKey(options.env);
  if (fromEnvironment !== undefined) {
    assertSendableKey(fromEnvironment, 'CODETETHER_SERVER_API_KEY');
    return { apiKey: fromEnvironment, source: 'environment' };
  }
  const home = options.home ?? resolveCodetetherHome(options.env);
  const path = join(home, SERVER_API_KEY_FILE_NAME);
  const folder = { path, label: SERVER_KEY_FILE_LABEL };
  try {
    await secureOwnerOnlyFolder(home, { create: false, ...folder });
  } catch (error) {
    throw keyFileError(path, error, 'server_key_unreadable');
  }
  const stored = await readKeyFile(path);
  if (stored.key !== undefined) {
    assertSendableKey(stored.key, `The key in ${path}`);
    return { apiKey: stored.key, source: 'file', path };
  }
  if (options.generate === false) throw missingKeyError(path);
  const apiKey = generateServerApiKey();
  try {
    await secureOwnerOnlyFolder(home, { create: true, ...folder });
    // An empty leftover (a regular file of ours: readKeyFile checked) is replaced; `wx` makes two
    // servers starting at once agree on one key.
    if (stored.exists) await rm(path, { force: true });
    await createKeyFile(path, apiKey);
  } catch (error) {
    if (isExistingFile(error)) {
      // Another process created it first: use that one.
      const winner = await readKeyFile(path);
      if (winner.key !== undefined) return { apiKey: winner.key, source: 'file', path };
    }
    throw keyFileError(path, error, 'server_key_unwritable');
  }
  return { apiKey, source: 'generated', path };
}
