import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Backend } from '@codetether/responses-protocol';
import type { ModelInfo } from './model-catalogue.js';
import { parseModelEntry } from './model-list-parser.js';

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
 * Reads a cached model list. A missing, unreadable, corrupt or foreign (another `key`) file is
 * `undefined` — never an error: the next fetched list replaces it.
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
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const fields = parsed as Record<string, unknown>;
    if (fields.key !== key || typeof fields.fetchedAt !== 'number' || !Array.isArray(fields.models)) {
      return undefined;
    }
    const models = fields.models
      .map((entry) => readCachedModel(entry, backend))
      .filter((model) => model !== undefined);
    const cached: CachedModelList = { key, fetchedAt: fields.fetchedAt, models };
    if (typeof fields.etag === 'string') cached.etag = fields.etag;
    return models.length === 0 ? undefined : cached;
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
 * Saves a model list (atomically: a temporary file renamed over the old one, owner-only). Failures are
 * ignored: the cache is a convenience and must never fail a request.
 *
 * @param home - `CODETETHER_HOME` (created when missing)
 * @param path - the cache file
 * @param list - what to save
 */
export async function writeCachedModelList(home: string, path: string, list: CachedModelList): Promise<void> {
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await mkdir(home, { recursive: true, mode: 0o700 });
    await writeFile(temporary, `${JSON.stringify(list)}\n`, { mode: 0o600 });
    await chmod(temporary, 0o600);
    await rename(temporary, path);
  } catch {
    // A read-only home or a full disk only costs the next start a fetch.
  }
}
