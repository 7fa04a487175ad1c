import { join } from 'node:path';
import { readOwnerOnlyFile } from '@codetether/oauth-pkce';
import type { ClientKeyUsage } from './gateway-metrics.js';
import { replaceOwnerOnlyFile } from './owner-only-file-replace.js';

/**
 * The file under `CODETETHER_HOME` where a running gateway leaves each key's requests and tokens (since
 * it started), for `codetether-server keys list`. Names and numbers only, never a key.
 */
export const CLIENT_KEY_USAGE_FILE_NAME = 'client-key-usage.json';

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

/**
 * Reads the usage file; `undefined` when there is none or it cannot be read (usage is informational).
 *
 * @param home - the `CODETETHER_HOME` folder
 */
export async function readClientKeyUsage(home: string): Promise<ClientKeyUsageSnapshot | undefined> {
  try {
    const text = await readOwnerOnlyFile(clientKeyUsagePath(home), {
      name: 'client key usage file',
      recovery: 'remove it (the gateway writes it again)',
    });
    if (text === undefined) return undefined;
    const parsed = JSON.parse(text) as Partial<ClientKeyUsageSnapshot>;
    if (typeof parsed.since !== 'string' || typeof parsed.keys !== 'object' || parsed.keys === null)
      return undefined;
    return { since: parsed.since, keys: parsed.keys };
  } catch {
    return undefined;
  }
}
