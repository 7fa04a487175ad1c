import { createOpenAI } from '@ai-sdk/openai';
import { type RecordedRequest, TEXT_ANSWER } from '@codetether/emulator';
import { generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { type GatewayHarness, startGatewayHarness, TEST_SERVER_KEY } from './__fixtures__/gateway-harness.js';
import { createResponse, openResponsesSocket } from './__fixtures__/responses-websocket-client.js';
import { useSuiteGateway } from './__fixtures__/suite-gateway.js';
import { until } from './__fixtures__/until.js';

/** The emulator's record of the last Responses request it received (HTTP or a WebSocket frame). */
function lastResponsesRequest(harness: GatewayHarness): RecordedRequest {
  const request = harness.emulator.requests.filter((recorded) => recorded.path.endsWith('/responses')).at(-1);
  if (request === undefined) throw new Error('the emulator received no Responses request');
  return request;
}

const TIMEOUT = { timeout: 30_000 };

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe.each([
  ['http', 'chatgpt'],
  ['auto', 'chatgpt'],
  ['http', 'api-key'],
] as const)('gateway in front of the emulator (transport %s, auth %s)', (transport, auth) => {
  const gateway = useSuiteGateway({ transport, auth });

  it('openai: lists models', TIMEOUT, async () => {
    const models = await gateway.client.models.list();
    expect(models.data.map((model) => model.id)).toContain('gpt-5.4');
  });

  it('openai: non-streaming chat with usage', TIMEOUT, async () => {
    const completion = await gateway.client.chat.completions.create({
      model: 'gpt-5.4',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: '[scenario:text] hello' },
      ],
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]?.message.content).toBe(TEXT_ANSWER);
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(completion.usage?.prompt_tokens_details?.cached_tokens).toBeTypeOf('number');
  });

  it(
    'openai: max_completion_tokens and a model alias reach the upstream the way each backend accepts',
    TIMEOUT,
    async () => {
      gateway.harness.emulator.clearRequests();
      const completion = await gateway.client.chat.completions.create({
        model: 'gpt-5.4:high',
        max_completion_tokens: 256,
        messages: [{ role: 'user', content: '[scenario:text] hello' }],
      });
      expect(completion.choices[0]?.message.content).toBe(TEXT_ANSWER);
      const sent = gateway.harness.emulator.requests.find((request) => request.path.endsWith('/responses'))
        ?.body as Record<string, unknown> | undefined;
      expect(sent?.model).toBe('gpt-5.4');
      expect(sent?.reasoning).toMatchObject({ effort: 'high' });
      if (auth === 'api-key') expect(sent?.max_output_tokens).toBe(256);
      else expect(sent).not.toHaveProperty('max_output_tokens');
    },
  );

  it('openai: streaming chat with include_usage', TIMEOUT, async () => {
    const stream = await gateway.client.chat.completions.create({
      model: 'gpt-5.4',
      messages: [{ role: 'user', content: '[scenario:text] hello' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    let first = true;
    for await (const chunk of stream) {
      if (first) expect(chunk.choices[0]?.delta.role).toBe('assistant');
      first = false;
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(TEXT_ANSWER);
    expect(finish).toBe('stop');
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    expect(usage?.completion_tokens_details?.reasoning_tokens).toBeTypeOf('number');
  });

  it('openai: full tool-call round trip (streaming call, then the tool result)', TIMEOUT, async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      { role: 'user', content: '[scenario:tool-call] What is the weather in Paris?' },
    ];
    const stream = await gateway.client.chat.completions.create({
      model: 'gpt-5.4',
      messages,
      tools: [weatherTool],
      tool_choice: 'auto',
      stream: true,
    });
    const calls: { id: string; name: string; arguments: string }[] = [];
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        if (delta.id !== undefined)
          calls[delta.index] = { id: delta.id, name: delta.function?.name ?? '', arguments: '' };
        const call = calls[delta.index];
        if (call !== undefined) call.arguments += delta.function?.arguments ?? '';
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe('tool_calls');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.name).toBe('get_weather');
    expect(JSON.parse(calls[0]?.arguments ?? '')).toHaveProperty('city');
    messages.push(
      {
        role: 'assistant',
        content: null,
        tool_calls: calls.map((call) => ({
          id: call.id,
          type: 'function' as const,
          function: { name: call.name, arguments: call.arguments },
        })),
      },
      { role: 'tool', tool_call_id: calls[0]?.id ?? '', content: 'Sunny, 21 C' },
    );
    const answer = await gateway.client.chat.completions.create({
      model: 'gpt-5.4',
      messages,
      tools: [weatherTool],
    });
    expect(answer.choices[0]?.message.content).toContain('Sunny, 21 C');
    const upstream = gateway.harness.emulator.requests
      .filter((request) => request.path.endsWith('/responses'))
      .at(-1);
    expect(JSON.stringify(upstream?.body)).toContain(calls[0]?.id);
  });

  it('openai: Responses API streaming and not', TIMEOUT, async () => {
    const stream = await gateway.client.responses.create({
      model: 'gpt-5.4',
      input: '[scenario:text] hi',
      stream: true,
    });
    let text = '';
    let completed = false;
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') completed = true;
    }
    expect(text).toBe(TEXT_ANSWER);
    expect(completed).toBe(true);
    const response = await gateway.client.responses.create({ model: 'gpt-5.4', input: '[scenario:text] hi' });
    expect(response.status).toBe('completed');
    expect(response.output_text).toBe(TEXT_ANSWER);
  });

  it('openai: Responses store + previous_response_id', TIMEOUT, async () => {
    // An unknown previous response is a clear OpenAI 400 naming the field, on every backend.
    const missing = await gateway.client.responses
      .create({ model: 'gpt-5.4', input: '[scenario:text] hi', previous_response_id: 'resp_missing' })
      .catch((caught: unknown) => caught);
    expect(missing).toBeInstanceOf(OpenAI.BadRequestError);
    expect((missing as InstanceType<typeof OpenAI.BadRequestError>).message).toContain('resp_missing');
    // `store: true` is honoured by the OpenAI API (chaining works) and forced off for the ChatGPT backend.
    gateway.harness.emulator.clearRequests();
    const first = await gateway.client.responses.create({
      model: 'gpt-5.4',
      input: '[scenario:text] hi',
      store: true,
    });
    const sent = gateway.harness.emulator.requests.find((request) => request.path.endsWith('/responses'));
    expect((sent?.body as { store?: unknown } | undefined)?.store).toBe(auth === 'api-key');
    if (auth === 'api-key') {
      const chained = await gateway.client.responses.create({
        model: 'gpt-5.4',
        input: '[scenario:text] more',
        previous_response_id: first.id,
      });
      expect(chained.status).toBe('completed');
    }
  });

  it('raw: a Codex-CLI-style Responses body streams through unchanged', TIMEOUT, async () => {
    const response = await fetch(`${gateway.harness.baseUrl}/responses`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TEST_SERVER_KEY}`,
        'content-type': 'application/json',
        accept: 'text/event-stream',
        session_id: 'codex-session-1',
      },
      body: JSON.stringify({
        model: 'gpt-5.4',
        instructions: 'You are Codex.',
        input: [
          {
            type: 'message',
            role: 'user',
            content: [{ type: 'input_text', text: '[scenario:tool-call] list files' }],
          },
        ],
        tools: [
          {
            type: 'function',
            name: 'shell',
            description: 'Run a command',
            strict: false,
            parameters: {
              type: 'object',
              properties: { command: { type: 'array', items: { type: 'string' } } },
              required: ['command'],
            },
          },
        ],
        tool_choice: 'auto',
        parallel_tool_calls: false,
        reasoning: { effort: 'medium', summary: 'auto' },
        store: false,
        stream: true,
        include: ['reasoning.encrypted_content'],
        prompt_cache_key: 'codex-session-1',
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const body = await response.text();
    expect(body).toContain('event: response.created');
    expect(body).toContain('event: response.function_call_arguments.delta');
    expect(body).toContain('event: response.completed');
    const upstream = gateway.harness.emulator.requests
      .filter((request) => request.path.endsWith('/responses'))
      .at(-1);
    expect(upstream?.body).toMatchObject({
      instructions: 'You are Codex.',
      prompt_cache_key: 'codex-session-1',
    });
  });

  it('AI SDK: chat generateText and streamText', TIMEOUT, async () => {
    const openai = createOpenAI({ baseURL: gateway.harness.baseUrl, apiKey: TEST_SERVER_KEY });
    const generated = await generateText({
      model: openai.chat('gpt-5.4'),
      prompt: '[scenario:text] hi',
      maxRetries: 0,
    });
    expect(generated.text).toBe(TEXT_ANSWER);
    expect(generated.finishReason).toBe('stop');
    expect(generated.usage.inputTokens).toBeGreaterThan(0);
    const streamed = streamText({
      model: openai.chat('gpt-5.4'),
      prompt: '[scenario:text] hi',
      maxRetries: 0,
    });
    let text = '';
    for await (const part of streamed.textStream) text += part;
    expect(text).toBe(TEXT_ANSWER);
    expect((await streamed.usage).outputTokens).toBeGreaterThan(0);
  });

  it('AI SDK: tool loop over chat completions', TIMEOUT, async () => {
    const openai = createOpenAI({ baseURL: gateway.harness.baseUrl, apiKey: TEST_SERVER_KEY });
    const executed: unknown[] = [];
    const result = await generateText({
      model: openai.chat('gpt-5.4'),
      prompt: '[scenario:tool-call] Weather in Paris?',
      tools: {
        get_weather: tool({
          description: 'Current weather for a city',
          inputSchema: jsonSchema<{ city: string }>({
            type: 'object',
            properties: { city: { type: 'string' } },
            required: ['city'],
          }),
          execute: async (input) => {
            executed.push(input);
            return 'Rainy, 12 C';
          },
        }),
      },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    expect(executed).toHaveLength(1);
    expect(result.text).toContain('Rainy, 12 C');
  });

  it('AI SDK: Responses model generateText and streamText', TIMEOUT, async () => {
    const openai = createOpenAI({ baseURL: gateway.harness.baseUrl, apiKey: TEST_SERVER_KEY });
    const generated = await generateText({
      model: openai.responses('gpt-5.4'),
      prompt: '[scenario:text] hi',
      maxRetries: 0,
    });
    expect(generated.text).toBe(TEXT_ANSWER);
    const streamed = streamText({
      model: openai.responses('gpt-5.4'),
      prompt: '[scenario:text] hi',
      maxRetries: 0,
    });
    let text = '';
    for await (const part of streamed.textStream) text += part;
    expect(text).toBe(TEXT_ANSWER);
  });

  it('errors: bad key 401, bad body 400, upstream 429 with Retry-After', TIMEOUT, async () => {
    const badKey = new OpenAI({ baseURL: gateway.harness.baseUrl, apiKey: 'wrong', maxRetries: 0 });
    await expect(badKey.models.list()).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
    await expect(
      gateway.client.chat.completions.create({
        model: 'gpt-5.4',
        messages: [{ role: 'wizard', content: 'x' }] as unknown as OpenAI.ChatCompletionMessageParam[],
      }),
    ).rejects.toMatchObject({ status: 400, param: 'messages[0].role', type: 'invalid_request_error' });
    const limited = await fetch(`${gateway.harness.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_SERVER_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-5.4',
        messages: [{ role: 'user', content: '[scenario:rate-limited] hi' }],
      }),
    });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({
      error: { type: 'rate_limit_error', code: 'usage_limit_reached' },
    });
    await expect(
      gateway.client.chat.completions.create({
        model: 'gpt-5.4',
        messages: [{ role: 'user', content: '[scenario:rate-limited] hi' }],
        stream: true,
      }),
    ).rejects.toMatchObject({ status: 429 });
  });

  it('errors: upstream disconnect mid-stream ends the client stream with an error', TIMEOUT, async () => {
    const stream = await gateway.client.chat.completions.create({
      model: 'gpt-5.4',
      messages: [{ role: 'user', content: '[scenario:disconnect] hi' }],
      stream: true,
    });
    let text = '';
    await expect(
      (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      })(),
    ).rejects.toThrow();
    expect(TEXT_ANSWER.startsWith(text)).toBe(true);
    expect(text.length).toBeLessThan(TEXT_ANSWER.length);
    await expect(
      gateway.client.chat.completions.create({
        model: 'gpt-5.4',
        messages: [{ role: 'user', content: '[scenario:disconnect] hi' }],
      }),
    ).rejects.toMatchObject({ status: 502 });
  });

  it('logs never contain the server key or upstream tokens', TIMEOUT, async () => {
    const output = gateway.harness.logLines.join('');
    expect(output).not.toContain(TEST_SERVER_KEY);
    expect(output).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
  });
});

describe('client disconnect and shutdown', () => {
  it.each(['http', 'websocket'] as const)(
    'a client that disconnects mid-stream cancels the upstream request (no orphan, %s)',
    TIMEOUT,
    async (transport) => {
      const harness = await startGatewayHarness({
        transport,
        emulator: { scenario: 'slow', eventDelayMs: 50 },
      });
      try {
        const controller = new AbortController();
        const response = await fetch(`${harness.baseUrl}/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TEST_SERVER_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            model: 'gpt-5.4',
            messages: [{ role: 'user', content: 'hi' }],
            stream: true,
          }),
          signal: controller.signal,
        });
        const reader = response.body!.getReader();
        await reader.read();
        expect(harness.proxy.openConnections).toBeGreaterThan(0);
        expect(harness.gateway.gateway.metrics.activeStreams).toBe(1);
        const upstream = lastResponsesRequest(harness);
        expect(upstream.streamEnd).toBeUndefined();
        controller.abort();
        // The upstream stream is stopped at once (its events were paced for seconds more), not played out.
        await until(() => upstream.streamEnd !== undefined);
        expect(upstream.streamEnd).toBe('aborted');
        await harness.gateway.gateway.waitForStreams();
        expect(harness.gateway.gateway.metrics.activeStreams).toBe(0);
      } finally {
        await harness.close();
      }
    },
  );

  it('a Responses client that disconnects mid-stream cancels the upstream request', TIMEOUT, async () => {
    const harness = await startGatewayHarness({
      transport: 'http',
      emulator: { scenario: 'slow', eventDelayMs: 50 },
    });
    try {
      const controller = new AbortController();
      const response = await fetch(`${harness.baseUrl}/responses`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_SERVER_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-5.4', input: 'hi', stream: true }),
        signal: controller.signal,
      });
      const reader = response.body!.getReader();
      await reader.read();
      expect(harness.proxy.openConnections).toBeGreaterThan(0);
      const upstream = lastResponsesRequest(harness);
      controller.abort();
      await until(() => upstream.streamEnd !== undefined);
      expect(upstream.streamEnd).toBe('aborted');
      await harness.gateway.gateway.waitForStreams();
      expect(harness.gateway.gateway.metrics.activeStreams).toBe(0);
    } finally {
      await harness.close();
    }
  });

  it.each([
    ['http', true],
    ['websocket', true],
    ['http', false],
  ] as const)(
    'graceful shutdown ends an open /v1/responses stream with server_shutting_down (upstream %s, continuation %s)',
    TIMEOUT,
    async (transport, continuation) => {
      const harness = await startGatewayHarness({
        transport,
        emulator: { scenario: 'slow', eventDelayMs: 50 },
        ...(continuation ? {} : { continuation: false }),
      });
      try {
        const response = await fetch(`${harness.baseUrl}/responses`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TEST_SERVER_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'gpt-5.4', input: 'hi', stream: true }),
        });
        const text = response.text();
        await harness.gateway.close({ graceMs: 0 });
        const body = await text;
        const last = body.trim().split('\n\n').at(-1) ?? '';
        expect(last).toMatch(/^event: error\n/);
        expect(JSON.parse(last.split('data: ')[1] ?? '')).toMatchObject({
          type: 'error',
          code: 'server_shutting_down',
        });
        expect(body).not.toContain('response.completed');
      } finally {
        await harness.close();
      }
    },
  );

  it(
    'graceful shutdown ends a response of the WebSocket mode with server_shutting_down',
    TIMEOUT,
    async () => {
      const harness = await startGatewayHarness({ emulator: { scenario: 'slow', eventDelayMs: 50 } });
      try {
        const socket = await openResponsesSocket(harness);
        const firstEvent = new Promise((resolve) => socket.once('message', resolve));
        const events = createResponse(socket, { model: 'gpt-5.4', input: 'hi' });
        await firstEvent;
        await harness.gateway.close({ graceMs: 0 });
        expect((await events).at(-1)).toMatchObject({
          type: 'error',
          status: 503,
          error: { code: 'server_shutting_down' },
        });
      } finally {
        await harness.close();
      }
    },
  );

  it('graceful shutdown ends open streams cleanly and stops listening', TIMEOUT, async () => {
    const harness = await startGatewayHarness({
      transport: 'http',
      emulator: { scenario: 'slow', eventDelayMs: 50 },
    });
    try {
      const response = await fetch(`${harness.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_SERVER_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-5.4', messages: [{ role: 'user', content: 'hi' }], stream: true }),
      });
      const text = response.text();
      await harness.gateway.close({ graceMs: 0 });
      const body = await text;
      expect(body).toContain('server_shutting_down');
      expect(body).not.toContain('[DONE]');
      // The upstream stream was stopped by the shutdown, not played out.
      const upstream = lastResponsesRequest(harness);
      await until(() => upstream.streamEnd !== undefined);
      expect(upstream.streamEnd).toBe('aborted');
      await expect(fetch(`${harness.gateway.url}/healthz`)).rejects.toThrow();
    } finally {
      await harness.close();
    }
  });
});
