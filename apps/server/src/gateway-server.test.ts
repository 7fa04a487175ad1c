import type { StreamChunk } from '@codetether/responses-protocol';
import { describe, expect, it } from 'vitest';
import { collectInto } from './__fixtures__/collected-lines.js';
import { createFakeGateway, FAKE_GATEWAY_KEY, FAKE_GATEWAY_NOW } from './__fixtures__/fake-gateway.js';
import { FakeProviderError, parseSse } from './__fixtures__/fake-provider.js';
import { clientTagOf } from './conversation-index.js';
import { createGatewayLogger } from './gateway-logger.js';
import { upstreamSessionIdOf } from './upstream-session-id.js';

const TEXT: StreamChunk[] = [
  { type: 'text', text: 'Hello' },
  { type: 'text', text: ' world' },
  {
    type: 'done',
    finishReason: 'stop',
    usage: { promptTokens: 10, completionTokens: 5, totalTokens: 19, cacheReadTokens: 4, reasoningTokens: 2 },
  },
];

const TOOL: StreamChunk[] = [
  { type: 'tool-call-start', id: 'call_1', name: 'get_weather' },
  { type: 'tool-call-delta', id: 'call_1', argumentsDelta: '{"city":' },
  { type: 'tool-call-delta', id: 'call_1', argumentsDelta: '"Paris"}' },
  { type: 'tool-call-end', id: 'call_1' },
  { type: 'tool-call-start', id: 'call_2', name: 'get_time' },
  { type: 'tool-call-delta', id: 'call_2', argumentsDelta: '{}' },
  { type: 'tool-call-end', id: 'call_2' },
  { type: 'done', finishReason: 'tool-calls' },
];

const chatBody = (extra: Record<string, unknown> = {}) => ({
  model: 'gpt-5.4',
  messages: [{ role: 'user', content: 'Hi' }],
  ...extra,
});

describe('authentication', () => {
  it('rejects /v1 requests without or with a wrong key (401, OpenAI shape), accepts the right one', async () => {
    const { call } = createFakeGateway();
    const missing = await call('/v1/models', { key: null });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({
      error: { type: 'invalid_request_error', code: 'missing_api_key', param: null },
    });
    const wrong = await call('/v1/models', { key: 'nope' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: { code: 'invalid_api_key' } });
    expect((await call('/v1/models')).status).toBe(200);
  });

  it('leaves /healthz and /metrics open', async () => {
    const { call } = createFakeGateway();
    expect((await call('/healthz', { key: null })).status).toBe(200);
    expect((await call('/metrics', { key: null })).status).toBe(200);
  });
});

describe('GET /v1/models', () => {
  it('lists the provider models in OpenAI list shape', async () => {
    const { call } = createFakeGateway();
    const body = await (await call('/v1/models')).json();
    expect(body).toEqual({
      object: 'list',
      data: [
        { id: 'gpt-5.4', object: 'model', created: FAKE_GATEWAY_NOW / 1000, owned_by: 'openai' },
        { id: 'gpt-5.5', object: 'model', created: FAKE_GATEWAY_NOW / 1000, owned_by: 'openai' },
      ],
    });
    expect((await call('/v1/models/gpt-5.5')).status).toBe(200);
    const missing = await call('/v1/models/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'model_not_found', param: 'model' } });
  });
});

describe('request validation', () => {
  it('answers 400 naming the bad field', async () => {
    const { call } = createFakeGateway();
    const cases: [unknown, string][] = [
      [{ messages: [{ role: 'user', content: 'x' }] }, 'model'],
      [{ model: 'gpt-5.4', messages: [] }, 'messages'],
      [{ model: 'gpt-5.4', messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role'],
      [{ model: 'gpt-5.4', messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id'],
      [chatBody({ reasoning_effort: 'extreme' }), 'reasoning_effort'],
      [chatBody({ max_tokens: -1 }), 'max_tokens'],
      [
        chatBody({ tools: [{ type: 'function', function: { name: 'bad name!' } }] }),
        'tools[0].function.name',
      ],
      [chatBody({ n: 2 }), 'n'],
    ];
    for (const [json, param] of cases) {
      const response = await call('/v1/chat/completions', { json });
      expect(response.status, param).toBe(400);
      const body = (await response.json()) as { error: { param: string; type: string; message: string } };
      expect(body.error.type).toBe('invalid_request_error');
      expect(body.error.param).toBe(param);
      expect(body.error.message).toContain(param);
    }
  });

  it('answers 400 naming a tool message that answers no tool call of an earlier assistant message, before anything goes upstream', async () => {
    const { call, provider } = createFakeGateway(TEXT);
    const assistant = {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }],
    };
    const cases: [unknown[], number, string][] = [
      [[{ role: 'tool', tool_call_id: 'call_1', content: 'x' }], 0, 'call_1'],
      [
        [{ role: 'user', content: 'Hi' }, assistant, { role: 'tool', tool_call_id: 'call_9', content: 'x' }],
        2,
        'call_9',
      ],
      [
        [
          { role: 'user', content: 'Hi' },
          { role: 'tool', tool_call_id: 'call_1', content: 'too early' },
          assistant,
        ],
        1,
        'call_1',
      ],
      [
        [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'No tools.' },
          { role: 'tool', tool_call_id: 'call_1', content: 'x' },
        ],
        2,
        'call_1',
      ],
    ];
    for (const [messages, index, id] of cases) {
      for (const headers of [{}, { 'x-session-id': 'orphan-session' }]) {
        const response = await call('/v1/chat/completions', {
          json: { model: 'gpt-5.4', messages },
          headers,
        });
        const param = `messages[${index}].tool_call_id`;
        expect(response.status, param).toBe(400);
        const body = (await response.json()) as { error: Record<string, unknown> };
        expect(body.error).toMatchObject({ type: 'invalid_request_error', param, code: 'invalid_value' });
        expect(body.error.message).toContain(param);
        expect(body.error.message).toContain(JSON.stringify(id));
      }
    }
    expect(provider.requests).toEqual([]);
  });

  it('forwards tool messages that answer calls of earlier assistant messages', async () => {
    const { call, provider } = createFakeGateway(TEXT);
    const callOf = (id: string) => ({ id, type: 'function', function: { name: 'f', arguments: '{}' } });
    const response = await call('/v1/chat/completions', {
      json: {
        model: 'gpt-5.4',
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: null, tool_calls: [callOf('call_1'), callOf('call_2')] },
          { role: 'tool', tool_call_id: 'call_2', content: 'two' },
          { role: 'tool', tool_call_id: 'call_1', content: 'one' },
          { role: 'assistant', content: 'Done.' },
          { role: 'user', content: 'Again' },
          { role: 'assistant', content: null, tool_calls: [callOf('call_3')] },
          { role: 'tool', tool_call_id: 'call_3', content: 'three' },
        ],
      },
    });
    expect(response.status).toBe(200);
    expect(provider.requests[0]?.messages.filter((message) => message.role === 'tool')).toHaveLength(3);
  });

  it('answers 400 for malformed JSON and 413 for a body over the limit', async () => {
    const { call } = createFakeGateway(undefined, { maxBodyBytes: 1000 });
    const malformed = await call('/v1/chat/completions', {
      method: 'POST',
      body: '{nope',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: 'invalid_json' } });
    const large = await call('/v1/chat/completions', { json: chatBody({ padding: 'x'.repeat(2000) }) });
    expect(large.status).toBe(413);
    expect(await large.json()).toMatchObject({ error: { code: 'request_too_large' } });
  });

  it('answers unknown routes with an OpenAI-shaped 404', async () => {
    const { call } = createFakeGateway();
    const response = await call('/v1/nothing');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'unknown_url' } });
  });
});

describe('POST /v1/chat/completions', () => {
  it('converts the OpenAI request to a completion request', async () => {
    const { call, provider } = createFakeGateway(TEXT);
    await call('/v1/chat/completions', {
      json: {
        model: 'gpt-5.4:high',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'developer', content: [{ type: 'text', text: 'Dev.' }] },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Look' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
            ],
          },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }],
          },
          { role: 'tool', tool_call_id: 'call_1', content: 'result' },
        ],
        tools: [
          { type: 'function', function: { name: 'f', description: 'd', parameters: { type: 'object' } } },
        ],
        tool_choice: { type: 'function', function: { name: 'f' } },
        reasoning_effort: 'low',
        max_tokens: 50,
        max_completion_tokens: 100,
        temperature: 0.5,
      },
      headers: { session_id: 'conversation-1' },
    });
    expect(provider.requests[0]).toEqual({
      model: 'gpt-5.4:high',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: 'Dev.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Look' },
            { type: 'image', url: 'data:image/png;base64,AAAA' },
          ],
        },
        { role: 'assistant', toolCalls: [{ id: 'call_1', name: 'f', arguments: '{}' }] },
        { role: 'tool', toolCallId: 'call_1', content: 'result' },
      ],
      tools: [{ name: 'f', description: 'd', parameters: { type: 'object' } }],
      toolChoice: { name: 'f' },
      reasoningEffort: 'low',
      maxOutputTokens: 100,
      temperature: 0.5,
    });
    // The client's session id, scoped to its key (two keys sending the same one never share a session).
    expect(provider.sessionIds[0]).toBe(
      upstreamSessionIdOf(clientTagOf(`Bearer ${FAKE_GATEWAY_KEY}`), 'conversation-1'),
    );
  });

  it('returns a chat.completion with usage (cached tokens included in prompt_tokens)', async () => {
    const { call } = createFakeGateway(TEXT);
    const response = await call('/v1/chat/completions', { json: chatBody() });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      object: 'chat.completion',
      created: FAKE_GATEWAY_NOW / 1000,
      model: 'gpt-5.4',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hello world' },
          finish_reason: 'stop',
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: 14,
        completion_tokens: 5,
        total_tokens: 19,
        prompt_tokens_details: { cached_tokens: 4 },
        completion_tokens_details: { reasoning_tokens: 2 },
      },
    });
    expect(String(body.id)).toMatch(/^chatcmpl-/);
  });

  it('returns tool calls with finish_reason tool_calls and null content', async () => {
    const { call } = createFakeGateway(TOOL);
    const body = (await (await call('/v1/chat/completions', { json: chatBody() })).json()) as {
      choices: { message: unknown; finish_reason: string }[];
    };
    expect(body.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: {
        content: null,
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
          { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } },
        ],
      },
    });
  });

  it('streams OpenAI chunks: role first, deltas, finish, usage chunk, [DONE]', async () => {
    const { call } = createFakeGateway(TEXT);
    const response = await call('/v1/chat/completions', {
      json: chatBody({ stream: true, stream_options: { include_usage: true } }),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = parseSse(await response.text());
    expect(events.at(-1)?.data).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.data));
    const id = chunks[0].id;
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({
        id,
        object: 'chat.completion.chunk',
        created: FAKE_GATEWAY_NOW / 1000,
        model: 'gpt-5.4',
      });
    }
    expect(chunks.map((chunk) => chunk.choices[0]?.delta ?? null)).toEqual([
      { role: 'assistant', content: '' },
      { content: 'Hello' },
      { content: ' world' },
      {},
      null,
    ]);
    expect(chunks[3].choices[0].finish_reason).toBe('stop');
    expect(chunks.slice(0, 4).every((chunk) => chunk.usage === null)).toBe(true);
    expect(chunks[4]).toMatchObject({
      choices: [],
      usage: {
        prompt_tokens: 14,
        prompt_tokens_details: { cached_tokens: 4 },
        completion_tokens_details: { reasoning_tokens: 2 },
      },
    });
  });

  it('streams tool_calls deltas with index, id, type and name first', async () => {
    const { call } = createFakeGateway(TOOL);
    const events = parseSse(
      await (await call('/v1/chat/completions', { json: chatBody({ stream: true }) })).text(),
    );
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.data));
    expect(chunks.every((chunk) => !('usage' in chunk))).toBe(true);
    expect(chunks.map((chunk) => chunk.choices[0].delta)).toEqual([
      { role: 'assistant', content: null },
      {
        tool_calls: [
          { index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } },
        ],
      },
      { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] },
      {
        tool_calls: [
          { index: 1, id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '' } },
        ],
      },
      { tool_calls: [{ index: 1, function: { arguments: '{}' } }] },
      {},
    ]);
    expect(chunks.at(-1).choices[0].finish_reason).toBe('tool_calls');
  });

  it('sends reasoning_content only when asked (reasoning_effort or header), never when omitted', async () => {
    const chunks: StreamChunk[] = [
      { type: 'thinking', text: 'Plan.' },
      { type: 'text', text: 'Answer' },
      { type: 'done', finishReason: 'stop' },
    ];
    const deltas = async (extra: Record<string, unknown>, headers: Record<string, string> = {}) => {
      const { call } = createFakeGateway(chunks);
      const events = parseSse(
        await (
          await call('/v1/chat/completions', { json: chatBody({ stream: true, ...extra }), headers })
        ).text(),
      );
      return events.slice(0, -1).map((event) => JSON.parse(event.data).choices[0].delta);
    };
    expect(await deltas({})).toEqual([{ role: 'assistant', content: '' }, { content: 'Answer' }, {}]);
    expect(await deltas({ reasoning_effort: 'high' })).toEqual([
      { role: 'assistant', content: null },
      { reasoning_content: 'Plan.' },
      { content: 'Answer' },
      {},
    ]);
    expect(await deltas({}, { 'x-codetether-reasoning': 'include' })).toHaveLength(4);
    expect(await deltas({ reasoning_effort: 'high' }, { 'x-codetether-reasoning': 'omit' })).toHaveLength(3);
    const { call } = createFakeGateway(chunks);
    const body = (await (
      await call('/v1/chat/completions', { json: chatBody({ reasoning_effort: 'low' }) })
    ).json()) as {
      choices: { message: { reasoning_content?: string } }[];
    };
    expect(body.choices[0]?.message.reasoning_content).toBe('Plan.');
  });

  it('maps finish reasons length and content_filter', async () => {
    for (const [reason, expected] of [
      ['length', 'length'],
      ['content-filter', 'content_filter'],
    ] as const) {
      const { call } = createFakeGateway([
        { type: 'text', text: 'x' },
        { type: 'done', finishReason: reason },
      ]);
      const body = (await (await call('/v1/chat/completions', { json: chatBody() })).json()) as {
        choices: { finish_reason: string }[];
      };
      expect(body.choices[0]?.finish_reason).toBe(expected);
    }
  });

  it('skips non-fatal error chunks', async () => {
    const { call } = createFakeGateway([
      { type: 'text', text: 'a' },
      { type: 'error', message: 'bad event', code: 'malformed-json' },
      { type: 'text', text: 'b' },
      { type: 'done', finishReason: 'stop' },
    ]);
    const body = (await (await call('/v1/chat/completions', { json: chatBody() })).json()) as {
      choices: { message: { content: string } }[];
    };
    expect(body.choices[0]?.message.content).toBe('ab');
  });
});

describe('upstream errors', () => {
  const errorCases: [unknown, number, string, string | null][] = [
    [
      new FakeProviderError('unauthorized', 'The ChatGPT backend rejected the credentials (401).', {
        status: 401,
      }),
      401,
      'unauthorized',
      null,
    ],
    [new FakeProviderError('not-logged-in', 'Not logged in.'), 401, 'not_logged_in', null],
    [
      new FakeProviderError('rate-limited', 'Rate limited (429).', { status: 429, retryAfterMs: 7_000 }),
      429,
      'rate_limit_exceeded',
      '7',
    ],
    [
      new FakeProviderError('usage-limit-reached', 'You have hit your ChatGPT usage limit.', {
        status: 429,
        resetsAt: FAKE_GATEWAY_NOW + 600_000,
      }),
      429,
      'usage_limit_reached',
      '600',
    ],
    [
      new FakeProviderError('upstream-error', 'The server failed (500).', { status: 500 }),
      502,
      'upstream_error',
      null,
    ],
    [
      new FakeProviderError('network-error', 'Could not reach the ChatGPT backend.'),
      502,
      'network_error',
      null,
    ],
    [new FakeProviderError('timeout', 'The server did not answer in time.'), 504, 'timeout', null],
    [new FakeProviderError('unsupported-model', "Model 'x' is not supported."), 404, 'model_not_found', null],
  ];

  it.each(errorCases)(
    'maps %s before the stream to the right status',
    async (error, status, code, retryAfter) => {
      for (const stream of [false, true]) {
        const { call, provider } = createFakeGateway();
        provider.scripts = [{ kind: 'throw', error }];
        const response = await call('/v1/chat/completions', { json: chatBody({ stream }) });
        expect(response.status).toBe(status);
        expect(response.headers.get('retry-after')).toBe(retryAfter);
        const body = (await response.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe(code);
        expect(body.error.message).toBe((error as Error).message);
      }
    },
  );

  it('maps a fatal error chunk before any output to an HTTP error', async () => {
    const { call } = createFakeGateway([
      { type: 'error', message: 'Your input exceeds the context window.', code: 'context_length_exceeded' },
    ]);
    const response = await call('/v1/chat/completions', { json: chatBody({ stream: true }) });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'context_length_exceeded' } });
  });

  it('ends a stream that fails mid-way with an OpenAI error event and no [DONE]', async () => {
    const { call, gateway } = createFakeGateway([
      { type: 'text', text: 'partial' },
      { type: 'error', message: 'The response stream failed.', code: 'stream-closed' },
    ]);
    const response = await call('/v1/chat/completions', { json: chatBody({ stream: true }) });
    expect(response.status).toBe(200);
    const events = parseSse(await response.text());
    expect(events.map((event) => event.data).includes('[DONE]')).toBe(false);
    expect(JSON.parse(events.at(-1)?.data ?? '')).toEqual({
      error: {
        message: 'The response stream failed.',
        type: 'server_error',
        param: null,
        code: 'stream_closed',
      },
    });
    expect(gateway.metrics.activeStreams).toBe(0);
    expect(await gateway.metrics.render()).toContain(
      'codetether_server_errors_total{code="stream_closed",route="/v1/chat/completions"} 1',
    );
  });
});

describe('cancellation and shutdown', () => {
  it('aborts the upstream when the client cancels mid-stream', async () => {
    const { call, provider, gateway } = createFakeGateway();
    provider.scripts = [{ kind: 'chunks', chunks: TEXT, holdAfter: 1 }];
    const response = await call('/v1/chat/completions', { json: chatBody({ stream: true }) });
    const reader = response.body!.getReader();
    const pending = reader
      .read()
      .then(() => reader.read())
      .then(() => reader.read());
    await provider.held();
    expect(gateway.metrics.activeStreams).toBe(1);
    await reader.cancel();
    await pending;
    expect(provider.signals[0]?.aborted).toBe(true);
    expect(provider.closedStreams).toBe(1);
    expect(gateway.metrics.activeStreams).toBe(0);
    expect(gateway.inFlightRequests).toBe(0);
  });

  it('ends open streams with a shutdown error event and refuses new requests while draining', async () => {
    const { call, provider, gateway } = createFakeGateway();
    provider.scripts = [{ kind: 'chunks', chunks: TEXT, holdAfter: 1 }];
    const response = await call('/v1/chat/completions', { json: chatBody({ stream: true }) });
    const text = response.text();
    await provider.held();
    gateway.startDraining();
    gateway.endStreams();
    const events = parseSse(await text);
    expect(JSON.parse(events.at(-1)?.data ?? '')).toMatchObject({ error: { code: 'server_shutting_down' } });
    await gateway.waitForStreams();
    expect(provider.signals[0]?.aborted).toBe(true);
    const refused = await call('/v1/models');
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: { code: 'server_shutting_down' } });
  });

  it('lets a draining stream finish normally when released', async () => {
    const { call, provider, gateway } = createFakeGateway();
    provider.scripts = [{ kind: 'chunks', chunks: TEXT, holdAfter: 1 }];
    const response = await call('/v1/chat/completions', { json: chatBody({ stream: true }) });
    const text = response.text();
    await provider.held();
    gateway.startDraining();
    const idle = gateway.waitForStreams();
    provider.release();
    await idle;
    expect(parseSse(await text).at(-1)?.data).toBe('[DONE]');
  });
});

describe('POST /v1/responses', () => {
  const completed = {
    type: 'response.completed',
    sequence_number: 4,
    response: {
      id: 'resp_1',
      object: 'response',
      status: 'completed',
      output: [],
      usage: {
        input_tokens: 5,
        output_tokens: 3,
        input_tokens_details: { cached_tokens: 1 },
        output_tokens_details: { reasoning_tokens: 0 },
      },
    },
  };
  const item = {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    content: [{ type: 'output_text', text: 'Hi', annotations: [] }],
  };
  const events = [
    { type: 'response.created', sequence_number: 0, response: { id: 'resp_1', status: 'in_progress' } },
    { type: 'response.output_text.delta', sequence_number: 1, delta: 'Hi' },
    { type: 'response.output_item.done', sequence_number: 2, output_index: 0, item },
    completed,
  ];

  it('forwards the body and streams events as SSE with event names', async () => {
    const { call, provider } = createFakeGateway();
    provider.responseEvents = events;
    const body = { model: 'gpt-5.4', input: 'Hi', stream: true, store: false };
    const response = await call('/v1/responses', { json: body });
    expect(response.status).toBe(200);
    expect(provider.responseBodies[0]).toEqual(body);
    const frames = parseSse(await response.text());
    expect(frames.map((frame) => frame.event)).toEqual(events.map((event) => event.type));
    expect(frames.map((frame) => JSON.parse(frame.data))).toEqual(events);
  });

  it('returns the final response, rebuilding an empty output from the items', async () => {
    const { call, provider, gateway } = createFakeGateway();
    provider.responseEvents = events;
    const response = await call('/v1/responses', { json: { model: 'gpt-5.4', input: 'Hi' } });
    expect(await response.json()).toEqual({ ...completed.response, output: [item] });
    expect(await gateway.metrics.render()).toContain('codetether_server_tokens_total{kind="prompt"} 5');
  });

  it('maps errors: pre-stream throw, error event, failed response', async () => {
    const { call, provider } = createFakeGateway();
    provider.responseEvents = {
      error: new FakeProviderError('rate-limited', 'Slow down.', { status: 429, retryAfterMs: 2_001 }),
    };
    const limited = await call('/v1/responses', { json: { model: 'gpt-5.4', input: 'Hi', stream: true } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    provider.responseEvents = [
      { type: 'error', error: { code: 'context_length_exceeded', message: 'Too long.' } },
    ];
    const tooLong = await call('/v1/responses', { json: { model: 'gpt-5.4', input: 'Hi' } });
    expect(tooLong.status).toBe(400);
    provider.responseEvents = [
      {
        type: 'response.failed',
        response: { status: 'failed', error: { code: 'server_error', message: 'Failed.' } },
      },
    ];
    const failed = await call('/v1/responses', { json: { model: 'gpt-5.4', input: 'Hi' } });
    expect(failed.status).toBe(502);
    expect(await failed.json()).toMatchObject({ error: { message: 'Failed.' } });
    const invalid = await call('/v1/responses', { json: { input: 'Hi' } });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: { param: 'model' } });
  });
});

describe('metrics and logs', () => {
  it('exposes requests, latency, TTFT, active streams and tokens in Prometheus text', async () => {
    const { call } = createFakeGateway(TEXT);
    await (await call('/v1/chat/completions', { json: chatBody({ stream: true }) })).text();
    await call('/v1/models', { key: 'wrong' });
    const response = await call('/metrics');
    expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await response.text();
    expect(text).toContain(
      'codetether_server_requests_total{method="POST",route="/v1/chat/completions",status="200"} 1',
    );
    expect(text).toContain(
      'codetether_server_requests_total{method="GET",route="/v1/models",status="401"} 1',
    );
    expect(text).toContain('codetether_server_errors_total{code="invalid_api_key",route="/v1/models"} 1');
    expect(text).toContain('# TYPE codetether_server_upstream_latency_seconds histogram');
    expect(text).toMatch(
      /codetether_server_time_to_first_token_seconds_count\{route="\/v1\/chat\/completions"\} 1/,
    );
    expect(text).toContain('codetether_server_active_streams 0');
    expect(text).toContain('codetether_server_tokens_total{kind="prompt"} 14');
    expect(text).toContain('codetether_server_tokens_total{kind="cached"} 4');
  });

  it('logs structured lines without the key', async () => {
    const { call, lines } = createFakeGateway(TEXT);
    await call('/v1/chat/completions', { json: chatBody() });
    await call('/v1/models', { key: 'a-wrong-secret-key' });
    const output = lines.join('');
    expect(output).not.toContain(FAKE_GATEWAY_KEY);
    expect(output).not.toContain('a-wrong-secret-key');
    const entries = lines.map((line) => JSON.parse(line));
    expect(entries.some((entry) => entry.route === '/v1/chat/completions' && entry.status === 200)).toBe(
      true,
    );
  });

  it('redacts secrets passed to the logger', () => {
    const lines: string[] = [];
    const logger = createGatewayLogger({
      destination: collectInto(lines),
    });
    logger.info(
      { headers: { authorization: 'Bearer sk-secret' }, apiKey: 'sk-2', nested: { token: 't-3' } },
      'upstream said: Incorrect API key provided: sk-proj-0123456789abcdef',
    );
    const output = lines.join('');
    expect(output).not.toMatch(/sk-secret|sk-2|t-3|0123456789abcdef/);
    const entry = JSON.parse(output) as Record<string, unknown>;
    expect(entry).toMatchObject({
      headers: { authorization: 'Bearer [redacted]' },
      apiKey: '[redacted]',
      nested: { token: '[redacted]' },
      msg: 'upstream said: Incorrect API key provided: sk-[redacted]',
    });
  });
});
