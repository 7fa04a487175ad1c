import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, mkdir, open, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readFileHandleAtMost } from '@codetether/oauth-pkce';
import type { Backend } from '@codetether/responses-protocol';
import type { ModelInfo } from './model-catalogue.js';
import { hasListedModel, parseModelEntry, readEntityTag } from './model-list-parser.js';

/** The largest cache file read: a list of the most models the parser keeps, with room to spare. */
const MAX_CACHE_FILE_BYTES = 8 * 1024 * 1024;

/** A backend's model list as saved under `CODETETHER_HOME`. */
export interface CachedModelList {
  /** Which list this is: the URL it was read from plus the account, so another login never reuses it. */
  key: string;
  /** The `ETag` of the answer, sent back as `If-None-Match`. */
  etag?: string;
  /** When the backend last confirmed the list, epoch ms. */
  fetchedAt: number;
  /** The models. */
  models: ModelInfo[];
}

/**
 * The cache file of a backend's model list: `models-chatgpt.json` or `models-openai.json` under
 * `CODETETHER_HOME`.
 *
 * @param home - `CODETETHER_HOME`
 * @param backend - the backend
 */
export function modelCachePath(home: string, backend: Backend): string {
  return join(home, `models-${backend}.json`);
}

/**
 * Reads a file only when it is a regular file of at most `maxBytes` at `path` itself: a symlink is not
 * followed, and a FIFO or device (opened without blocking) is not read, so another local process cannot
 * make the read hang or read another file; the read stops one byte past `maxBytes`, even when the file
 * grows meanwhile. `undefined` otherwise.
 */
async function readRegularFile(path: string, maxBytes: number): Promise<string | undefined> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const stats = await handle.stat();
    if (!stats.isFile() || stats.size > maxBytes) return undefined;
    const bytes = await readFileHandleAtMost(handle, maxBytes);
    return bytes?.toString('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Reads a cached model list. A missing, unreadable, corrupt, oversized or foreign (another `key`) file
 * is `undefined` — never an error: the next fetched list replaces it. A symlink, FIFO or device in the
 * file's place is not read.
 *
 * @param path - the cache file
 * @param key - the list wanted (see {@link CachedModelList.key})
 * @param backend - the backend (to re-read the models tolerantly)
 */
export async function readCachedModelList(
  path: string,
  key: string,
  backend: Backend,
): Promise<CachedModelList | undefined> {
  try {
    const text = await readRegularFile(path, MAX_CACHE_FILE_BYTES);
    if (text === undefined) return undefined;
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const fields = parsed as Record<string, unknown>;
    if (
      fields.key !== key ||
      typeof fields.fetchedAt !== 'number' ||
      !Number.isFinite(fields.fetchedAt) ||
      !Array.isArray(fields.models)
    ) {
      return undefined;
    }
    const models = fields.models
      .map((entry) => readCachedModel(entry, backend))
      .filter((model) => model !== undefined);
    const cached: CachedModelList = { key, fetchedAt: fields.fetchedAt, models };
    const etag = readEntityTag(fields.etag);
    if (etag !== undefined) cached.etag = etag;
    return hasListedModel(models) ? cached : undefined;
  } catch {
    return undefined;
  }
}

/** A cached {@link ModelInfo}, checked field by field (a hand-edited file must not crash the list). */
function readCachedModel(entry: unknown, backend: Backend): ModelInfo | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const cached = entry as Partial<Record<keyof ModelInfo, unknown>>;
  const model = parseModelEntry(
    {
      slug: cached.id,
      display_name: cached.name,
      description: cached.description,
      context_window: cached.contextWindow,
      max_output_tokens: cached.maxOutputTokens,
      input_modalities: cached.supportsVision === true ? ['text', 'image'] : ['text'],
      supported_reasoning_levels: cached.supportedReasoningEfforts,
      default_reasoning_level: cached.defaultReasoningEffort,
      supports_reasoning_summaries: cached.supportsReasoningSummaries,
      support_verbosity: cached.supportsVerbosity,
      default_verbosity: cached.defaultVerbosity,
      service_tiers: cached.serviceTiers,
      visibility: cached.visibility,
      priority: cached.priority,
      minimal_client_version: cached.minimalClientVersion,
    },
    backend,
  );
  if (model !== undefined && typeof cached.supportsReasoning === 'boolean') {
    model.supportsReasoning = cached.supportsReasoning;
  }
  return model;
}

/**
 * Saves a model list (atomically: a new temporary file with an unguessable name, created exclusively so
 * nothing planted there is written through, then renamed over the old one, owner-only). Concurrent
 * writers (other processes too) each rename a whole file: the last one wins. Failures are ignored: the
 * cache is a convenience and must never fail a request.
 *
 * @param home - `CODETETHER_HOME` (created when missing)
 * @param path - the cache file
 * @param list - what to save
 */
export async function writeCachedModelList(home: string, path: string, list: CachedModelList): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await mkdir(home, { recursive: true, mode: 0o700 });
    await writeFile(temporary, `${JSON.stringify(list)}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(temporary, 0o600);
    await rename(temporary, path);
  } catch {
    // A read-only home or a full disk only costs the next start a fetch.
    await unlink(temporary).catch(() => {});
  }
}
