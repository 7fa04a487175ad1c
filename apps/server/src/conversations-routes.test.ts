import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { createFakeGateway, FAKE_GATEWAY_KEY, FAKE_GATEWAY_NOW } from './__fixtures__/fake-gateway.js';
import type { OpenApiDocument } from './openapi-document.js';

function sdkOf(gateway: ReturnType<typeof createFakeGateway>, apiKey = FAKE_GATEWAY_KEY): OpenAI {
  return new OpenAI({
    baseURL: 'http://gateway.test/v1',
    apiKey,
    maxRetries: 0,
    fetch: (input, init) => gateway.fetch(input as string, init),
  });
}

const say = (text: string) => ({ role: 'user' as const, content: text });

describe('the Conversations API routes (openai SDK)', () => {
  it('create, retrieve, update and delete a conversation', async () => {
    const gateway = createFakeGateway();
    const client = sdkOf(gateway);
    const created = await client.conversations.create({ metadata: { topic: 'demo' } });
    expect(created).toEqual({
      id: expect.stringMatching(/^conv_[0-9a-f]{48}$/),
      object: 'conversation',
      created_at: Math.floor(FAKE_GATEWAY_NOW / 1000),
      metadata: { topic: 'demo' },
    });
    expect(await client.conversations.retrieve(created.id)).toEqual(created);
    const updated = await client.conversations.update(created.id, { metadata: { topic: 'other', x: 'y' } });
    expect(updated.metadata).toEqual({ topic: 'other', x: 'y' });
    expect((await client.conversations.update(created.id, { metadata: null })).metadata).toEqual({});
    expect(await client.conversations.delete(created.id)).toEqual({
      id: created.id,
      object: 'conversation.deleted',
      deleted: true,
    });
    const gone = await client.conversations.retrieve(created.id).catch((error: unknown) => error);
    expect(gone).toBeInstanceOf(OpenAI.NotFoundError);
    expect((gone as InstanceType<typeof OpenAI.NotFoundError>).error).toMatchObject({
      param: 'conversation_id',
      code: 'conversation_not_found',
    });
    await expect(client.conversations.delete(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    expect(await (await gateway.call('/v1/conversations', { method: 'POST' })).json()).toMatchObject({
      object: 'conversation',
      metadata: {},
    });
  });

  it('items: create, list in both orders with `after`, retrieve and delete', async () => {
    const client = sdkOf(createFakeGateway());
    const conversation = await client.conversations.create({
      items: [say('one'), { type: 'message', role: 'assistant', content: 'two' }],
    });
    const added = await client.conversations.items.create(conversation.id, {
      items: [
        say('three'),
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'four' }] },
        say('five'),
      ],
    });
    expect(added.object).toBe('list');
    expect(added.data).toHaveLength(3);
    expect(added.first_id).toBe(added.data[0]?.id);
    expect(added.last_id).toBe(added.data[2]?.id);
    expect(added.has_more).toBe(false);
    expect(added.data[0]).toEqual({
      id: expect.stringMatching(/^msg_/),
      type: 'message',
      role: 'user',
      status: 'completed',
      content: [{ type: 'input_text', text: 'three' }],
    });
    const textOf = (item: OpenAI.Conversations.ConversationItem) =>
      item.type === 'message' ? (item.content[0] as { text: string }).text : item.type;

    const ascending: string[] = [];
    for await (const item of client.conversations.items.list(conversation.id, { order: 'asc', limit: 2 }))
      ascending.push(textOf(item));
    expect(ascending).toEqual(['one', 'two', 'three', 'four', 'five']);
    const descending: string[] = [];
    for await (const item of client.conversations.items.list(conversation.id, { limit: 2 }))
      descending.push(textOf(item));
    expect(descending).toEqual(['five', 'four', 'three', 'two', 'one']);

    const firstPage = await client.conversations.items.list(conversation.id, { order: 'asc', limit: 2 });
    expect(firstPage.data.map(textOf)).toEqual(['one', 'two']);
    expect(firstPage.has_more).toBe(true);
    const after = await client.conversations.items.list(conversation.id, {
      order: 'asc',
      after: firstPage.data[1]?.id ?? '',
    });
    expect(after.data.map(textOf)).toEqual(['three', 'four', 'five']);
    expect(after.has_more).toBe(false);
    expect(firstPage.data[1]).toMatchObject({
      role: 'assistant',
      content: [{ type: 'output_text', text: 'two' }],
    });

    const three = added.data[0]?.id ?? '';
    expect(await client.conversations.items.retrieve(three, { conversation_id: conversation.id })).toEqual(
      added.data[0],
    );
    expect(await client.conversations.items.delete(three, { conversation_id: conversation.id })).toEqual(
      conversation,
    );
    const missing = await client.conversations.items
      .retrieve(three, { conversation_id: conversation.id })
      .catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect((missing as InstanceType<typeof OpenAI.NotFoundError>).error).toMatchObject({ param: 'item_id' });
    const remaining = await client.conversations.items.list(conversation.id, { order: 'asc' });
    expect(remaining.data.map(textOf)).toEqual(['one', 'two', 'four', 'five']);
  });

  it('never shows one key’s conversation to another key', async () => {
    const gateway = createFakeGateway();
    const client = sdkOf(gateway);
    const { id } = await client.conversations.create({ items: [say('secret')] });
    const itemId = (await client.conversations.items.list(id)).data[0]?.id ?? '';
    // Another bearer value (same gateway key under another spelling is impossible): a second tag.
    const otherTag = (path: string, init: RequestInit = {}) =>
      gateway.call(path, { ...init, headers: { 'x-api-key': FAKE_GATEWAY_KEY }, key: null });
    // x-api-key authenticates as the same key: it sees the conversation.
    expect((await otherTag(`/v1/conversations/${id}`)).status).toBe(200);
    const store = gateway.gateway.conversationStore;
    const foreign = store?.create('another-client-tag', {}, [say('theirs')]);
    for (const [method, path] of [
      ['GET', `/v1/conversations/${foreign?.id}`],
      ['POST', `/v1/conversations/${foreign?.id}`],
      ['DELETE', `/v1/conversations/${foreign?.id}`],
      ['GET', `/v1/conversations/${foreign?.id}/items`],
      ['POST', `/v1/conversations/${foreign?.id}/items`],
      ['GET', `/v1/conversations/${foreign?.id}/items/${itemId}`],
      ['DELETE', `/v1/conversations/${foreign?.id}/items/${itemId}`],
    ] as const) {
      const answer = await gateway.call(path, {
        method,
        ...(method === 'POST' ? { body: JSON.stringify({ metadata: {}, items: [say('x')] }) } : {}),
      });
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe(
        'conversation_not_found',
      );
    }
    expect(store?.items('another-client-tag', foreign?.id ?? '')).toHaveLength(1);
  });

  it('answers 404 on every route when the Conversations API is turned off', async () => {
    const gateway = createFakeGateway(undefined, { conversationsApi: false });
    const answer = await gateway.call('/v1/conversations', { json: {} });
    expect(answer.status).toBe(404);
    expect(await answer.json()).toMatchObject({ error: { code: 'unknown_url' } });
    expect(gateway.gateway.conversationStore).toBeUndefined();
  });

  it('are described in /openapi.json', async () => {
    const { call } = createFakeGateway();
    const document = (await (await call('/openapi.json', { key: null })).json()) as OpenApiDocument;
    expect(Object.keys(document.paths['/v1/conversations'] ?? {})).toEqual(['post']);
    expect(Object.keys(document.paths['/v1/conversations/{conversationId}'] ?? {}).sort()).toEqual([
      'delete',
      'get',
      'post',
    ]);
    expect(Object.keys(document.paths['/v1/conversations/{conversationId}/items'] ?? {}).sort()).toEqual([
      'get',
      'post',
    ]);
    expect(
      Object.keys(document.paths['/v1/conversations/{conversationId}/items/{itemId}'] ?? {}).sort(),
    ).toEqual(['delete', 'get']);
  });
});
