import type { StreamChunk } from '@codetether/responses-protocol';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { createFakeGateway, FAKE_GATEWAY_KEY } from './__fixtures__/fake-gateway.js';
import { parseSse } from './__fixtures__/fake-provider.js';

const DONE_STOP: StreamChunk = {
  type: 'done',
  finishReason: 'stop',
  usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 },
};

/** A gateway answering `chunks`, with an OpenAI SDK client talking to it in memory. */
function setup(chunks: StreamChunk[] = [{ type: 'text', text: 'Hi' }, DONE_STOP]) {
  const fake = createFakeGateway(chunks);
  const client = new OpenAI({
    apiKey: FAKE_GATEWAY_KEY,
    baseURL: 'http://gateway.test/v1',
    fetch: fake.fetch,
    maxRetries: 0,
  });
  return { ...fake, client };
}

const CHAT = '/v1/chat/completions';
const user = [{ role: 'user' as const, content: 'Hello' }];

describe('OpenAI chat parameters the gateway cannot honour are refused with a named param', () => {
  it.each([
    ['n', { n: 2 }],
    ['functions', { functions: [{ name: 'look', parameters: { type: 'object' } }] }],
    ['function_call', { function_call: 'auto' }],
    ['response_format', { response_format: { type: 'xml' } }],
    ['response_format.json_schema', { response_format: { type: 'json_schema' } }],
    [
      'response_format.json_schema.name',
      {
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'bad name!', schema: { type: 'object' } },
        },
      },
    ],
    [
      'response_format.json_schema.schema',
      { response_format: { type: 'json_schema', json_schema: { name: 'x', schema: 'object' } } },
    ],
    ['logprobs', { logprobs: true }],
    ['top_logprobs', { top_logprobs: 2 }],
    ['stop', { stop: 'END' }],
    ['tool_choice', { tool_choice: 'required' }],
    [
      'tool_choice',
      {
        tool_choice: { type: 'function', function: { name: 'missing' } },
        tools: [{ type: 'function', function: { name: 'look' } }],
      },
    ],
    ['stop', { stop: ['a', 'b'] }],
    ['modalities', { modalities: ['text', 'audio'] }],
    ['audio', { audio: { voice: 'alloy', format: 'wav' } }],
    ['web_search_options', { web_search_options: {} }],
  ])('%s', async (param, extra) => {
    const { client, provider } = setup();
    const error = await client.chat.completions
      .create({ model: 'gpt-5.4', messages: user, ...(extra as object) })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const apiError = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect(apiError.param).toBe(param);
    expect(apiError.message).toContain(param);
    expect(provider.requests).toHaveLength(0);
  });

  it('forwards parallel_tool_calls (false or true) to the provider', async () => {
    const { client, provider } = setup();
    await client.chat.completions.create({ model: 'gpt-5.4', messages: user, parallel_tool_calls: false });
    await client.chat.completions.create({ model: 'gpt-5.4', messages: user, parallel_tool_calls: true });
    await client.chat.completions.create({ model: 'gpt-5.4', messages: user });
    expect(provider.requests.map((request) => request.parallelToolCalls)).toEqual([false, true, undefined]);
  });

  it('accepts modalities ["text"] and a null audio', async () => {
    const { client, provider } = setup();
    await client.chat.completions.create({
      model: 'gpt-5.4',
      messages: user,
      modalities: ['text'],
      audio: null,
    });
    expect(provider.requests).toHaveLength(1);
  });

  it('accepts and ignores n: 1, response_format text, logprobs false, parallel_tool_calls true, empty stop, seed, user', async () => {
    const { client, provider } = setup();
    const completion = await client.chat.completions.create({
      model: 'gpt-5.4',
      messages: user,
      n: 1,
      response_format: { type: 'text' },
      logprobs: false,
      parallel_tool_calls: true,
      stop: null,
      seed: 7,
      user: 'someone',
    });
    expect(completion.choices[0]?.message.content).toBe('Hi');
    expect(provider.requests).toHaveLength(1);
  });
});

describe('structured output', () => {
  it('forwards response_format json_schema and json_object to the provider as responseFormat', async () => {
    const { client, provider } = setup();
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    await client.chat.completions.create({
      model: 'gpt-5.4',
      messages: user,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'place', schema, strict: true, description: 'A city' },
      },
    });
    await client.chat.completions.create({
      model: 'gpt-5.4',
      messages: user,
      response_format: { type: 'json_object' },
    });
    expect(provider.requests.map((request) => request.responseFormat)).toEqual([
      { type: 'json_schema', name: 'place', schema, strict: true, description: 'A city' },
      { type: 'json_object' },
    ]);
  });
});

describe('OpenAI message shapes', () => {
  it('converts developer, image parts (data: and https:), assistant text + tool_calls, tool text-part arrays', async () => {
    const { client, provider } = setup();
    await client.chat.completions.create({
      model: 'gpt-5.4:high',
      max_completion_tokens: 64,
      tool_choice: { type: 'function', function: { name: 'look' } },
      tools: [{ type: 'function', function: { name: 'look', parameters: { type: 'object' } } }],
      messages: [
        { role: 'developer', content: [{ type: 'text', text: 'Be brief.' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
            { type: 'image_url', image_url: { url: 'https://example.test/a.png', detail: 'low' } },
          ],
        },
        {
          role: 'assistant',
          content: 'Looking.',
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'look', arguments: '{}' } }],
        },
        {
          role: 'tool',
          tool_call_id: 'call_1',
          content: [
            { type: 'text', text: 'a ' },
            { type: 'text', text: 'cat' },
          ],
        },
      ],
    });
    expect(provider.requests[0]).toEqual({
      model: 'gpt-5.4:high',
      maxOutputTokens: 64,
      toolChoice: { name: 'look' },
      tools: [{ name: 'look', parameters: { type: 'object' } }],
      messages: [
        { role: 'developer', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', url: 'data:image/png;base64,AAAA' },
            { type: 'image', url: 'https://example.test/a.png' },
          ],
        },
        {
          role: 'assistant',
          content: 'Looking.',
          toolCalls: [{ id: 'call_1', name: 'look', arguments: '{}' }],
        },
        { role: 'tool', toolCallId: 'call_1', content: 'a cat' },
      ],
    });
  });

  it('converts file parts (file_data with filename, file_id) to file parts', async () => {
    const { client, provider } = setup();
    await client.chat.completions.create({
      model: 'gpt-5.4',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Summarise.' },
            {
              type: 'file',
              file: { filename: 'report.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' },
            },
            { type: 'file', file: { file_id: 'file-abc' } },
          ],
        },
      ],
    });
    expect(provider.requests[0]?.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Summarise.' },
          { type: 'file', fileData: 'data:application/pdf;base64,JVBERi0=', filename: 'report.pdf' },
          { type: 'file', fileId: 'file-abc' },
        ],
      },
    ]);
  });

  it.each([
    [
      'an audio part',
      { type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } },
      'messages[0].content[1]',
      /audio input/,
    ],
    [
      'an unknown part type',
      { type: 'video_url', video_url: { url: 'x' } },
      'messages[0].content[1].type',
      /text.*image_url.*file/,
    ],
    [
      'a file part without data or id',
      { type: 'file', file: { filename: 'a.pdf' } },
      'messages[0].content[1].file',
      /file_data.*file_id/,
    ],
    [
      'a file part with both data and id',
      { type: 'file', file: { file_data: 'data:application/pdf;base64,AA==', file_id: 'file-1' } },
      'messages[0].content[1].file',
      /file_data.*file_id/,
    ],
  ])('refuses %s in a user message with a 400 naming it', async (_name, part, param, message) => {
    const { client, provider } = setup();
    const error = await client.chat.completions
      .create({
        model: 'gpt-5.4',
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }, part] }],
      } as never)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const apiError = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect(apiError.param).toBe(param);
    expect(apiError.message).toMatch(message);
    expect(provider.requests).toHaveLength(0);
  });

  it.each(['none', 'auto', 'required'] as const)('forwards tool_choice %s', async (choice) => {
    const { client, provider } = setup();
    await client.chat.completions.create({
      model: 'gpt-5.4',
      messages: user,
      tool_choice: choice,
      tools: [{ type: 'function', function: { name: 'look' } }],
    });
    expect(provider.requests[0]?.toolChoice).toBe(choice);
  });
});

describe('custom (freeform) tools', () => {
  const CUSTOM_CALL: StreamChunk[] = [
    { type: 'tool-call-start', id: 'call_p', name: 'apply_patch' },
    { type: 'tool-call-delta', id: 'call_p', argumentsDelta: '*** Begin' },
    { type: 'tool-call-delta', id: 'call_p', argumentsDelta: ' Patch' },
    { type: 'tool-call-end', id: 'call_p' },
    { type: 'tool-call-start', id: 'call_f', name: 'look' },
    { type: 'tool-call-delta', id: 'call_f', argumentsDelta: '{}' },
    { type: 'tool-call-end', id: 'call_f' },
    { type: 'done', finishReason: 'tool-calls' },
  ];
  const tools = [
    {
      type: 'custom',
      custom: {
        name: 'apply_patch',
        description: 'Edit files',
        format: { type: 'grammar', grammar: { syntax: 'lark', definition: 'start: /.+/' } },
      },
    },
    { type: 'function', function: { name: 'look', parameters: { type: 'object' } } },
  ];

  it('converts custom tools, a custom tool_choice and custom calls in the history', async () => {
    const { call, provider } = setup();
    const response = await call(CHAT, {
      json: {
        model: 'gpt-5.4',
        tools,
        tool_choice: { type: 'custom', custom: { name: 'apply_patch' } },
        messages: [
          { role: 'user', content: 'Fix it' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'call_1', type: 'custom', custom: { name: 'apply_patch', input: 'patch' } }],
          },
          { role: 'tool', tool_call_id: 'call_1', content: 'Done' },
        ],
      },
    });
    expect(response.status).toBe(200);
    expect(provider.requests[0]).toMatchObject({
      tools: [
        {
          type: 'custom',
          name: 'apply_patch',
          description: 'Edit files',
          format: { type: 'grammar', syntax: 'lark', definition: 'start: /.+/' },
        },
        { name: 'look', parameters: { type: 'object' } },
      ],
      toolChoice: { name: 'apply_patch' },
      messages: [
        { role: 'user', content: 'Fix it' },
        {
          role: 'assistant',
          toolCalls: [{ id: 'call_1', type: 'custom', name: 'apply_patch', arguments: 'patch' }],
        },
        { role: 'tool', toolCallId: 'call_1', content: 'Done' },
      ],
    });
  });

  it('answers a custom tool call as type custom with its input, streamed and not', async () => {
    const { call } = setup(CUSTOM_CALL);
    const response = await call(CHAT, { json: { model: 'gpt-5.4', tools, messages: user } });
    const completion = (await response.json()) as { choices: { message: { tool_calls: unknown } }[] };
    expect(completion.choices[0]?.message.tool_calls).toEqual([
      { id: 'call_p', type: 'custom', custom: { name: 'apply_patch', input: '*** Begin Patch' } },
      { id: 'call_f', type: 'function', function: { name: 'look', arguments: '{}' } },
    ]);
    const streamed = setup(CUSTOM_CALL);
    const frames = parseSse(
      await (
        await streamed.call(CHAT, { json: { model: 'gpt-5.4', tools, messages: user, stream: true } })
      ).text(),
    );
    const toolDeltas = frames
      .slice(0, -1)
      .flatMap((frame) => JSON.parse(frame.data).choices[0]?.delta.tool_calls ?? []);
    expect(toolDeltas).toEqual([
      { index: 0, id: 'call_p', type: 'custom', custom: { name: 'apply_patch', input: '' } },
      { index: 0, custom: { input: '*** Begin' } },
      { index: 0, custom: { input: ' Patch' } },
      { index: 1, id: 'call_f', type: 'function', function: { name: 'look', arguments: '' } },
      { index: 1, function: { arguments: '{}' } },
    ]);
  });

  it('refuses a custom tool_choice naming no declared tool', async () => {
    const { call, provider } = setup();
    const response = await call(CHAT, {
      json: {
        model: 'gpt-5.4',
        tools,
        messages: user,
        tool_choice: { type: 'custom', custom: { name: 'nope' } },
      },
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { param: string } }).error.param).toBe('tool_choice');
    expect(provider.requests).toHaveLength(0);
  });
});

describe('OpenAI streaming semantics', () => {
  const INTERLEAVED: StreamChunk[] = [
    { type: 'tool-call-start', id: 'call_a', name: 'first' },
    { type: 'tool-call-start', id: 'call_b', name: 'second' },
    { type: 'tool-call-delta', id: 'call_a', argumentsDelta: '{"x":' },
    { type: 'tool-call-delta', id: 'call_b', argumentsDelta: '{"y":' },
    { type: 'tool-call-delta', id: 'call_a', argumentsDelta: '1}' },
    { type: 'tool-call-end', id: 'call_a' },
    { type: 'tool-call-delta', id: 'call_b', argumentsDelta: '2}' },
    { type: 'tool-call-end', id: 'call_b' },
    { type: 'done', finishReason: 'tool-calls' },
  ];

  it('keeps a stable index per call across interleaved parallel calls, one role delta, tool_calls finish, [DONE] last', async () => {
    const { call } = setup(INTERLEAVED);
    const response = await call(CHAT, { json: { model: 'gpt-5.4', messages: user, stream: true } });
    const frames = parseSse(await response.text());
    expect(frames.at(-1)?.data).toBe('[DONE]');
    const chunks = frames.slice(0, -1).map((frame) => JSON.parse(frame.data));
    const roles = chunks.filter((chunk) => chunk.choices[0]?.delta.role !== undefined);
    expect(roles).toHaveLength(1);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    const argumentsByIndex = new Map<number, string>();
    const namesByIndex = new Map<number, string>();
    for (const chunk of chunks) {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
        argumentsByIndex.set(call.index, (argumentsByIndex.get(call.index) ?? '') + call.function.arguments);
        if (call.function.name !== undefined) namesByIndex.set(call.index, call.function.name);
      }
      expect(chunk).not.toHaveProperty('usage');
    }
    expect([...namesByIndex]).toEqual([
      [0, 'first'],
      [1, 'second'],
    ]);
    expect(argumentsByIndex.get(0)).toBe('{"x":1}');
    expect(argumentsByIndex.get(1)).toBe('{"y":2}');
    expect(chunks.at(-1).choices[0].finish_reason).toBe('tool_calls');
  });

  it('sends the role delta even when the answer is empty, and usage only with include_usage', async () => {
    const { call } = setup([DONE_STOP]);
    const frames = parseSse(
      await (await call(CHAT, { json: { model: 'gpt-5.4', messages: user, stream: true } })).text(),
    );
    expect(frames.map((frame) => frame.data).at(-1)).toBe('[DONE]');
    const chunks = frames.slice(0, -1).map((frame) => JSON.parse(frame.data));
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.filter((chunk) => chunk.choices[0]?.delta.role !== undefined)).toHaveLength(1);
    expect(chunks.at(-1).choices[0].finish_reason).toBe('stop');
    expect(chunks.some((chunk) => 'usage' in chunk)).toBe(false);

    const withUsage = setup([DONE_STOP]);
    const usageFrames = parseSse(
      await (
        await withUsage.call(CHAT, {
          json: { model: 'gpt-5.4', messages: user, stream: true, stream_options: { include_usage: true } },
        })
      ).text(),
    );
    expect(usageFrames.at(-1)?.data).toBe('[DONE]');
    const last = JSON.parse(usageFrames.at(-2)?.data ?? '{}');
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
  });

  it('the openai client assembles interleaved parallel calls from the stream', async () => {
    const { client } = setup(INTERLEAVED);
    const stream = client.chat.completions.stream({ model: 'gpt-5.4', messages: user });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    const calls = final.choices[0]?.message.tool_calls ?? [];
    expect(
      calls.map((call) => [call.id, call.type === 'function' ? call.function.arguments : undefined]),
    ).toEqual([
      ['call_a', '{"x":1}'],
      ['call_b', '{"y":2}'],
    ]);
  });

  it('surfaces a mid-stream upstream failure as an APIError in the openai client', async () => {
    const { client } = setup([
      { type: 'text', text: 'partial' },
      { type: 'error', message: 'upstream broke', code: 'server_error', fatal: true } as StreamChunk,
    ]);
    const stream = await client.chat.completions.create({ model: 'gpt-5.4', messages: user, stream: true });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((caught: unknown) => caught);
    expect(seen.join('')).toBe('partial');
    expect(error).toBeInstanceOf(OpenAI.APIError);
  });
});

describe('HTTP edges', () => {
  it('answers a wrong method with an OpenAI-shaped 405', async () => {
    const { call } = setup();
    for (const [method, path] of [
      ['PUT', '/v1/chat/completions'],
      ['GET', '/v1/responses'],
      ['POST', '/v1/models'],
      ['DELETE', '/v1/models'],
    ] as const) {
      const response = await call(path, { method });
      expect(response.status, `${method} ${path}`).toBe(405);
      expect(response.headers.get('allow')).toBeTruthy();
      expect(await response.json()).toMatchObject({
        error: { type: 'invalid_request_error', code: 'method_not_allowed' },
      });
    }
  });

  it('still answers HEAD and GET on read routes, and POST /healthz with 405', async () => {
    const { call } = setup();
    expect((await call('/healthz', { method: 'HEAD', key: null })).status).toBe(200);
    expect((await call('/healthz', { key: null })).status).toBe(200);
    expect((await call('/v1/models', { method: 'HEAD' })).status).toBe(200);
    const post = await call('/healthz', { method: 'POST', key: null });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers malformed Authorization headers with an OpenAI-shaped 401', async () => {
    const { call } = setup();
    for (const authorization of [
      '',
      'Basic abc',
      'Bearer',
      'Bearer ',
      `Bearer ${FAKE_GATEWAY_KEY} extra`,
      `bearer ${FAKE_GATEWAY_KEY}x`,
    ]) {
      const response = await call('/v1/models', {
        key: null,
        headers: authorization === '' ? {} : { authorization },
      });
      expect(response.status, authorization).toBe(401);
      expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
    }
  });

  it('lists models in the shape openai.models.list() reads', async () => {
    const { client } = setup();
    const page = await client.models.list();
    expect(page.data.length).toBeGreaterThan(0);
    for (const model of page.data) {
      expect(model).toMatchObject({
        id: expect.any(String),
        object: 'model',
        created: expect.any(Number),
        owned_by: expect.any(String),
      });
    }
  });
});
