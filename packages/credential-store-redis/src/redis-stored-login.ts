import { OAuthError } from '@codetether/oauth-pkce';
import type { RedisConnection } from './redis-connection.js';

/**
 * The largest stored login read, bytes of its `data` field (a login is a few kilobytes; the Codex CLI
 * import refuses files over the same size). A larger value is `credentials-corrupt`, never loaded.
 */
export const MAX_STORED_LOGIN_BYTES = 1024 * 1024;

/** The login hash as stored: its `data` (the `auth.json` content) and its version number. */
export interface StoredLoginRecord {
  /** The login as `auth.json` content; `undefined` when none is stored. */
  data: string | undefined;
  /** The version, counting every write and delete (0 when the key does not exist). */
  version: number;
}

/**
 * Reads the login hash (KEYS: credentials; ARGV: size limit) in one step, without loading what is not a
 * login: answers `{type, data, version, size}`, `data` false when absent or over the limit.
 */
const READ_SCRIPT = `
local kind = redis.call('TYPE', KEYS[1]).ok
if kind ~= 'hash' then return {kind, false, false, 0} end
local size = redis.call('HSTRLEN', KEYS[1], 'data')
local version = redis.call('HGET', KEYS[1], 'version') or '0'
if size > tonumber(ARGV[1]) then return {kind, false, version, size} end
return {kind, redis.call('HGET', KEYS[1], 'data') or false, version, size}`;

/** Whether a stored version number is one this store writes: a non-negative safe integer in decimal. */
export function isStoredVersion(text: string): boolean {
  return /^\d{1,16}$/.test(text) && Number.isSafeInteger(Number(text));
}

function corruptLogin(location: string, problem: string): OAuthError {
  return new OAuthError(
    'credentials-corrupt',
    `The credential store ${location} ${problem}, not a CodeTether login. CodeTether will not overwrite it: remove it (\`codetether auth logout\` does), then run \`codetether auth login\`.`,
    { path: location },
  );
}

/**
 * Reads the login hash of `key`. Anything that is not what this store writes is oauth-pkce's
 * `credentials-corrupt` (which `write` never overwrites and `delete` removes): a key of another Redis
 * type, a version that is not a number, a `data` field over {@link MAX_STORED_LOGIN_BYTES} (its size is
 * checked in Redis; it is never transferred).
 *
 * @param connection - the Redis connection
 * @param key - the credentials key
 * @param location - the store's URL without credentials (and its profile), for messages
 */
export async function readStoredLogin(
  connection: RedisConnection,
  key: string,
  location: string,
): Promise<StoredLoginRecord> {
  const [kind, data, version, size] = (await connection.run((client) =>
    client.eval(READ_SCRIPT, 1, key, String(MAX_STORED_LOGIN_BYTES)),
  )) as [string, string | null, string | null, number];
  if (kind === 'none') return { data: undefined, version: 0 };
  if (kind !== 'hash') throw corruptLogin(location, `holds a Redis ${kind} under its login key`);
  if (version === null || !isStoredVersion(version)) {
    throw corruptLogin(location, 'holds a login hash whose version is not a number');
  }
  if (size > MAX_STORED_LOGIN_BYTES) {
    throw corruptLogin(location, `holds a value too large to be a login (${size} bytes)`);
  }
  return { data: data ?? undefined, version: Number(version) };
}
