import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readOwnerOnlyFile } from '@codetether/oauth-pkce';
import type { RateLimitSnapshotView } from './rendering/rate-limit-bars.js';

/**
 * The file name holding the usage windows of the latest answer, in the profile's folder
 * (`CODETETHER_HOME` for the default profile, `CODETETHER_HOME/profiles/<name>` for a named one).
 */
export const RATE_LIMIT_CACHE_FILE = 'rate-limits.json';

const USAGE_CACHE_LABEL = { name: 'usage cache', recovery: 'run `codetether usage --refresh`' };

/** What the cache holds. */
export interface CachedRateLimits {
  /** When the headers were received, epoch ms. */
  savedAt: number;
  /** The windows. */
  rateLimits: RateLimitSnapshotView;
}

/**
 * Saves the usage windows of the latest answer so `codetether usage` can show them without a request.
 * Failures are ignored: the cache is a convenience.
 *
 * @param home - the profile's folder (`CODETETHER_HOME` for the default profile)
 * @param rateLimits - the snapshot
 * @param savedAt - when it was received, epoch ms
 */
export async function saveRateLimits(
  home: string,
  rateLimits: RateLimitSnapshotView,
  savedAt: number,
): Promise<void> {
  try {
    await mkdir(home, { recursive: true, mode: 0o700 });
    const path = join(home, RATE_LIMIT_CACHE_FILE);
    const temporary = `${path}.${process.pid}.tmp`;
    const content: CachedRateLimits = { savedAt, rateLimits };
    await writeFile(temporary, `${JSON.stringify(content)}\n`, { mode: 0o600 });
    await chmod(temporary, 0o600);
    await rename(temporary, path);
  } catch {
    // Not being able to cache the windows must never fail a chat.
  }
}

/**
 * Reads the cached usage windows; `undefined` when there are none or the file is unreadable (or is a
 * FIFO, device, link or file of another user).
 *
 * @param home - the profile's folder (`CODETETHER_HOME` for the default profile)
 */
export async function loadRateLimits(home: string): Promise<CachedRateLimits | undefined> {
  try {
    // Never blocks on a FIFO nor follows a link (e.g. to /dev/zero): a regular file of this user only.
    const text = await readOwnerOnlyFile(join(home, RATE_LIMIT_CACHE_FILE), USAGE_CACHE_LABEL);
    if (text === undefined) return undefined;
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { savedAt, rateLimits } = parsed as Partial<CachedRateLimits>;
    if (typeof savedAt !== 'number' || typeof rateLimits !== 'object' || rateLimits === null)
      return undefined;
    return { savedAt, rateLimits };
  } catch {
    return undefined;
  }
}
