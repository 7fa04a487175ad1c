import type { Backend } from '@codetether/responses-protocol';
import type { AuthSession, RequestCredentials } from './auth.js';
import { readBoundedJsonBody } from './bounded-json-body.js';
import { bundledModelList, type ModelList } from './model-catalogue.js';
import {
  type CachedModelList,
  modelCachePath,
  readCachedModelList,
  writeCachedModelList,
} from './model-list-cache.js';
import { hasListedModel, parseModelList, readEntityTag } from './model-list-parser.js';

/** How long a failed fetch keeps the catalogue from trying again in the background (one minute at most). */
const RETRY_AFTER_FAILURE_MS = 60_000;

/** The largest `/models` answer read (real ones are well under a megabyte); a larger one is a failure. */
const MAX_MODEL_LIST_BYTES = 16 * 1024 * 1024;

/** What the live catalogue needs from the provider. */
export interface LiveModelCatalogueOptions {
  /** The `/models` URL of a backend (the ChatGPT one with `client_version`). */
  modelsUrl(backend: Backend): string;
  /** The headers of a `/models` request (auth, account id, originator, user agent). */
  headers(backend: Backend, credentials: RequestCredentials): Record<string, string>;
  /** `fetch`. */
  fetch: typeof fetch;
  /** Clock, epoch ms. */
  now(): number;
  /** `CODETETHER_HOME` for the disk cache; `undefined` keeps the lists in memory only. */
  home: string | undefined;
  /** How long a list is used without asking the backend again, ms. */
  ttlMs: number;
  /** How long one `/models` request may take, ms. */
  timeoutMs: number;
}

/** Options of {@link LiveModelCatalogue.get}. */
export interface ModelListRequest {
  /** Ask the backend now (conditionally, with the ETag) instead of using a fresh list. */
  refresh?: boolean | undefined;
}

/** Options of {@link LiveModelCatalogue.get} inside the provider. */
export interface CatalogueRequest extends ModelListRequest {
  /**
   * With `refresh`: do not ask (nor wait) when the last attempt failed less than a minute ago — what a
   * model check does, so an unknown model in every request cannot make each one wait on a failing backend.
   */
  unlessRecentlyFailed?: boolean | undefined;
}

/** The backend's model list: fetched, cached on disk with its ETag, never a hard failure. */
export interface LiveModelCatalogue {
  /**
   * The model list of the session's backend. A fresh list (younger than the TTL) is used as is; a
   * stale one is returned at once while a conditional request revalidates it in the background
   * (stale-while-revalidate); without one — or with `refresh` — the backend is asked and waited for.
   * When it cannot be asked: the list in memory, then the disk cache, then the bundled list. After a
   * failure the backend is asked again in a minute at most (the list at hand is used meanwhile), and every
   * wait is bounded by the request timeout; concurrent callers share one request.
   */
  get(session: AuthSession, request?: CatalogueRequest): Promise<ModelList>;
  /** The list last read for a backend, without any I/O (`undefined` before the first `get`). */
  known(backend: Backend): ModelList | undefined;
}

interface CatalogueEntry {
  cached: CachedModelList | undefined;
  source: 'live' | 'cache';
  failedAt?: number;
  revalidation?: Promise<void>;
}

/**
 * Creates the live model catalogue of a provider (see {@link LiveModelCatalogue}).
 *
 * @param options - URLs, headers, fetch, clock, cache folder and timings
 */
export function createLiveModelCatalogue(options: LiveModelCatalogueOptions): LiveModelCatalogue {
  const entries = new Map<string, Promise<CatalogueEntry>>();
  const latest = new Map<Backend, ModelList>();

  const toList = (entry: CatalogueEntry, backend: Backend): ModelList => {
    const list: ModelList =
      entry.cached === undefined
        ? bundledModelList(backend)
        : { models: entry.cached.models, source: entry.source, fetchedAt: entry.cached.fetchedAt };
    latest.set(backend, list);
    return list;
  };

  const revalidate = async (
    entry: CatalogueEntry,
    backend: Backend,
    credentials: RequestCredentials,
  ): Promise<void> => {
    const key = entry.cached?.key;
    const headers = options.headers(backend, credentials);
    if (entry.cached?.etag !== undefined) headers['if-none-match'] = entry.cached.etag;
    try {
      // A redirect is never followed (the bearer token and account id must not reach another URL): a 3xx
      // is not ok, so the list counts as unavailable.
      const response = await options.fetch(options.modelsUrl(backend), {
        headers,
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      if (response.status === 304 && entry.cached !== undefined && key !== undefined) {
        await response.body?.cancel();
        entry.cached = { ...entry.cached, fetchedAt: options.now() };
      } else {
        const models = response.ok
          ? parseModelList(await readBoundedJsonBody(response, MAX_MODEL_LIST_BYTES), backend)
          : undefined;
        if (!response.ok) await response.body?.cancel();
        // An empty list (or one of hidden models only) would make every model unsupported: kept as a failure.
        if (models === undefined || !hasListedModel(models)) throw new Error('no model list');
        entry.cached = { key: cacheKey(backend, credentials), fetchedAt: options.now(), models };
        const etag = readEntityTag(response.headers.get('etag'));
        if (etag !== undefined) entry.cached.etag = etag;
      }
      entry.source = 'live';
      delete entry.failedAt;
      if (options.home !== undefined) {
        await writeCachedModelList(options.home, modelCachePath(options.home, backend), entry.cached);
      }
    } catch {
      // Offline, refused or nonsense: keep what we have (memory, disk, else the bundled list).
      entry.failedAt = options.now();
    }
  };

  const cacheKey = (backend: Backend, credentials: RequestCredentials): string =>
    `${options.modelsUrl(backend)}#${credentials.accountId ?? 'api-key'}`;

  /** The entry of a list; concurrent first callers share one read of the disk cache. */
  const entryFor = (backend: Backend, credentials: RequestCredentials): Promise<CatalogueEntry> => {
    const key = cacheKey(backend, credentials);
    let entry = entries.get(key);
    if (entry === undefined) {
      const { home } = options;
      entry = (async (): Promise<CatalogueEntry> => ({
        cached:
          home === undefined
            ? undefined
            : await readCachedModelList(modelCachePath(home, backend), key, backend),
        source: 'cache',
      }))();
      entries.set(key, entry);
    }
    return entry;
  };

  /** One revalidation at a time per list; callers share it. */
  const startRevalidation = (
    entry: CatalogueEntry,
    backend: Backend,
    credentials: RequestCredentials,
  ): Promise<void> => {
    if (entry.revalidation === undefined) {
      entry.revalidation = revalidate(entry, backend, credentials).finally(() => {
        delete entry.revalidation;
      });
    }
    return entry.revalidation;
  };

  return {
    async get(session, request = {}) {
      const { backend } = session;
      let credentials: RequestCredentials;
      try {
        credentials = await session.getCredentials();
      } catch {
        return latest.get(backend) ?? bundledModelList(backend);
      }
      const entry = await entryFor(backend, credentials);
      const now = options.now();
      // A list from the future (a clock set back, a tampered cache) is stale, not fresh for ever.
      const age = entry.cached === undefined ? undefined : now - entry.cached.fetchedAt;
      const fresh = age !== undefined && age >= 0 && age < options.ttlMs;
      const recentlyFailed =
        entry.failedAt !== undefined &&
        now - entry.failedAt >= 0 &&
        now - entry.failedAt < Math.min(options.ttlMs, RETRY_AFTER_FAILURE_MS);
      const refresh = request.refresh === true && !(request.unlessRecentlyFailed === true && recentlyFailed);
      if (!refresh && fresh) return toList(entry, backend);
      if (!refresh && (entry.cached !== undefined || recentlyFailed)) {
        // The list at hand (else the bundled one) now; the backend is asked in the background.
        if (!recentlyFailed) void startRevalidation(entry, backend, credentials);
        return toList(entry, backend);
      }
      await startRevalidation(entry, backend, credentials);
      return toList(entry, backend);
    },
    known(backend) {
      return latest.get(backend);
    },
  };
}
