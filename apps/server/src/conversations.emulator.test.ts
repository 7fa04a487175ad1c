import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedRequest } from '@codetether/emulator';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type GatewayHarness, startGatewayHarness, TEST_SERVER_KEY } from './__fixtures__/gateway-harness.js';
import { createResponse, openResponsesSocket } from './__fixtures__/responses-websocket-client.js';
import { useSuiteGateway } from './__fixtures__/suite-gateway.js';
import { createFileClientKeyStore } from './client-key-store.js';

const TIMEOUT = { timeout: 30_000 };

function responsesRequests(harness: GatewayHarness): RecordedRequest[] {
  return harness.emulator.requests.filter(
    (request) => request.path.endsWith('/responses') && request.method === 'POST',
  );
}

/** The texts of a request body's input, each as `role: text` (reasoning items as `reasoning`). */
function transcriptOf(body: unknown): string[] {
  const input = (body as { input?: unknown }).input;
  if (!Array.isArray(input)) return [];
  return input.map((item: Record<string, unknown>) => {
    if (item.type === 'reasoning') return 'reasoning';
    const content = item.content as { text?: string }[];
    return `${String(item.role)}: ${content.map((part) => part.text ?? '').join('')}`;
  });
}

/** The body of an upstream request as a record (empty when there is none). */
function bodyOf(
  request: RecordedRequest | undefined,
): Record<string, unknown> & { input?: Record<string, unknown>[] } {
  return (request?.body ?? {}) as Record<string, unknown> & { input?: Record<string, unknown>[] };
}

/** The text of an item of a conversation as `role: text` (reasoning items as `reasoning`). */
function listedText(item: OpenAI.Conversations.ConversationItem): string {
  if (item.type !== 'message') return item.type;
  return `${item.role}: ${item.content.map((part) => ('text' in part ? part.text : '')).join('')}`;
}

describe.each([
  { transport: 'websocket', auth: 'chatgpt' },
  { transport: 'http', auth: 'chatgpt' },
  { transport: 'websocket', auth: 'api-key' },
] as const)('the Conversations API over $transport upstream ($auth)', ({ transport, auth }) => {
  const gateway = useSuiteGateway({ transport, auth });
  beforeEach(() => {
    gateway.harness.emulator.clearRequests();
  });

  it(
    'three turns on one conversation: each carries the earlier ones, and the items hold them in order',
    TIMEOUT,
    async () => {
      const conversation = await gateway.client.conversations.create({ metadata: { user: 'u1' } });
      const first = await gateway.client.responses.create({
        model: 'gpt-5.4',
        input: '[scenario:reasoning] first question',
        conversation: conversation.id,
      });
      expect(first.conversation).toEqual({ id: conversation.id });
      const reasoning = first.output.find((item) => item.type === 'reasoning');
      // The gateway asks for encrypted reasoning to replay it; the client, which did not, sees none.
      expect(reasoning).toBeDefined();
      expect(reasoning).not.toHaveProperty('encrypted_content');

      const stream = await gateway.client.responses.create({
        model: 'gpt-5.4',
        input: [{ role: 'user', content: '[scenario:text] second question' }],
        conversation: { id: conversation.id },
        stream: true,
      });
      let second: OpenAI.Responses.Response | undefined;
      for await (const event of stream) {
        if (event.type === 'response.created')
          expect(event.response.conversation).toEqual({ id: conversation.id });
        if (event.type === 'response.completed') second = event.response;
      }
      expect(second?.conversation).toEqual({ id: conversation.id });
      const third = await gateway.client.responses.create({
        model: 'gpt-5.4',
        input: '[scenario:text] third question',
        conversation: conversation.id,
      });
      expect(third.output_text).toContain('Hello from the CodeTether emulator');

      const upstream = responsesRequests(gateway.harness);
      expect(upstream).toHaveLength(3);
      const answer =
        'assistant: Hello from the CodeTether emulator. This is a scripted answer with usage numbers.';
      const [turn1, turn2, turn3] = upstream;
      expect(transcriptOf(turn1?.body)).toEqual(['user: [scenario:reasoning] first question']);
      expect(bodyOf(turn1).include).toContain('reasoning.encrypted_content');
      const turn1Answer = first.output
        .filter((item) => item.type === 'message')
        .map((item) => listedText(item as OpenAI.Conversations.ConversationItem));
      if (transport === 'websocket') {
        // Continued over the warm socket: only the new message after the first turn.
        for (const later of [turn2, turn3]) {
          expect(later?.previousResponseId).toMatch(/^resp_/);
          expect(later?.connectionId).toBe(turn1?.connectionId);
        }
        expect(turn2?.previousResponseId).toBe(first.id);
        expect(turn3?.previousResponseId).toBe(second?.id);
        expect(transcriptOf(turn2?.body)).toEqual(['user: [scenario:text] second question']);
        expect(transcriptOf(turn3?.body)).toEqual(['user: [scenario:text] third question']);
      } else {
        // Over HTTP, every turn carries the whole conversation, reasoning with its encrypted content.
        for (const request of upstream) expect(request.previousResponseId).toBeUndefined();
        expect(transcriptOf(turn2?.body)).toEqual([
          'user: [scenario:reasoning] first question',
          'reasoning',
          ...turn1Answer,
          'user: [scenario:text] second question',
        ]);
        const replayed = bodyOf(turn2).input?.[1];
        expect(replayed).toMatchObject({ type: 'reasoning', encrypted_content: expect.any(String) });
        expect(replayed?.id).toBeUndefined();
        expect(transcriptOf(turn3?.body)).toEqual([
          ...transcriptOf(turn2?.body),
          answer,
          'user: [scenario:text] third question',
        ]);
      }

      const items: OpenAI.Conversations.ConversationItem[] = [];
      for await (const item of gateway.client.conversations.items.list(conversation.id, {
        order: 'asc',
        limit: 3,
      }))
        items.push(item);
      expect(items.map(listedText)).toEqual([
        'user: [scenario:reasoning] first question',
        'reasoning',
        ...turn1Answer,
        'user: [scenario:text] second question',
        answer,
        'user: [scenario:text] third question',
        answer,
      ]);
      // Output items keep the ids the model gave them; the request's input got ids of the gateway.
      const outputIds = [...first.output, ...(second?.output ?? []), ...third.output].map((item) => item.id);
      expect(outputIds.every((id) => items.some((item) => item.id === id))).toBe(true);
      expect(items[0]?.id).toMatch(/^msg_/);
      // Encrypted reasoning is listed only when asked for, as OpenAI lists it.
      expect(items[1]).not.toHaveProperty('encrypted_content');
      const withReasoning = await gateway.client.conversations.items.retrieve(items[1]?.id ?? '', {
        conversation_id: conversation.id,
        include: ['reasoning.encrypted_content'],
      });
      expect(withReasoning).toMatchObject({ encrypted_content: expect.any(String) });
      if (transport === 'http')
        expect(bodyOf(turn2).input?.[1]?.encrypted_content).toBe(
          (withReasoning as { encrypted_content?: unknown }).encrypted_content,
        );
      // A response's own input items are its request's input, not the conversation before it.
      const inputItems = await gateway.client.responses.inputItems.list(third.id);
      expect(
        inputItems.data.map((item) => listedText(item as OpenAI.Conversations.ConversationItem)),
      ).toEqual(['user: [scenario:text] third question']);
      expect((await gateway.client.responses.retrieve(third.id)).conversation).toEqual({
        id: conversation.id,
      });
    },
  );

  it('a tool call and its result on a conversation: the result continues the call', TIMEOUT, async () => {
    const weather = {
      type: 'function' as const,
      name: 'get_weather',
      description: 'Current weather for a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      strict: false,
    };
    const conversation = await gateway.client.conversations.create({});
    const first = await gateway.client.responses.create({
      model: 'gpt-5.4',
      input: '[scenario:tool-call] What is the weather in Paris?',
      tools: [weather],
      conversation: conversation.id,
    });
    const call = first.output.find((item) => item.type === 'function_call');
    expect(call?.type).toBe('function_call');
    const second = await gateway.client.responses.create({
      model: 'gpt-5.4',
      input: [{ type: 'function_call_output', call_id: call?.call_id ?? '', output: 'Sunny, 21 C' }],
      tools: [weather],
      conversation: conversation.id,
    });
    expect(second.output_text).toContain('Sunny, 21 C');
    const [, upstreamSecond] = responsesRequests(gateway.harness);
    if (transport === 'websocket') {
      expect(upstreamSecond?.previousResponseId).toBe(first.id);
      expect(upstreamSecond?.inputItems).toBe(1);
    } else {
      expect(bodyOf(upstreamSecond).input?.map((item) => item.type)).toEqual([
        'message',
        'function_call',
        'function_call_output',
      ]);
    }
    const items = await gateway.client.conversations.items.list(conversation.id, { order: 'asc' });
    expect(items.data.map((item) => item.type)).toEqual([
      'message',
      'function_call',
      'function_call_output',
      'message',
    ]);
    expect(items.data[1]?.id).toBe(call?.id);
    expect(items.data[2]?.id).toMatch(/^fco_/);
  });

  it('starts from the items the conversation was created with and added', TIMEOUT, async () => {
    const conversation = await gateway.client.conversations.create({
      items: [{ role: 'developer', content: 'Answer briefly.' }],
    });
    await gateway.client.conversations.items.create(conversation.id, {
      items: [
        { role: 'user', content: 'My name is Ada.' },
        { type: 'message', role: 'assistant', content: 'Nice to meet you, Ada.' },
      ],
    });
    await gateway.client.responses.create({
      model: 'gpt-5.4',
      input: '[scenario:text] What is my name?',
      conversation: conversation.id,
    });
    const [request] = responsesRequests(gateway.harness);
    expect(transcriptOf(request?.body)).toEqual([
      'developer: Answer briefly.',
      'user: My name is Ada.',
      'assistant: Nice to meet you, Ada.',
      'user: [scenario:text] What is my name?',
    ]);
    const sent = bodyOf(request).input ?? [];
    expect(sent.every((item) => item.id === undefined)).toBe(true);
    expect(sent[1]).not.toHaveProperty('status');
    const page = await gateway.client.conversations.items.list(conversation.id);
    expect(page.data).toHaveLength(5);
  });
});

describe('the Conversations API over the gateway’s WebSocket mode', () => {
  const gateway = useSuiteGateway({ transport: 'websocket' });

  it('response.create with `conversation` runs a turn on it and continues upstream', TIMEOUT, async () => {
    const conversation = await gateway.client.conversations.create({});
    const socket = await openResponsesSocket(gateway.harness);
    try {
      gateway.harness.emulator.clearRequests();
      const first = await createResponse(socket, {
        model: 'gpt-5.4',
        input: '[scenario:text] hello over the socket',
        conversation: conversation.id,
      });
      const completed = first.at(-1) as { type: string; response: { id: string; conversation: unknown } };
      expect(completed.type).toBe('response.completed');
      expect(completed.response.conversation).toEqual({ id: conversation.id });
      const second = await createResponse(socket, {
        model: 'gpt-5.4',
        input: '[scenario:text] and again',
        conversation: { id: conversation.id },
      });
      expect(second.at(-1)?.type).toBe('response.completed');
      const [, continued] = responsesRequests(gateway.harness);
      expect(continued?.previousResponseId).toBe(completed.response.id);
      expect(continued?.inputItems).toBe(1);
      const refused = await createResponse(socket, {
        model: 'gpt-5.4',
        input: 'x',
        conversation: 'conv_unknown',
      });
      expect(refused.at(-1)).toMatchObject({
        type: 'error',
        status: 404,
        error: { param: 'conversation', code: 'conversation_not_found' },
      });
    } finally {
      socket.close();
    }
    const items = await gateway.client.conversations.items.list(conversation.id, { order: 'asc' });
    expect(items.data.map(listedText)).toEqual([
      'user: [scenario:text] hello over the socket',
      expect.stringMatching(/^assistant: /),
      'user: [scenario:text] and again',
      expect.stringMatching(/^assistant: /),
    ]);
  });
});

describe('the Conversations API with two client keys', () => {
  let harness: GatewayHarness;
  let laptop: OpenAI;
  let phone: OpenAI;
  let laptopKey: string;
  let phoneKey: string;

  beforeAll(async () => {
    const store = createFileClientKeyStore({ home: await mkdtemp(join(tmpdir(), 'codetether-keys-')) });
    const clientOf = (apiKey: string) => new OpenAI({ baseURL: harness.baseUrl, apiKey, maxRetries: 0 });
    laptopKey = (await store.create('laptop')).key;
    phoneKey = (await store.create('phone')).key;
    harness = await startGatewayHarness({ transport: 'websocket', clientKeys: { store } });
    laptop = clientOf(laptopKey);
    phone = clientOf(phoneKey);
  }, 30_000);
  afterAll(async () => {
    await harness?.close();
  });

  it('never lets one key see, use, change or delete another key’s conversation', TIMEOUT, async () => {
    const conversation = await laptop.conversations.create({
      metadata: { owner: 'laptop' },
      items: [{ role: 'user', content: 'private note' }],
    });
    const itemId = (await laptop.conversations.items.list(conversation.id)).data[0]?.id ?? '';
    const attempts: (() => Promise<unknown>)[] = [
      () => phone.conversations.retrieve(conversation.id),
      () => phone.conversations.update(conversation.id, { metadata: { owner: 'phone' } }),
      () => phone.conversations.items.list(conversation.id),
      () =>
        phone.conversations.items.create(conversation.id, { items: [{ role: 'user', content: 'injected' }] }),
      () => phone.conversations.items.retrieve(itemId, { conversation_id: conversation.id }),
      () => phone.conversations.items.delete(itemId, { conversation_id: conversation.id }),
      () =>
        phone.responses.create({
          model: 'gpt-5.4',
          input: '[scenario:text] hi',
          conversation: conversation.id,
        }),
      () => phone.conversations.delete(conversation.id),
    ];
    for (const attempt of attempts) {
      const error = await attempt().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    }
    expect(await laptop.conversations.retrieve(conversation.id)).toMatchObject({
      metadata: { owner: 'laptop' },
    });
    const items = await laptop.conversations.items.list(conversation.id);
    expect(items.data.map(listedText)).toEqual(['user: private note']);
    harness.emulator.clearRequests();
    await laptop.responses.create({
      model: 'gpt-5.4',
      input: '[scenario:text] hi',
      conversation: conversation.id,
    });
    expect(responsesRequests(harness)).toHaveLength(1);
  });

  it('keeps keys apart when they authenticate with x-api-key instead of Authorization', TIMEOUT, async () => {
    const post = (key: string, path: string, body: unknown) =>
      fetch(`${harness.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const get = (key: string, path: string) =>
      fetch(`${harness.baseUrl}${path}`, { headers: { 'x-api-key': key } });
    const response = (await (
      await post(laptopKey, '/responses', { model: 'gpt-5.4', input: '[scenario:text] mine' })
    ).json()) as { id: string };
    expect((await get(laptopKey, `/responses/${response.id}`)).status).toBe(200);
    expect((await get(phoneKey, `/responses/${response.id}`)).status).toBe(404);
    expect((await get(phoneKey, `/responses/${response.id}/input_items`)).status).toBe(404);
    const conversation = (await (await post(laptopKey, '/conversations', {})).json()) as { id: string };
    expect((await get(laptopKey, `/conversations/${conversation.id}`)).status).toBe(200);
    expect((await get(phoneKey, `/conversations/${conversation.id}`)).status).toBe(404);
    // The same key with either header is the same client.
    expect((await laptop.conversations.retrieve(conversation.id)).id).toBe(conversation.id);
  });
});

describe('the Conversations API at shutdown', () => {
  it(
    'a response running on a conversation does not hold the shutdown up, and the store is emptied',
    TIMEOUT,
    async () => {
      const harness = await startGatewayHarness({ transport: 'websocket', emulator: { eventDelayMs: 200 } });
      try {
        const client = new OpenAI({ baseURL: harness.baseUrl, apiKey: TEST_SERVER_KEY, maxRetries: 0 });
        const conversation = await client.conversations.create({
          items: [{ role: 'user', content: 'kept' }],
        });
        const stream = await client.responses.create({
          model: 'gpt-5.4',
          input: '[scenario:text] a slow answer',
          conversation: conversation.id,
          stream: true,
        });
        const events = stream[Symbol.asyncIterator]();
        await events.next();
        const started = performance.now();
        await harness.gateway.close({ graceMs: 0 });
        expect(performance.now() - started).toBeLessThan(5_000);
        expect(harness.gateway.gateway.conversationStore?.size).toBe(0);
        await events.return?.(undefined).catch(() => {});
      } finally {
        await harness.close();
      }
    },
  );
});
