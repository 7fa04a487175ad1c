import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { temporaryHome } from './__fixtures__/emulator-harness.js';
import type { AuthSession } from './auth.js';
import { createLiveModelCatalogue, type LiveModelCatalogue } from './live-model-catalogue.js';
import { modelCachePath, readCachedModelList, writeCachedModelList } from './model-list-cache.js';

const SECRET_TOKEN = 'sk-hostile-catalogue-secret-token';
const SESSION: AuthSession = {
  mode: 'chatgpt',
  backend: 'chatgpt',
  getCredentials: async () => ({ bearerToken: SECRET_TOKEN, accountId: 'account-1' }),
  refreshAfterRejection: async () => false,
  describe: async () => ({ mode: 'chatgpt', backend: 'chatgpt' }) as never,
};

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  vi.restoreAllMocks();
});

/** A scripted upstream on 127.0.0.1: each `/models` request is answered by `handler`. */
async function scriptedUpstream(handler: Handler): Promise<{ url: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((request, response) => {
    requests.push(request);
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/models`, requests };
}

async function home(): Promise<string> {
  const created = await temporaryHome();
  cleanups.push(created.cleanup);
  return created.home;
}

const clock = { now: 1_000_000 };

function catalogue(
  url: string,
  folder: string | undefined,
  timeoutMs = 10_000,
  fetchFunction: typeof fetch = fetch,
): LiveModelCatalogue {
  return createLiveModelCatalogue({
    modelsUrl: () => url,
    headers: (_backend, credentials) => ({ authorization: `Bearer ${credentials.bearerToken}` }),
    fetch: fetchFunction,
    now: () => clock.now,
    home: folder,
    ttlMs: 300_000,
    timeoutMs,
  });
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Handler => {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };
};

const ids = (list: { models: { id: string }[] }) => list.models.map((model) => model.id);

describe('the model-list cache file against a hostile local process', { timeout: 30_000 }, () => {
  it('does not hang on a FIFO in place of the cache file', { timeout: 10_000 }, async () => {
    const folder = await home();
    const path = modelCachePath(folder, 'chatgpt');
    execFileSync('mkfifo', [path]);
    cleanups.push(() => {
      // Releases a reader blocked in open(2), so a failing run does not leave a thread stuck.
      try {
        closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        // No reader was waiting.
      }
    });
    const result = await Promise.race([
      readCachedModelList(path, 'key', 'chatgpt'),
      new Promise((resolve) => setTimeout(() => resolve('hung'), 3_000)),
    ]);
    expect(result).toBeUndefined();
  });

  it('does not follow a symlink in place of the cache file', async () => {
    const folder = await home();
    const path = modelCachePath(folder, 'chatgpt');
    const elsewhere = join(folder, 'elsewhere.json');
    await writeFile(elsewhere, JSON.stringify({ key: 'key', fetchedAt: 1, models: [{ id: 'gpt-6' }] }));
    await symlink(elsewhere, path);
    expect(await readCachedModelList(path, 'key', 'chatgpt')).toBeUndefined();
  });

  it('never writes through a symlink planted at the temporary file name', async () => {
    const folder = await home();
    const path = modelCachePath(folder, 'chatgpt');
    const victim = join(folder, 'victim.txt');
    await writeFile(victim, 'precious');
    vi.spyOn(Date, 'now').mockReturnValue(42);
    await symlink(victim, `${path}.${process.pid}.42.tmp`);
    await writeCachedModelList(folder, path, { key: 'key', fetchedAt: 1, models: [] });
    expect(await readFile(victim, 'utf8')).toBe('precious');
  });

  it('writes whole files when many writers race (no torn or mixed cache)', async () => {
    const folder = await home();
    const path = modelCachePath(folder, 'chatgpt');
    vi.spyOn(Date, 'now').mockReturnValue(7);
    const model = (index: number) => ({ id: `gpt-${index}`, description: 'x'.repeat(index * 5_000) });
    await Promise.all(
      Array.from({ length: 20 }, (_unused, index) =>
        writeCachedModelList(folder, path, {
          key: 'key',
          fetchedAt: index + 1,
          models: [model(index) as never],
        }),
      ),
    );
    const saved = JSON.parse(await readFile(path, 'utf8')) as { fetchedAt: number; models: { id: string }[] };
    expect(saved.models[0]?.id).toBe(`gpt-${saved.fetchedAt - 1}`);
    expect((await readdir(folder)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('ignores a cache file too large to be a model list', async () => {
    const folder = await home();
    const path = modelCachePath(folder, 'chatgpt');
    const huge = { key: 'key', fetchedAt: 1, models: [{ id: 'gpt-6' }], padding: 'x'.repeat(20_000_000) };
    await writeFile(path, JSON.stringify(huge));
    expect(await readCachedModelList(path, 'key', 'chatgpt')).toBeUndefined();
  });

  it('asks the backend again when the cache claims to come from the future', async () => {
    const folder = await home();
    const upstream = await scriptedUpstream(json({ models: [{ slug: 'gpt-live' }] }));
    const key = `${upstream.url}#account-1`;
    await writeFile(
      modelCachePath(folder, 'chatgpt'),
      JSON.stringify({ key, fetchedAt: 1e308, models: [{ id: 'gpt-stale' }] }),
    );
    const list = await catalogue(upstream.url, folder).get(SESSION);
    await vi.waitFor(() => expect(upstream.requests).toHaveLength(1), { timeout: 10_000 });
    expect(ids(list)).toEqual(['gpt-stale']);
    await vi.waitFor(
      async () => expect(ids(await catalogueGet(upstream.url, folder))).toEqual(['gpt-live']),
      {
        timeout: 10_000,
      },
    );
  });

  it('keeps revalidating when the cached ETag is not a valid header value', async () => {
    const folder = await home();
    const upstream = await scriptedUpstream(json({ models: [{ slug: 'gpt-live' }] }));
    const key = `${upstream.url}#account-1`;
    await writeFile(
      modelCachePath(folder, 'chatgpt'),
      JSON.stringify({ key, etag: 'a\r\nx-injected: 1', fetchedAt: 1, models: [{ id: 'gpt-stale' }] }),
    );
    const list = await catalogue(upstream.url, folder).get(SESSION, { refresh: true });
    expect(ids(list)).toEqual(['gpt-live']);
    expect(upstream.requests[0]?.headers['x-injected']).toBeUndefined();
  });
});

/** A new catalogue over the same folder (what the next process would read). */
async function catalogueGet(url: string, folder: string) {
  return catalogue(url, folder).get(SESSION);
}

describe('the live model list against a broken or hostile upstream', { timeout: 30_000 }, () => {
  it('refuses an answer over the size limit and keeps the bundled list', { timeout: 20_000 }, async () => {
    const padding = 'x'.repeat(1_000_000);
    const upstream = await scriptedUpstream((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"models":[{"slug":"gpt-huge","description":"');
      for (let index = 0; index < 40; index += 1) response.write(padding);
      response.end('"}]}');
    });
    const list = await catalogue(upstream.url, undefined, 15_000).get(SESSION);
    expect(list.source).toBe('bundled');
  });

  it('reads 100,000 entries with duplicate ids quickly, keeping the first', async () => {
    const entries = Array.from({ length: 100_000 }, (_unused, index) => ({ slug: `gpt-${index % 3}` }));
    const upstream = await scriptedUpstream(json({ models: entries }));
    const list = await catalogue(upstream.url, undefined).get(SESSION);
    expect(ids(list)).toEqual(['gpt-0', 'gpt-1', 'gpt-2']);
  });

  it('keeps at most 1,000 of 100,000 distinct models', async () => {
    const entries = Array.from({ length: 100_000 }, (_unused, index) => ({ slug: `gpt-${index}` }));
    const upstream = await scriptedUpstream(json({ models: entries }));
    const list = await catalogue(upstream.url, undefined).get(SESSION);
    expect(list.models.length).toBeLessThanOrEqual(1_000);
    expect(list.models[0]?.id).toBe('gpt-0');
  });

  it('skips ids that are not model names', async () => {
    const upstream = await scriptedUpstream(
      json({
        models: [
          { slug: '../../etc/passwd' },
          { slug: 'a/b' },
          { slug: 'a\\b' },
          { slug: 'a\u0000b' },
          { slug: 'a b' },
          { slug: '\u001b[31mred' },
          { slug: 'x'.repeat(10_000) },
          { slug: '..' },
          { slug: 'gpt-5.4' },
          { id: 'ft:gpt-4o-mini:org::abc123' },
        ],
      }),
    );
    const list = await catalogue(upstream.url, undefined).get(SESSION);
    expect(ids(list)).toEqual(['gpt-5.4', 'ft:gpt-4o-mini:org::abc123']);
  });

  it('ignores context windows and output limits that are not token counts', async () => {
    const upstream = await scriptedUpstream(
      json({
        models: [
          { slug: 'negative', context_window: -5, max_output_tokens: -1 },
          { slug: 'not-a-number', context_window: 'NaN', max_output_tokens: null },
          { slug: 'astronomic', context_window: 1e308, max_output_tokens: 1e308 },
          { slug: 'fraction', context_window: 1.5, max_output_tokens: 0.5 },
          { slug: 'tiny', context_window: 1, max_output_tokens: 1 },
          { slug: 'gpt-5.4', context_window: 1e308 },
          { slug: 'sane', context_window: 128_000, max_output_tokens: 16_384 },
        ],
      }),
    );
    const list = await catalogue(upstream.url, undefined).get(SESSION);
    const windows = Object.fromEntries(
      list.models.map((model) => [model.id, [model.contextWindow, model.maxOutputTokens]]),
    );
    expect(windows).toEqual({
      negative: [272_000, 128_000],
      'not-a-number': [272_000, 128_000],
      astronomic: [272_000, 128_000],
      fraction: [272_000, 128_000],
      tiny: [272_000, 128_000],
      'gpt-5.4': [272_000, 128_000],
      sane: [128_000, 16_384],
    });
  });

  it.each([
    ['an empty list', { models: [] }],
    ['only hidden models', { models: [{ slug: 'gpt-secret', visibility: 'hide' }] }],
    ['only unreadable entries', { models: [{ slug: '' }, 42, null, { slug: 'a b' }] }],
    ['the wrong shape', { models: { slug: 'gpt-5.4' } }],
  ])('keeps the last good list on %s', async (_name, body) => {
    let answer: unknown = { models: [{ slug: 'gpt-good' }] };
    const upstream = await scriptedUpstream((request, response) => json(answer)(request, response));
    const live = catalogue(upstream.url, undefined);
    expect(ids(await live.get(SESSION))).toEqual(['gpt-good']);
    answer = body;
    const list = await live.get(SESSION, { refresh: true });
    expect(ids(list)).toEqual(['gpt-good']);
  });

  it.each([401, 403, 429, 500])(
    'keeps the last good list on HTTP %i, then the bundled one',
    async (status) => {
      let failing = false;
      const upstream = await scriptedUpstream((request, response) =>
        failing
          ? json({ error: { message: `denied ${SECRET_TOKEN}` } }, status)(request, response)
          : json({ models: [{ slug: 'gpt-good' }] })(request, response),
      );
      const live = catalogue(upstream.url, undefined);
      expect(ids(await live.get(SESSION))).toEqual(['gpt-good']);
      failing = true;
      expect(ids(await live.get(SESSION, { refresh: true }))).toEqual(['gpt-good']);
      const fresh = catalogue(upstream.url, undefined);
      expect((await fresh.get(SESSION)).source).toBe('bundled');
    },
  );

  it.each([301, 302, 303, 307, 308])(
    'never follows a %i redirect with the credentials: the list is unavailable',
    async (status) => {
      const elsewhere = await scriptedUpstream(json({ models: [{ slug: 'gpt-elsewhere' }] }));
      const upstream = await scriptedUpstream((_request, response) => {
        response.writeHead(status, { location: elsewhere.url });
        response.end();
      });
      const live = catalogue(upstream.url, undefined);
      expect((await live.get(SESSION)).source).toBe('bundled');
      expect(upstream.requests).toHaveLength(1);
      expect(elsewhere.requests).toHaveLength(0);
    },
  );

  it('does not make every request wait for an upstream that keeps failing', async () => {
    const upstream = await scriptedUpstream(json({ error: 'down' }, 500));
    const live = catalogue(upstream.url, undefined);
    expect((await live.get(SESSION)).source).toBe('bundled');
    expect((await live.get(SESSION)).source).toBe('bundled');
    expect((await live.get(SESSION)).source).toBe('bundled');
    expect(upstream.requests).toHaveLength(1);
    clock.now += 61_000;
    expect((await live.get(SESSION)).source).toBe('bundled');
    expect(upstream.requests).toHaveLength(2);
  });

  it('answers 50 concurrent callers with one upstream request, bounded when it never ends', async () => {
    const upstream = await scriptedUpstream((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"models":[');
      // …and nothing more, ever.
    });
    let fetches = 0;
    const counting: typeof fetch = (input, init) => {
      fetches += 1;
      return fetch(input, init);
    };
    const live = catalogue(upstream.url, await home(), 300, counting);
    const lists = await Promise.all(Array.from({ length: 50 }, () => live.get(SESSION)));
    expect(lists.every((list) => list.source === 'bundled')).toBe(true);
    expect(fetches).toBe(1);
    expect(upstream.requests.length).toBeLessThanOrEqual(1);
  });

  it('keeps the cache a regular file when the upstream changes the list between calls', async () => {
    const folder = await home();
    let version = 0;
    const upstream = await scriptedUpstream((request, response) => {
      version += 1;
      json({ models: [{ slug: `gpt-v${version}` }] }, 200, { etag: `"v${version}"` })(request, response);
    });
    const live = catalogue(upstream.url, folder);
    expect(ids(await live.get(SESSION))).toEqual(['gpt-v1']);
    expect(ids(await live.get(SESSION, { refresh: true }))).toEqual(['gpt-v2']);
    expect(ids(await catalogueGet(upstream.url, folder))).toEqual(['gpt-v2']);
    expect((await lstat(modelCachePath(folder, 'chatgpt'))).isFile()).toBe(true);
    expect(await readFile(modelCachePath(folder, 'chatgpt'), 'utf8')).not.toContain(SECRET_TOKEN);
  });

  it('never lets the cache folder be a file planted by another process', async () => {
    const folder = join(await home(), 'nested');
    await mkdir(folder);
    const upstream = await scriptedUpstream(json({ models: [{ slug: 'gpt-good' }] }));
    await writeFile(modelCachePath(folder, 'chatgpt'), 'garbage \u0000 not json');
    expect(ids(await catalogue(upstream.url, folder).get(SESSION))).toEqual(['gpt-good']);
  });
});
