import type { RefreshJournal, RefreshJournalEntry } from '@codetether/oauth-pkce';
import type { RedisConnection } from './redis-connection.js';

/** The journal's format version (as in the file store's `auth.json.refresh-journal`). */
const REFRESH_JOURNAL_VERSION = 1;

/** The largest journal entry read, bytes (an entry is about 120). */
const MAX_JOURNAL_ENTRY_BYTES = 4096;

/** Reads the entry (KEYS: journal; ARGV: size limit): nil for another type or an oversized value. */
const READ_SCRIPT = `
if redis.call('TYPE', KEYS[1]).ok ~= 'string' then return false end
if redis.call('STRLEN', KEYS[1]) > tonumber(ARGV[1]) then return false end
return redis.call('GET', KEYS[1])`;

function parseEntry(text: string | null): RefreshJournalEntry | undefined {
  if (text === null) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { version, refreshTokenFingerprint, startedAt } = value as Record<string, unknown>;
  if (version !== REFRESH_JOURNAL_VERSION) return undefined;
  if (typeof refreshTokenFingerprint !== 'string' || refreshTokenFingerprint === '') return undefined;
  if (typeof startedAt !== 'number' || !Number.isFinite(startedAt)) return undefined;
  return { refreshTokenFingerprint, startedAt };
}

/**
 * The refresh journal of a Redis credential store: one key holding
 * `{ version, refreshTokenFingerprint, startedAt }` (a fingerprint, never the token). A damaged entry
 * (another Redis type, over 4 KiB, not the format) reads as none; the next write replaces it. Redis acknowledges a `SET` once it holds it in memory; how durable that is depends on
 * the server's persistence settings (AOF with `appendfsync always` matches the file store's fsync).
 *
 * @param connection - the Redis connection
 * @param key - the journal key
 * @param location - the store's URL without credentials
 */
export function createRedisRefreshJournal(
  connection: RedisConnection,
  key: string,
  location: string,
): RefreshJournal {
  return {
    location: `${location} (refresh journal)`,
    read: () =>
      connection
        .run((client) => client.eval(READ_SCRIPT, 1, key, String(MAX_JOURNAL_ENTRY_BYTES)))
        .then((text) => parseEntry(typeof text === 'string' ? text : null)),
    async write(entry) {
      await connection.run((client) =>
        client.set(key, JSON.stringify({ version: REFRESH_JOURNAL_VERSION, ...entry })),
      );
    },
    async clear() {
      await connection.run((client) => client.del(key));
    },
  };
}
