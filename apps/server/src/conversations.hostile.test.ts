import { describe, expect, it } from 'vitest';
import { createFakeGateway, type FakeGateway } from './__fixtures__/fake-gateway.js';
import { clientTagOf } from './conversation-index.js';
import type { GatewayServerOptions } from './gateway-server.js';

const TEXT_EVENTS = (status: 'completed' | 'incomplete' | 'failed' = 'completed') => [
  { type: 'response.created', response: { id: 'resp_1', status: 'in_progress', output: [] } },
  {
    type: 'response.output_item.done',
    item: {
      id: 'msg_model1',
      type: 'message',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: 'answer', annotations: [] }],
    },
  },
  { type: `response.${status}`, response: { id: 'resp_1', status, output: [] } },
];

interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

async function errorOf(answer: Response): Promise<ErrorBody['error'] & { status: number }> {
  const body = (await answer.json()) as ErrorBody;
  return { status: answer.status, ...body.error };
}

function gatewayWith(overrides: Partial<GatewayServerOptions> = {}): FakeGateway {
  const gateway = createFakeGateway(undefined, { continuation: false, ...overrides });
  gateway.provider.responseEvents = TEXT_EVENTS();
  return gateway;
}

async function newConversation(gateway: FakeGateway, body: unknown = {}): Promise<string> {
  const answer = await gateway.call('/v1/conversations', { json: body });
  expect(answer.status).toBe(200);
  return ((await answer.json()) as { id: string }).id;
}

async function itemsOf(gateway: FakeGateway, id: string): Promise<Record<string, unknown>[]> {
  const answer = await gateway.call(`/v1/conversations/${id}/items?order=asc&limit=100`);
  return ((await answer.json()) as { data: Record<string, unknown>[] }).data;
}

describe('the Conversations API against hostile or mistaken callers', () => {
  it('refuses `conversation` with `previous_response_id`, a warm-up, and malformed references (400, nothing upstream)', async () => {
    const gateway = gatewayWith();
    const id = await newConversation(gateway);
    const cases: [unknown, Record<string, unknown>, string, string][] = [
      [id, { previous_response_id: 'resp_1' }, 'conversation', 'mutually_exclusive_parameters'],
      [id, { generate: false }, 'generate', 'unsupported_parameter'],
      [123, {}, 'conversation', 'invalid_value'],
      [{ id: 5 }, {}, 'conversation', 'invalid_value'],
      [{}, {}, 'conversation', 'invalid_value'],
      ['not-a-conversation', {}, 'conversation', 'invalid_value'],
      [`conv_${'a'.repeat(10_000)}`, {}, 'conversation', 'invalid_value'],
      ['conv_../../etc', {}, 'conversation', 'invalid_value'],
    ];
    for (const [conversation, extra, param, code] of cases) {
      const answer = await gateway.call('/v1/responses', {
        json: { model: 'gpt-5.4', input: 'hi', conversation, ...extra },
      });
      const error = await errorOf(answer);
      expect(error, JSON.stringify(conversation).slice(0, 40)).toMatchObject({ status: 400, param, code });
      expect(error.message.length).toBeLessThan(400);
    }
    expect(gateway.provider.responseBodies).toHaveLength(0);
    expect(await itemsOf(gateway, id)).toEqual([]);
  });

  it('answers 404 naming `conversation` for an unknown, deleted or another key’s conversation', async () => {
    const gateway = gatewayWith();
    const deleted = await newConversation(gateway);
    await gateway.call(`/v1/conversations/${deleted}`, { method: 'DELETE' });
    const foreign = gateway.gateway.conversationStore?.create(clientTagOf('Bearer someone-else'), {}, []);
    for (const id of [`conv_${'0'.repeat(48)}`, deleted, foreign?.id]) {
      const answer = await gateway.call('/v1/responses', {
        json: { model: 'gpt-5.4', input: 'hi', conversation: id },
      });
      expect(await errorOf(answer)).toMatchObject({
        status: 404,
        param: 'conversation',
        code: 'conversation_not_found',
      });
    }
    expect(gateway.provider.responseBodies).toHaveLength(0);
  });

  it('turned off, `conversation` is a 400 and nothing goes upstream', async () => {
    const gateway = gatewayWith({ conversationsApi: false });
    const answer = await gateway.call('/v1/responses', {
      json: { model: 'gpt-5.4', input: 'hi', conversation: `conv_${'1'.repeat(48)}` },
    });
    expect(await errorOf(answer)).toMatchObject({ status: 400, param: 'conversation' });
    expect(gateway.provider.responseBodies).toHaveLength(0);
  });

  it('one response at a time per conversation: another meanwhile gets 409 conversation_locked', async () => {
    const gateway = gatewayWith();
    let releaseFirst: () => void = () => {};
    const firstHeld = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    let calls = 0;
    gateway.provider.createResponseStream = async (body) => {
      gateway.provider.responseBodies.push(body);
      calls += 1;
      const hold = calls === 1;
      return {
        events: (async function* () {
          const [created, item, completed] = TEXT_EVENTS();
          yield created;
          if (hold) await firstHeld;
          yield item;
          yield completed;
        })(),
      };
    };
    const id = await newConversation(gateway);
    const first = await gateway.call('/v1/responses', {
      json: { model: 'gpt-5.4', input: 'first', conversation: id, stream: true },
    });
    expect(first.status).toBe(200);
    const second = await gateway.call('/v1/responses', {
      json: { model: 'gpt-5.4', input: 'second', conversation: id },
    });
    expect(await errorOf(second)).toMatchObject({
      status: 409,
      param: 'conversation',
      code: 'conversation_locked',
    });
    // Another conversation is not held.
    const other = await newConversation(gateway);
    expect(
      (await gateway.call('/v1/responses', { json: { model: 'gpt-5.4', input: 'x', conversation: other } }))
        .status,
    ).toBe(200);
    releaseFirst();
    await first.text();
    const third = await gateway.call('/v1/responses', {
      json: { model: 'gpt-5.4', input: 'third', conversation: id },
    });
    expect(third.status).toBe(200);
    expect((await itemsOf(gateway, id)).map((item) => item.role)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
  });

  it('a failed response adds nothing and frees the conversation; an incomplete one is added', async () => {
    const gateway = gatewayWith();
    const id = await newConversation(gateway);
    gateway.provider.responseEvents = TEXT_EVENTS('failed');
    const failed = await gateway.call('/v1/responses', {
      json: { model: 'gpt-5.4', input: 'fails', conversation: id },
    });
    expect(failed.status).toBeGreaterThanOrEqual(400);
    expect(await itemsOf(gateway, id)).toEqual([]);
    gateway.provider.responseEvents = [{ type: 'error', code: 'server_error', message: 'boom' }];
    await gateway.call('/v1/responses', { json: { model: 'gpt-5.4', input: 'errs', conversation: id } });
    expect(await itemsOf(gateway, id)).toEqual([]);
    gateway.provider.responseEvents = { error: new Error('upstream down') };
    await gateway.call('/v1/responses', { json: { model: 'gpt-5.4', input: 'down', conversation: id } });
    expect(await itemsOf(gateway, id)).toEqual([]);
    gateway.provider.responseEvents = TEXT_EVENTS('incomplete');
    const incomplete = await gateway.call('/v1/responses', {
      json: { model: 'gpt-5.4', input: 'cut short', conversation: id },
    });
    expect(((await incomplete.json()) as { conversation: unknown }).conversation).toEqual({ id });
    expect((await itemsOf(gateway, id)).map((item) => item.id)).toEqual([
      expect.stringMatching(/^msg_/),
      'msg_model1',
    ]);
  });

  it('a client that leaves mid-stream frees the conversation without adding to it', async () => {
    const gateway = gatewayWith();
    const id = await newConversation(gateway);
    gateway.provider.createResponseStream = async () => ({
      events: (async function* () {
        yield TEXT_EVENTS()[0];
        await new Promise(() => {});
      })(),
    });
    const controller = new AbortController();
    const answer = await gateway.call('/v1/responses', {
      json: { model: 'gpt-5.4', input: 'leaving', conversation: id, stream: true },
      signal: controller.signal,
    });
    const reader = answer.body?.getReader();
    await reader?.read();
    await reader?.cancel();
    controller.abort();
    gateway.provider.createResponseStream = async () => ({
      events: (async function* () {
        yield* TEXT_EVENTS();
      })(),
    });
    let next: Response | undefined;
    for (let attempt = 0; attempt < 50; attempt += 1) {
      next = await gateway.call('/v1/responses', {
        json: { model: 'gpt-5.4', input: 'back', conversation: id },
      });
      if (next.status !== 409) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(next?.status).toBe(200);
    expect((await itemsOf(gateway, id)).map((item) => item.role)).toEqual(['user', 'assistant']);
  });

  it('refuses bad items, metadata and limits with 400 naming the field', async () => {
    const gateway = gatewayWith();
    const id = await newConversation(gateway);
    const user = { role: 'user', content: 'x' };
    const cases: [string, unknown, string, string?][] = [
      [
        '/v1/conversations',
        { items: Array.from({ length: 10_000 }, () => user) },
        'items',
        'array_above_max_length',
      ],
      ['/v1/conversations', { items: Array.from({ length: 21 }, () => user) }, 'items'],
      ['/v1/conversations', { items: 'hello' }, 'items'],
      ['/v1/conversations', { items: ['hello'] }, 'items[0]'],
      [
        '/v1/conversations',
        { items: [{ content: 'no role' }] },
        'items[0].type',
        'missing_required_parameter',
      ],
      ['/v1/conversations', { items: [{ role: 'root', content: 'x' }] }, 'items[0].role'],
      ['/v1/conversations', { items: [{ role: 'user', content: 5 }] }, 'items[0].content'],
      ['/v1/conversations', { items: [{ role: 'user', content: [5] }] }, 'items[0].content[0]'],
      ['/v1/conversations', { items: [{ type: 'Robert"); DROP', role: 'user' }] }, 'items[0].type'],
      [
        '/v1/conversations',
        { items: [{ type: 'item_reference' }] },
        'items[0].id',
        'missing_required_parameter',
      ],
      ['/v1/conversations', { items: [{ ...user, id: '../../etc/passwd' }] }, 'items[0].id'],
      ['/v1/conversations', { items: [{ ...user, id: 'x'.repeat(129) }] }, 'items[0].id'],
      ['/v1/conversations', { metadata: 'tags' }, 'metadata'],
      [
        '/v1/conversations',
        { metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) },
        'metadata',
      ],
      ['/v1/conversations', { metadata: { ['k'.repeat(65)]: 'v' } }, 'metadata'],
      ['/v1/conversations', { metadata: { key: 'v'.repeat(513) } }, 'metadata.key'],
      ['/v1/conversations', { metadata: { key: 'v'.repeat(2_000_000) } }, 'metadata.key'],
      ['/v1/conversations', { metadata: { key: 5 } }, 'metadata.key'],
      [`/v1/conversations/${id}`, {}, 'metadata', 'missing_required_parameter'],
      [`/v1/conversations/${id}`, { metadata: { key: ['nested'] } }, 'metadata.key'],
      [`/v1/conversations/${id}/items`, {}, 'items', 'missing_required_parameter'],
      [`/v1/conversations/${id}/items`, { items: Array.from({ length: 10_000 }, () => user) }, 'items'],
      [
        '/v1/responses',
        { model: 'gpt-5.4', conversation: id, input: [{ role: 'nobody', content: 'x' }] },
        'input[0].role',
      ],
      [
        '/v1/responses',
        { model: 'gpt-5.4', conversation: id, input: [{ role: 'user', content: 'x', id: 'a b' }] },
        'input[0].id',
      ],
    ];
    for (const [path, body, param, code] of cases) {
      const error = await errorOf(await gateway.call(path, { json: body }));
      expect(error, `${path} ${JSON.stringify(body).slice(0, 60)}`).toMatchObject({
        status: 400,
        param,
        ...(code === undefined ? {} : { code }),
      });
      expect(error.message.length).toBeLessThan(500);
    }
    expect(await itemsOf(gateway, id)).toEqual([]);
    expect(gateway.gateway.conversationStore?.size).toBe(1);
    expect(gateway.provider.responseBodies).toHaveLength(0);
  });

  it('refuses JSON nested 10^4 deep in items, and bodies beyond the body limit', async () => {
    const gateway = gatewayWith({ maxBodyBytes: 64 * 1024 });
    const id = await newConversation(gateway);
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    for (const path of ['/v1/conversations', `/v1/conversations/${id}/items`]) {
      const answer = await gateway.call(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: `{"items":[{"role":"user","content":[{"type":"input_text","text":"x","deep":${deep}}]}]}`,
      });
      expect(await errorOf(answer)).toMatchObject({ status: 400, param: expect.stringMatching(/^items/) });
    }
    const huge = await gateway.call('/v1/conversations', {
      json: { items: [{ role: 'user', content: 'x'.repeat(100_000) }] },
    });
    expect(huge.status).toBe(413);
    expect(gateway.gateway.conversationStore?.size).toBe(1);
  });

  it('refuses malformed ids and path tricks, echoing them cut short', async () => {
    const gateway = gatewayWith();
    const id = await newConversation(gateway);
    for (const path of [
      '/v1/conversations/..%2f',
      '/v1/conversations/..%2f..%2fmodels',
      '/v1/conversations/conv_a%2F..%2Fb',
      '/v1/conversations/%00',
      '/v1/conversations/conv_%E2%80%AE',
      `/v1/conversations/conv_${'a'.repeat(10_000)}`,
      '/v1/conversations/resp_123',
      '/v1/conversations/..%2f/items',
    ]) {
      const error = await errorOf(await gateway.call(path));
      expect(error, path.slice(0, 60)).toMatchObject({ status: 400, param: 'conversation_id' });
      expect(error.message.length).toBeLessThan(300);
    }
    for (const itemPath of ['..%2f..%2f', 'msg%00', 'x'.repeat(200)]) {
      const error = await errorOf(await gateway.call(`/v1/conversations/${id}/items/${itemPath}`));
      expect(error, itemPath.slice(0, 20)).toMatchObject({ status: 400, param: 'item_id' });
    }
    expect((await gateway.call(`/v1/conversations/${id}/items/msg_nothing`)).status).toBe(404);
    expect((await gateway.call('/v1/conversations', { method: 'PUT' })).status).toBe(405);
    expect((await gateway.call(`/v1/conversations/${id}`, { key: null })).status).toBe(401);
    expect((await gateway.call(`/v1/conversations/${id}`, { key: 'wrong-key' })).status).toBe(401);
  });

  it('checks the list query: limit 1–100, order asc|desc, an `after` of the conversation', async () => {
    const gateway = gatewayWith();
    const id = await newConversation(gateway, { items: [{ role: 'user', content: 'x' }] });
    for (const [query, param] of [
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=-1', 'limit'],
      ['limit=1e2', 'limit'],
      ['order=sideways', 'order'],
      ['after=msg_unknown', 'after'],
    ] as const) {
      const error = await errorOf(await gateway.call(`/v1/conversations/${id}/items?${query}`));
      expect(error, query).toMatchObject({ status: 400, param });
    }
    expect((await gateway.call(`/v1/conversations/${id}/items?limit=100&include=x`)).status).toBe(200);
  });

  it('refuses what would pass the byte limit, before anything goes upstream', async () => {
    const gateway = gatewayWith({ conversationsApi: { maxBytes: 4_096 } });
    const id = await newConversation(gateway);
    const items = await gateway.call(`/v1/conversations/${id}/items`, {
      json: { items: [{ role: 'user', content: 'x'.repeat(5_000) }] },
    });
    expect(await errorOf(items)).toMatchObject({
      status: 400,
      param: 'items',
      code: 'conversation_too_large',
    });
    const turn = await gateway.call('/v1/responses', {
      json: { model: 'gpt-5.4', conversation: id, input: 'x'.repeat(5_000) },
    });
    expect(await errorOf(turn)).toMatchObject({
      status: 400,
      param: 'conversation',
      code: 'conversation_too_large',
    });
    expect(gateway.provider.responseBodies).toHaveLength(0);
    // Not held by the refused turn.
    expect(
      (await gateway.call('/v1/responses', { json: { model: 'gpt-5.4', conversation: id, input: 'ok' } }))
        .status,
    ).toBe(200);
  });

  it('evicts beyond the count limit and reports the store in /metrics', async () => {
    const gateway = gatewayWith({ conversationsApi: { maxConversations: 2 } });
    const first = await newConversation(gateway);
    await newConversation(gateway);
    await newConversation(gateway);
    expect((await gateway.call(`/v1/conversations/${first}`)).status).toBe(404);
    const metrics = await (await gateway.call('/metrics', { key: null })).text();
    expect(metrics).toContain('codetether_server_stored_conversations 2');
    expect(metrics).toMatch(/codetether_server_stored_conversation_bytes \d+/);
    expect(metrics).toContain('codetether_server_stored_conversation_evictions_total{reason="count"} 1');
  });
});
