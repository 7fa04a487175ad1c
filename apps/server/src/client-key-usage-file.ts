import { join } from 'node:path';
import { readOwnerOnlyFile } from '@codetether/oauth-pkce';
import { isClientKeyName, SERVER_KEY_NAME } from './client-key-store.js';
import type { ClientKeyUsage } from './gateway-metrics.js';
import { isRecord } from './is-record.js';
import { isIsoTime } from './iso-time.js';
import { replaceOwnerOnlyFile } from './owner-only-file-replace.js';

/**
 * The file under `CODETETHER_HOME` where a running gateway leaves each key's requests and tokens (since
 * it started), for `codetether-server keys list`. Names and numbers only, never a key.
 */
export const CLIENT_KEY_USAGE_FILE_NAME = 'client-key-usage.json';

/**
 * The most bytes the usage file may hold (16 MiB, like the key file it counts for); a larger one is
 * not read (never past the limit) and counts as no usage.
 */
export const CLIENT_KEY_USAGE_FILE_MAX_BYTES = 16 * 1024 * 1024;

/** What the usage file holds: when the gateway started counting, and each key's usage by name. */
export interface ClientKeyUsageSnapshot {
  /** When the writing gateway started, ISO 8601. */
  since: string;
  /** Usage by key name. */
  keys: Record<string, ClientKeyUsage>;
}

/** The path of the usage file in a home folder. */
export function clientKeyUsagePath(home: string): string {
  return join(home, CLIENT_KEY_USAGE_FILE_NAME);
}

/**
 * Writes the usage file (0600, replaced atomically).
 *
 * @param home - the `CODETETHER_HOME` folder
 * @param snapshot - the usage to store
 */
export async function writeClientKeyUsage(home: string, snapshot: ClientKeyUsageSnapshot): Promise<void> {
  await replaceOwnerOnlyFile(home, clientKeyUsagePath(home), `${JSON.stringify(snapshot, null, 2)}\n`);
}

/** A count as the gateway writes it: a whole number from 0 up. */
function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * The snapshot a parsed usage file holds: `undefined` unless `since` is an ISO 8601 time and `keys` an
 * object; entries whose name is no key name or whose counts are not whole numbers from 0 up are left
 * out — the file is shown by `keys list`, so nothing but names and numbers may come through.
 */
function usageSnapshotOf(parsed: unknown): ClientKeyUsageSnapshot | undefined {
  if (!isRecord(parsed) || typeof parsed.since !== 'string' || !isIsoTime(parsed.since)) return undefined;
  if (!isRecord(parsed.keys)) return undefined;
  const keys: Record<string, ClientKeyUsage> = {};
  for (const [name, usage] of Object.entries(parsed.keys)) {
    if (
      !(isClientKeyName(name) || name === SERVER_KEY_NAME) ||
      !isRecord(usage) ||
      !isCount(usage.requests) ||
      !isCount(usage.tokens)
    )
      continue;
    // A key name (checked above) is never `__proto__` or another special property.
    keys[name] = { requests: usage.requests, tokens: usage.tokens };
  }
  return { since: parsed.since, keys };
}

/**
 * Reads the usage file; `undefined` when there is none, it cannot be read or it is over
 * {@link CLIENT_KEY_USAGE_FILE_MAX_BYTES} (usage is informational).
 *
 * @param home - the `CODETETHER_HOME` folder
 */
export async function readClientKeyUsage(home: string): Promise<ClientKeyUsageSnapshot | undefined> {
  try {
    const text = await readOwnerOnlyFile(
      clientKeyUsagePath(home),
      { name: 'client key usage file', recovery: 'remove it (the gateway writes it again)' },
      { maxBytes: CLIENT_KEY_USAGE_FILE_MAX_BYTES },
    );
    if (text === undefined) return undefined;
    return usageSnapshotOf(JSON.parse(text));
  } catch {
    return undefined;
  }
}
