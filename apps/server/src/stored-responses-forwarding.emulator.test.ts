import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiErrorOf } from './__fixtures__/api-error.js';
import { type GatewayHarness, startGatewayHarness, TEST_SERVER_KEY } from './__fixtures__/gateway-harness.js';
import { createFileClientKeyStore } from './client-key-store.js';

const TIMEOUT = { timeout: 30_000 };
const MODEL = 'gpt-5.4';

async function expectNotFound(call: Promise<unknown>, responseId: string): Promise<void> {
  const error = await apiErrorOf(call);
  expect(error.status).toBe(404);
  expect(error.error).toEqual({
    message: `Response with id '${responseId.length > 128 ? `${responseId.slice(0, 128)}…` : responseId}' not found.`,
    type: 'invalid_request_error',
    param: null,
    code: null,
  });
}

describe('stored responses forwarded to the OpenAI API (API key upstream)', () => {
  let harness: GatewayHarness;
  let client: OpenAI;
  /** A client of the OpenAI API itself (the emulator), with another key of the same project. */
  let upstream: OpenAI;
  /** The requests the emulator received for stored responses. */
  const storedResponseRequests = () =>
    harness.emulator.requests.filter((request) => /^\/v1\/responses\/./.test(request.path));

  beforeAll(async () => {
    harness = await startGatewayHarness({ auth: 'api-key' });
    client = new OpenAI({ baseURL: harness.baseUrl, apiKey: TEST_SERVER_KEY, maxRetries: 0 });
    upstream = new OpenAI({
      baseURL: harness.emulator.openaiBaseUrl,
      apiKey: harness.emulator.createApiKey(),
      maxRetries: 0,
    });
  }, 30_000);
  afterAll(async () => {
    await harness?.close();
  });

  it('retrieves, lists and deletes a store: true response the gateway never held', TIMEOUT, async () => {
    const created = await upstream.responses.create({
      model: MODEL,
      store: true,
      input: [
        { role: 'user', content: '[scenario:text] kept upstream' },
        { role: 'user', content: 'second item' },
      ],
    });
    const retrieved = await client.responses.retrieve(created.id);
    expect(retrieved).toEqual(created);
    const items = await client.responses.inputItems.list(created.id, { order: 'asc' });
    expect(items.data.map((item) => (item as { content: unknown }).content)).toEqual([
      '[scenario:text] kept upstream',
      'second item',
    ]);
    const firstPage = await client.responses.inputItems.list(created.id, { order: 'asc', limit: 1 });
    expect(firstPage.data).toHaveLength(1);
    expect(firstPage.has_more).toBe(true);
    const badLimit = await apiErrorOf(client.responses.inputItems.list(created.id, { limit: 0 }));
    expect(badLimit.status).toBe(400);
    expect(badLimit.param).toBe('limit');

    const deleted = await client.responses.delete(created.id).asResponse();
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toEqual({ id: created.id, object: 'response', deleted: true });
    await expectNotFound(client.responses.retrieve(created.id), created.id);
    await expectNotFound(upstream.responses.retrieve(created.id), created.id);
    await expectNotFound(client.responses.delete(created.id), created.id);
    await expectNotFound(client.responses.inputItems.list(created.id), created.id);
    // Sent with the gateway's API key, never the client's key.
    const forwarded = storedResponseRequests().at(-1);
    expect(forwarded?.headers.authorization).not.toContain(TEST_SERVER_KEY);
  });

  it(
    'deletes the upstream copy of a store: true response it holds, so it stays deleted',
    TIMEOUT,
    async () => {
      const created = await client.responses.create({
        model: MODEL,
        store: true,
        input: '[scenario:text] stored twice',
      });
      expect((await upstream.responses.retrieve(created.id)).id).toBe(created.id);
      expect((await client.responses.retrieve(created.id)).id).toBe(created.id);
      expect((await client.responses.delete(created.id).asResponse()).status).toBe(200);
      await expectNotFound(upstream.responses.retrieve(created.id), created.id);
      await expectNotFound(client.responses.retrieve(created.id), created.id);
    },
  );

  it('never forwards another key’s response id', TIMEOUT, async () => {
    const store = createFileClientKeyStore({ home: await mkdtemp(join(tmpdir(), 'codetether-keys-')) });
    const own = new OpenAI({
      baseURL: harness.baseUrl,
      apiKey: (await store.create('own')).key,
      maxRetries: 0,
    });
    const other = new OpenAI({
      baseURL: harness.baseUrl,
      apiKey: (await store.create('other')).key,
      maxRetries: 0,
    });
    const keyed = await startGatewayHarness({ auth: 'api-key', clientKeys: { store } });
    try {
      const ownClient = own.withOptions({ baseURL: keyed.baseUrl });
      const otherClient = other.withOptions({ baseURL: keyed.baseUrl });
      const created = await ownClient.responses.create({
        model: MODEL,
        store: true,
        input: '[scenario:text] mine alone',
      });
      await expectNotFound(otherClient.responses.retrieve(created.id), created.id);
      await expectNotFound(otherClient.responses.inputItems.list(created.id), created.id);
      await expectNotFound(otherClient.responses.delete(created.id), created.id);
      expect((await ownClient.responses.retrieve(created.id)).id).toBe(created.id);
      expect(keyed.emulator.requests.some((request) => request.path.startsWith('/v1/responses/'))).toBe(
        false,
      );
    } finally {
      await keyed.close();
    }
  });

  it('answers 404 for unknown ids, and never forwards ids with path tricks', TIMEOUT, async () => {
    await expectNotFound(client.responses.retrieve('resp_unknown'), 'resp_unknown');
    await expectNotFound(client.responses.delete('resp_unknown'), 'resp_unknown');
    const before = storedResponseRequests().length;
    const huge = `resp_${'a'.repeat(8000)}`;
    await expectNotFound(client.responses.retrieve(huge), huge);
    const headers = { authorization: `Bearer ${TEST_SERVER_KEY}` };
    for (const [method, path] of [
      ['GET', '/responses/..%2Fmodels'],
      ['GET', '/responses/%2E%2E'],
      ['DELETE', '/responses/resp_a%2F..%2F..%2Fmodels'],
      ['GET', '/responses/resp_a%2Fb/input_items'],
      ['GET', '/responses/resp_%00'],
      ['GET', '/responses/resp_a%3Fb%3Dc'],
    ] as const) {
      const answer = await fetch(`${harness.baseUrl}${path}`, { method, headers });
      expect(answer.status, path).toBe(404);
      expect(((await answer.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    }
    expect(storedResponseRequests().length).toBe(before);
  });
});
