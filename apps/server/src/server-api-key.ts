import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveCodetetherHome } from '@codetether/oauth-pkce';
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

function isMissingFile(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT';
}

function isExistingFile(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EEXIST';
}

async function readKeyFile(path: string): Promise<{ exists: boolean; key?: string }> {
  try {
    const stored = (await readFile(path, 'utf8')).trim();
    return stored === '' ? { exists: true } : { exists: true, key: stored };
  } catch (error) {
    if (isMissingFile(error)) return { exists: false };
    throw new GatewayError(
      500,
      'server_error',
      `Could not read the server key file ${path}: ${(error as Error).message}. Fix its permissions or set CODETETHER_SERVER_API_KEY.`,
      { cause: error, code: 'server_key_unreadable' },
    );
  }
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
 * `<CODETETHER_HOME>/server-api-key`, else a newly generated key written there with mode 0600
 * (unless `generate` is false: then it throws `server_key_missing`).
 *
 * @param options - environment and home folder
 */
export async function loadOrCreateServerApiKey(options: ServerApiKeyOptions): Promise<ServerApiKey> {
  const fromEnvironment = readServerApiKey(options.env);
  if (fromEnvironment !== undefined) return { apiKey: fromEnvironment, source: 'environment' };
  const home = options.home ?? resolveCodetetherHome(options.env);
  const path = join(home, SERVER_API_KEY_FILE_NAME);
  const stored = await readKeyFile(path);
  if (stored.key !== undefined) return { apiKey: stored.key, source: 'file', path };
  if (options.generate === false) throw missingKeyError(path);
  const apiKey = generateServerApiKey();
  try {
    await mkdir(home, { recursive: true, mode: 0o700 });
    // `wx` so two servers starting at once agree on one key; an empty leftover file is replaced.
    await writeFile(path, `${apiKey}\n`, { mode: 0o600, flag: stored.exists ? 'w' : 'wx' });
    await chmod(path, 0o600);
  } catch (error) {
    if (isExistingFile(error)) {
      // Another process created it first: use that one.
      const winner = await readKeyFile(path);
      if (winner.key !== undefined) return { apiKey: winner.key, source: 'file', path };
    }
    throw new GatewayError(
      500,
      'server_error',
      `Could not store the server key in ${path}: ${(error as Error).message}. Make CODETETHER_HOME writable or set CODETETHER_SERVER_API_KEY.`,
      { cause: error, code: 'server_key_unwritable' },
    );
  }
  return { apiKey, source: 'generated', path };
}
