import { DEFAULT_PROFILE, isValidProfileName } from '@codetether/oauth-pkce';
import type { Redis } from 'ioredis';
import type { RedisConnection } from './redis-connection.js';

/** The prefix of every key the store, the client-key registry and the inspection use, unless told otherwise. */
export const DEFAULT_REDIS_KEY_PREFIX = 'codetether:';

/** The Redis keys of one profile's login. */
export interface RedisProfileKeys {
  /** The hash `{ data, version }` holding the login. */
  credentials: string;
  /** The refresh lock. */
  lock: string;
  /** The refresh journal. */
  journal: string;
}

/** The part of a named profile's keys between the prefix and the key's own name. */
const PROFILE_SEGMENT = 'profile:';

/**
 * The keys of a profile: `<prefix>credentials`, `<prefix>lock`, `<prefix>refresh-journal` for the default
 * profile (as before profiles existed), `<prefix>profile:<name>:credentials` etc. for a named one.
 *
 * @param prefix - the store's key prefix, e.g. `codetether:`
 * @param profile - a valid profile name
 */
export function redisProfileKeys(prefix: string, profile: string): RedisProfileKeys {
  const base = profile === DEFAULT_PROFILE ? prefix : `${prefix}${PROFILE_SEGMENT}${profile}:`;
  return { credentials: `${base}credentials`, lock: `${base}lock`, journal: `${base}refresh-journal` };
}

/** Answers 1 for each key (KEYS) that is a hash holding a login, else 0 (another type included). */
const HELD_SCRIPT = `
local held = {}
for index, key in ipairs(KEYS) do
  held[index] = 0
  if redis.call('TYPE', key).ok == 'hash' and redis.call('HEXISTS', key, 'data') == 1 then held[index] = 1 end
end
return held`;

/**
 * Tells, in one round trip, whether each credentials key holds a login: a hash with a `data` field (a
 * logged-out profile keeps only its version; a key of another type holds no login).
 *
 * @param client - a connected client
 * @param credentialKeys - the credentials keys
 */
export async function holdLogins(client: Redis, credentialKeys: string[]): Promise<boolean[]> {
  const held = (await client.eval(HELD_SCRIPT, credentialKeys.length, ...credentialKeys)) as number[];
  return held.map((value) => value === 1);
}

/** Escapes the glob characters of `SCAN MATCH` in a literal prefix. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/**
 * Lists the profiles with a stored login under `prefix`: `default` first when it holds one, then the
 * named profiles alphabetically. Walks the key space with `SCAN … MATCH` (never `KEYS`, which blocks
 * Redis) and keeps a profile only when its hash still holds a login (a logged-out profile keeps its
 * version counter; a key of another type is no login).
 *
 * @param connection - the Redis connection
 * @param prefix - the store's key prefix
 */
export async function listRedisProfiles(connection: RedisConnection, prefix: string): Promise<string[]> {
  const namePrefix = `${prefix}${PROFILE_SEGMENT}`;
  const pattern = `${escapeGlob(namePrefix)}*:credentials`;
  const names = new Set<string>();
  let cursor = '0';
  do {
    const [next, found] = await connection.run((client) =>
      client.scan(cursor, 'MATCH', pattern, 'COUNT', 200),
    );
    cursor = next;
    for (const key of found) {
      const name = key.slice(namePrefix.length, -':credentials'.length);
      if (isValidProfileName(name) && name !== DEFAULT_PROFILE) names.add(name);
    }
  } while (cursor !== '0');
  const candidates = [DEFAULT_PROFILE, ...[...names].sort()];
  const credentialKeys = candidates.map((name) => redisProfileKeys(prefix, name).credentials);
  const held = await connection.run((client) => holdLogins(client, credentialKeys));
  return candidates.filter((_name, index) => held[index] === true);
}
