import Anthropic from '@anthropic-ai/sdk';
import type { StreamChunk } from '@codetether/responses-protocol';
import { Ollama } from 'ollama';
import { describe, expect, it } from 'vitest';
import { createFakeGateway, FAKE_GATEWAY_KEY } from './__fixtures__/fake-gateway.js';

const ANSWER: StreamChunk[] = [
  { type: 'text', text: 'ok' },
  { type: 'done', finishReason: 'stop' },
];

function anthropicClient(gateway: ReturnType<typeof createFakeGateway>): Anthropic {
  return new Anthropic({
    baseURL: 'http://gateway.test',
    apiKey: FAKE_GATEWAY_KEY,
    maxRetries: 0,
    fetch: gateway.fetch,
  });
}

function ollamaClient(gateway: ReturnType<typeof createFakeGateway>): Ollama {
  return new Ollama({
    host: 'http://gateway.test',
    headers: { authorization: `Bearer ${FAKE_GATEWAY_KEY}` },
    fetch: gateway.fetch,
  });
}

async function anthropicRefusal(
  gateway: ReturnType<typeof createFakeGateway>,
  body: Record<string, unknown>,
): Promise<{ status: number | undefined; type: unknown; message: string }> {
  const error: unknown = await anthropicClient(gateway)
    .messages.create({ model: 'claude-haiku-4-5', max_tokens: 16, ...body } as never)
    .then(
      () => undefined,
      (caught: unknown) => caught,
    );
  expect(error).toBeInstanceOf(Anthropic.BadRequestError);
  const refusal = error as InstanceType<typeof Anthropic.BadRequestError>;
  const inner = (refusal.error as { error?: { type?: unknown; message?: string } }).error;
  return { status: refusal.status, type: inner?.type, message: inner?.message ?? '' };
}

async function ollamaRefusal(
  send: () => Promise<unknown>,
): Promise<{ status: number | undefined; message: string }> {
  const error: unknown = await send().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Error);
  const refusal = error as Error & { status_code?: number; error?: string };
  return { status: refusal.status_code, message: refusal.error ?? refusal.message };
}

describe('Anthropic Messages: hostile images are refused before anything goes upstream', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    [
      'a media type that is not an image',
      { type: 'base64', media_type: 'text/html', data: 'AAAA' },
      'messages[0].content[0].source.media_type',
    ],
    [
      'a media type that would break out of the data URL',
      { type: 'base64', media_type: 'image/png;base64,AAAA', data: 'AAAA' },
      'messages[0].content[0].source.media_type',
    ],
    [
      'data that is not base64',
      { type: 'base64', media_type: 'image/png', data: '<script>alert(1)</script>' },
      'messages[0].content[0].source.data',
    ],
    [
      'empty data',
      { type: 'base64', media_type: 'image/png', data: '' },
      'messages[0].content[0].source.data',
    ],
    [
      'a URL that is not http(s)',
      { type: 'url', url: 'javascript:alert(1)' },
      'messages[0].content[0].source.url',
    ],
  ];
  for (const [name, source, field] of cases) {
    it(`${name} is a 400 naming ${field}`, async () => {
      const gateway = createFakeGateway(ANSWER);
      const refusal = await anthropicRefusal(gateway, {
        messages: [{ role: 'user', content: [{ type: 'image', source }] }],
      });
      expect(refusal).toMatchObject({ status: 400, type: 'invalid_request_error' });
      expect(refusal.message).toContain(`'${field}'`);
      expect(gateway.provider.requests).toHaveLength(0);
    });
  }

  it('an image inside a tool_result is checked too', async () => {
    const gateway = createFakeGateway(ANSWER);
    const refusal = await anthropicRefusal(gateway, {
      messages: [
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 'call_1',
              content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: '%%%' } }],
            },
          ],
        },
      ],
    });
    expect(refusal.status).toBe(400);
    expect(refusal.message).toContain("'messages[0].content[0].content[0].source.data'");
    expect(gateway.provider.requests).toHaveLength(0);
  });

  it('good images (base64 with padding, https URLs) still go through', async () => {
    const gateway = createFakeGateway(ANSWER);
    const message = await anthropicClient(gateway).messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 16,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
          ],
        },
      ],
    });
    expect(message.content).toEqual([{ type: 'text', text: 'ok' }]);
    expect(gateway.provider.requests[0]?.messages[0]).toEqual({
      role: 'user',
      content: [
        { type: 'image', url: 'data:image/png;base64,iVBORw0KGgo=' },
        { type: 'image', url: 'https://example.com/cat.png' },
      ],
    });
  });
});

describe('Ollama: hostile images are refused before anything goes upstream', () => {
  it('/api/chat: an image that is not base64 is a 400 naming it', async () => {
    const gateway = createFakeGateway(ANSWER);
    const refusal = await ollamaRefusal(() =>
      ollamaClient(gateway).chat({
        model: 'gpt-5.4',
        messages: [{ role: 'user', content: 'look', images: ['iVBORw0KGgo=', 'not base64!'] }],
      }),
    );
    expect(refusal.status).toBe(400);
    expect(refusal.message).toContain("'messages[0].images[1]'");
    expect(gateway.provider.requests).toHaveLength(0);
  });

  it('/api/chat: a data URL of something other than an image is a 400', async () => {
    const gateway = createFakeGateway(ANSWER);
    const response = await gateway.call('/api/chat', {
      json: {
        model: 'gpt-5.4',
        stream: false,
        messages: [{ role: 'user', content: 'x', images: ['data:text/html;base64,PGI+'] }],
      },
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain("'messages[0].images[0]'");
    expect(gateway.provider.requests).toHaveLength(0);
  });

  it('/api/generate: an empty image is a 400, not an empty data URL sent upstream', async () => {
    const gateway = createFakeGateway(ANSWER);
    const refusal = await ollamaRefusal(() =>
      ollamaClient(gateway).generate({ model: 'gpt-5.4', prompt: '', images: [''], stream: false }),
    );
    expect(refusal.status).toBe(400);
    expect(refusal.message).toContain("'images[0]'");
    expect(gateway.provider.requests).toHaveLength(0);
  });

  it('good images (bare base64, image data URLs) still go through', async () => {
    const gateway = createFakeGateway(ANSWER);
    const answer = await ollamaClient(gateway).chat({
      model: 'gpt-5.4',
      messages: [{ role: 'user', content: 'look', images: ['/9j/4AAQ', 'data:image/webp;base64,UklGRg=='] }],
    });
    expect(answer.message.content).toBe('ok');
    expect(gateway.provider.requests[0]?.messages[0]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'look' },
        { type: 'image', url: 'data:image/jpeg;base64,/9j/4AAQ' },
        { type: 'image', url: 'data:image/webp;base64,UklGRg==' },
      ],
    });
  });
});

describe('Anthropic Messages: a bad content block names the block, not the whole content', () => {
  it('an unknown block type names messages[i].content[j].type', async () => {
    const gateway = createFakeGateway(ANSWER);
    const refusal = await anthropicRefusal(gateway, {
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'a' },
            { type: 'search_result', source: 'x' },
          ],
        },
      ],
    });
    expect(refusal.status).toBe(400);
    expect(refusal.message).toContain("'messages[2].content[1].type'");
  });

  it('a document block with an empty source names messages[i].content[j].source.type', async () => {
    const gateway = createFakeGateway(ANSWER);
    const refusal = await anthropicRefusal(gateway, {
      messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }],
    });
    expect(refusal.status).toBe(400);
    expect(refusal.message).toContain("'messages[0].content[0].source.type'");
  });

  it('a text block without text names messages[i].content[j].text', async () => {
    const gateway = createFakeGateway(ANSWER);
    const refusal = await anthropicRefusal(gateway, {
      messages: [{ role: 'user', content: [{ type: 'text', text: 7 }] }],
    });
    expect(refusal.status).toBe(400);
    expect(refusal.message).toContain("'messages[0].content[0].text'");
    expect(refusal.message).toContain('expected string');
  });

  it('null content says a string or an array of blocks is expected', async () => {
    const gateway = createFakeGateway(ANSWER);
    const refusal = await anthropicRefusal(gateway, { messages: [{ role: 'user', content: null }] });
    expect(refusal.status).toBe(400);
    expect(refusal.message).toContain("'messages[0].content'");
    expect(refusal.message).toContain('expected string');
  });
});

describe('Anthropic Messages: a tool_choice that requires a missing tool is refused by the gateway', () => {
  const tools: Anthropic.Tool[] = [
    { name: '__proto__', input_schema: { type: 'object' } },
    { name: 'constructor', input_schema: { type: 'object' } },
  ];

  it('tool_choice naming a tool not in tools (toString) is a 400 naming tool_choice.name', async () => {
    const gateway = createFakeGateway(ANSWER);
    const refusal = await anthropicRefusal(gateway, {
      messages: [{ role: 'user', content: 'hi' }],
      tools,
      tool_choice: { type: 'tool', name: 'toString' },
    });
    expect(refusal).toMatchObject({ status: 400, type: 'invalid_request_error' });
    expect(refusal.message).toContain("'tool_choice.name'");
    expect(refusal.message).toContain('"toString"');
    expect(gateway.provider.requests).toHaveLength(0);
  });

  for (const toolChoice of [{ type: 'any' }, { type: 'tool', name: 'get_weather' }]) {
    it(`tool_choice ${toolChoice.type} without tools is a 400 naming tool_choice`, async () => {
      const gateway = createFakeGateway(ANSWER);
      const refusal = await anthropicRefusal(gateway, {
        messages: [{ role: 'user', content: 'hi' }],
        tool_choice: toolChoice,
      });
      expect(refusal.status).toBe(400);
      expect(refusal.message).toContain("'tool_choice'");
      expect(gateway.provider.requests).toHaveLength(0);
    });
  }

  it('tool names such as __proto__ and constructor are ordinary names', async () => {
    const gateway = createFakeGateway(ANSWER);
    await anthropicClient(gateway).messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 16,
      messages: [{ role: 'user', content: 'hi' }],
      tools,
      tool_choice: { type: 'tool', name: 'constructor' },
    });
    expect(gateway.provider.requests[0]?.toolChoice).toEqual({ name: 'constructor' });
    expect(gateway.provider.requests[0]?.tools?.map((tool) => tool.name)).toEqual([
      '__proto__',
      'constructor',
    ]);
  });

  it('auto and none without tools are still accepted', async () => {
    const gateway = createFakeGateway(ANSWER);
    for (const type of ['auto', 'none'] as const) {
      await anthropicClient(gateway).messages.create({
        model: 'claude-haiku-4-5',
        max_tokens: 16,
        messages: [{ role: 'user', content: 'hi' }],
        tool_choice: { type },
      });
    }
    expect(gateway.provider.requests).toHaveLength(2);
  });
});

describe('Ollama: pairing tool messages with tool calls', () => {
  it('pairs by tool_call_id, then tool_name (__proto__ and constructor are plain names), then order', async () => {
    const gateway = createFakeGateway(ANSWER);
    const response = await gateway.call('/api/chat', {
      json: {
        model: 'gpt-5.4',
        stream: false,
        messages: [
          {
            role: 'assistant',
            content: '',
            tool_calls: [
              { function: { name: '__proto__', arguments: {} } },
              { function: { name: 'constructor', arguments: {} } },
              { id: 'kept', function: { name: 'toString', arguments: {} } },
              { function: { name: 'other', arguments: {} } },
            ],
          },
          { role: 'tool', content: 'C', tool_name: 'constructor' },
          { role: 'tool', content: 'K', tool_call_id: 'kept', tool_name: '__proto__' },
          { role: 'tool', content: 'P', tool_name: '__proto__' },
          { role: 'tool', content: 'X' },
        ],
      },
    });
    expect(response.status).toBe(200);
    const toolMessages = gateway.provider.requests[0]?.messages.filter((message) => message.role === 'tool');
    expect(toolMessages).toEqual([
      { role: 'tool', toolCallId: 'call_0_1', content: 'C' },
      { role: 'tool', toolCallId: 'kept', content: 'K' },
      { role: 'tool', toolCallId: 'call_0_0', content: 'P' },
      { role: 'tool', toolCallId: 'call_0_3', content: 'X' },
    ]);
  });

  // 60,000 calls answered by 60,000 tool messages (a 3 MB body, well under the 16 MB limit): pairing
  // each message by scanning the pending calls took about 40 s of blocked event loop; linear pairing
  // takes well under a second, so the generous timeout cannot be hit by a slow machine.
  it('many calls and many tool messages cost linear work, not their product', {
    timeout: 20_000,
  }, async () => {
    const gateway = createFakeGateway(ANSWER);
    const count = 60_000;
    const response = await gateway.call('/api/chat', {
      json: {
        model: 'gpt-5.4',
        stream: false,
        messages: [
          {
            role: 'assistant',
            content: '',
            tool_calls: Array.from({ length: count }, () => ({ function: { name: 'a' } })),
          },
          ...Array.from({ length: count }, () => ({ role: 'tool', content: '' })),
        ],
      },
    });
    expect(response.status).toBe(200);
    const messages = gateway.provider.requests[0]?.messages ?? [];
    expect(messages).toHaveLength(count + 1);
    expect(messages.at(-1)).toEqual({ role: 'tool', toolCallId: `call_0_${count - 1}`, content: '' });
  });
});

describe('Anthropic Messages: one message with very many blocks', () => {
  // 150,000 tool_use blocks in one assistant message answered by 150,000 tool_result blocks in one
  // user message: a 13 MB body, under the 16 MB limit. Spreading them into one push() overflowed the
  // stack, a 500.
  const calls = Array.from({ length: 150_000 }, (_, index) => ({
    type: 'tool_use',
    id: `t${index}`,
    name: 'f',
    input: {},
  }));
  const content = calls.map((call) => ({ type: 'tool_result', tool_use_id: call.id }));
  const messages = [
    { role: 'assistant', content: calls },
    { role: 'user', content },
  ];

  it('/v1/messages converts them instead of failing with a 500', { timeout: 20_000 }, async () => {
    const gateway = createFakeGateway(ANSWER);
    const response = await gateway.call('/v1/messages', {
      json: { model: 'claude-haiku-4-5', max_tokens: 16, messages },
    });
    expect(response.status).toBe(200);
    const converted = gateway.provider.requests[0]?.messages ?? [];
    expect(converted).toHaveLength(content.length + 1);
    expect(converted[0]).toMatchObject({ role: 'assistant', toolCalls: { length: calls.length } });
    expect(converted.at(-1)).toEqual({ role: 'tool', toolCallId: 't149999', content: '' });
  });

  it('/v1/messages/count_tokens counts them instead of failing with a 500', { timeout: 20_000 }, async () => {
    const gateway = createFakeGateway(ANSWER);
    const response = await gateway.call('/v1/messages/count_tokens', {
      json: { model: 'claude-haiku-4-5', messages },
    });
    expect(response.status).toBe(200);
  });
});

describe('Anthropic Messages: a conversation the upstream cannot take is refused by the gateway', () => {
  it('empty messages is a 400 naming messages, on /v1/messages and /v1/messages/count_tokens', async () => {
    const gateway = createFakeGateway(ANSWER);
    const refusal = await anthropicRefusal(gateway, { messages: [] });
    expect(refusal).toMatchObject({ status: 400, type: 'invalid_request_error' });
    expect(refusal.message).toContain("'messages'");
    expect(refusal.message).toContain('at least one message');
    const counted = await gateway.call('/v1/messages/count_tokens', {
      json: { model: 'claude-haiku-4-5', messages: [] },
    });
    expect(counted.status).toBe(400);
    expect(gateway.provider.requests).toHaveLength(0);
  });

  it('a tool_result answering no earlier tool_use is a 400 naming its tool_use_id', async () => {
    const gateway = createFakeGateway(ANSWER);
    const refusal = await anthropicRefusal(gateway, {
      messages: [
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'toolu_1', name: 'weather', input: {} }],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' },
            { type: 'tool_result', tool_use_id: 'toolu_unknown', content: 'rain' },
          ],
        },
      ],
    });
    expect(refusal).toMatchObject({ status: 400, type: 'invalid_request_error' });
    expect(refusal.message).toContain("'messages[2].content[1].tool_use_id'");
    expect(refusal.message).toContain('"toolu_unknown"');
    expect(refusal.message).not.toMatch(/function_call|call_id/);
    expect(gateway.provider.requests).toHaveLength(0);
  });

  it('tool results of tool_use blocks of earlier assistant messages still go through', async () => {
    const gateway = createFakeGateway(ANSWER);
    await anthropicClient(gateway).messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 16,
      messages: [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'weather', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_2', name: 'weather', input: {} }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_2', content: 'rain' },
            { type: 'tool_result', tool_use_id: 'toolu_1', content: 'late answer' },
          ],
        },
      ],
    });
    expect(gateway.provider.requests[0]?.messages.filter((message) => message.role === 'tool')).toHaveLength(
      3,
    );
  });
});

describe('Ollama: a conversation the upstream cannot take is not forwarded', () => {
  it('/api/chat without messages loads the model as Ollama does (done_reason "load"), nothing upstream', async () => {
    const gateway = createFakeGateway(ANSWER);
    for (const body of [
      { model: 'gpt-5.4', messages: [], stream: false },
      { model: 'gpt-5.4', stream: false },
    ]) {
      const response = await gateway.call('/api/chat', { json: body });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        model: 'gpt-5.4',
        message: { role: 'assistant', content: '' },
        done: true,
        done_reason: 'load',
      });
    }
    const streamed = await gateway.call('/api/chat', { json: { model: 'gpt-5.4', messages: [] } });
    expect(JSON.parse((await streamed.text()).trim())).toMatchObject({ done: true, done_reason: 'load' });
    expect(gateway.provider.requests).toHaveLength(0);
  });

  it('a tool message answering no tool call is a 400 naming messages[i]', async () => {
    const gateway = createFakeGateway(ANSWER);
    for (const messages of [
      [
        { role: 'user', content: 'hi' },
        { role: 'tool', content: 'no call at all', tool_name: 'weather' },
      ],
      [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: '', tool_calls: [{ function: { name: 'weather', arguments: {} } }] },
        { role: 'tool', content: 'sunny' },
        { role: 'tool', content: 'one answer too many' },
      ],
    ]) {
      const refusal = await ollamaRefusal(() => ollamaClient(gateway).chat({ model: 'gpt-5.4', messages }));
      expect(refusal.status).toBe(400);
      expect(refusal.message).toContain(`'messages[${messages.length - 1}]'`);
      expect(refusal.message).not.toMatch(/function_call|call_id/);
    }
    expect(gateway.provider.requests).toHaveLength(0);
  });

  it('a tool_call_id the calls do not carry (a client that dropped their ids) is paired by name, then order', async () => {
    const gateway = createFakeGateway(ANSWER);
    const response = await gateway.call('/api/chat', {
      json: {
        model: 'gpt-5.4',
        stream: false,
        messages: [
          {
            role: 'assistant',
            content: '',
            tool_calls: [
              { function: { name: 'weather', arguments: {} } },
              { function: { name: 'time', arguments: {} } },
            ],
          },
          { role: 'tool', content: 'noon', tool_call_id: 'call_from_answer', tool_name: 'time' },
          { role: 'tool', content: 'sunny', tool_call_id: 'call_other' },
        ],
      },
    });
    expect(response.status).toBe(200);
    expect(gateway.provider.requests[0]?.messages.filter((message) => message.role === 'tool')).toEqual([
      { role: 'tool', toolCallId: 'call_0_1', content: 'noon' },
      { role: 'tool', toolCallId: 'call_0_0', content: 'sunny' },
    ]);
  });
});
