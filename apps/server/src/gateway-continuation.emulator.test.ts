import { createOpenAI } from '@ai-sdk/openai';
import type { RecordedRequest } from '@codetether/emulator';
import { generateText, jsonSchema, stepCountIs, tool } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type GatewayHarness, startGatewayHarness, TEST_SERVER_KEY } from './__fixtures__/gateway-harness.js';
import { useSuiteGateway } from './__fixtures__/suite-gateway.js';
import { clientTagOf } from './conversation-index.js';
import { upstreamSessionIdOf } from './upstream-session-id.js';

const TIMEOUT = { timeout: 30_000 };

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

function responsesRequests(harness: GatewayHarness): RecordedRequest[] {
  return harness.emulator.requests.filter(
    (request) => request.path.endsWith('/responses') && request.method === 'POST',
  );
}

async function metricValue(harness: GatewayHarness, name: string): Promise<number> {
  const text = await (await fetch(`${harness.gateway.url}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(name));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

/** A chat with a tool round trip then a follow-up question; returns the messages it ended with. */
async function chatWithToolRoundTrip(
  client: OpenAI,
  headers: Record<string, string> = {},
  opening = '[scenario:tool-call] What is the weather in Paris?',
): Promise<OpenAI.ChatCompletionMessageParam[]> {
  const messages: OpenAI.ChatCompletionMessageParam[] = [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: opening },
  ];
  const first = await client.chat.completions.create(
    { model: 'gpt-5.4', messages, tools: [weatherTool] },
    { headers },
  );
  const message = first.choices[0]?.message;
  expect(message?.tool_calls).toHaveLength(1);
  const call = message?.tool_calls?.[0];
  if (call === undefined || call.type !== 'function') throw new Error('no tool call');
  messages.push(
    { role: 'assistant', content: message?.content ?? null, tool_calls: [call] },
    { role: 'tool', tool_call_id: call.id, content: 'Sunny, 21 C' },
  );
  const second = await client.chat.completions.create(
    { model: 'gpt-5.4', messages, tools: [weatherTool], stream: true },
    { headers },
  );
  let text = '';
  for await (const chunk of second) text += chunk.choices[0]?.delta.content ?? '';
  expect(text).toContain('Sunny, 21 C');
  messages.push({ role: 'assistant', content: text }, { role: 'user', content: '[scenario:text] thanks' });
  const third = await client.chat.completions.create(
    { model: 'gpt-5.4', messages, tools: [weatherTool] },
    { headers },
  );
  messages.push({ role: 'assistant', content: third.choices[0]?.message.content ?? '' });
  return messages;
}

describe('gateway continuation (emulator behind, WebSocket upstream)', () => {
  const gateway = useSuiteGateway({ transport: 'websocket' });
  beforeEach(() => {
    gateway.harness.emulator.clearRequests();
  });

  it(
    'openai SDK: turns after the first send only the new messages, without a session header',
    TIMEOUT,
    async () => {
      const fullBefore = await metricValue(
        gateway.harness,
        'codetether_server_upstream_requests_total{mode="full"}',
      );
      await chatWithToolRoundTrip(gateway.client);
      const [first, ...later] = responsesRequests(gateway.harness);
      expect(first?.previousResponseId).toBeUndefined();
      expect(later).toHaveLength(2);
      for (const request of later) {
        expect(request.previousResponseId).toMatch(/^resp_/);
        expect(request.inputItems).toBe(1);
        expect(request.connectionId).toBe(first?.connectionId);
      }
      expect(
        await metricValue(gateway.harness, 'codetether_server_upstream_requests_total{mode="full"}'),
      ).toBe(fullBefore + 1);
      expect(
        await metricValue(gateway.harness, 'codetether_server_upstream_requests_total{mode="continued"}'),
      ).toBeGreaterThanOrEqual(2);
    },
  );

  it(
    'openai SDK: the same with a session header, which (scoped to the key) becomes the upstream session',
    TIMEOUT,
    async () => {
      await chatWithToolRoundTrip(gateway.client, { 'x-session-id': 'continuation-session-1' });
      const [first, ...later] = responsesRequests(gateway.harness);
      expect(first?.headers['session-id']).toBe(
        upstreamSessionIdOf(clientTagOf(`Bearer ${TEST_SERVER_KEY}`), 'continuation-session-1'),
      );
      expect(later.every((request) => request.headers['session-id'] === first?.headers['session-id'])).toBe(
        true,
      );
      expect(later.map((request) => request.inputItems)).toEqual([1, 1]);
      expect(later.every((request) => request.connectionId === first?.connectionId)).toBe(true);
      expect(later.every((request) => request.previousResponseId !== undefined)).toBe(true);
    },
  );

  it(
    'a tool result sent without the assistant message whose call it answers is a 400, even within a session; the whole history then continues',
    TIMEOUT,
    async () => {
      const headers = { 'x-session-id': 'orphan-tool-result-session' };
      const messages: OpenAI.ChatCompletionMessageParam[] = [
        { role: 'user', content: '[scenario:tool-call] What is the weather in Paris?' },
      ];
      const first = await gateway.client.chat.completions.create(
        { model: 'gpt-5.4', messages, tools: [weatherTool] },
        { headers },
      );
      const call = first.choices[0]?.message.tool_calls?.[0];
      if (call === undefined || call.type !== 'function') throw new Error('no tool call');
      const toolResult = { role: 'tool' as const, tool_call_id: call.id, content: 'Sunny, 21 C' };
      // Only the new tool result, as if the session remembered the rest: Chat Completions is stateless.
      const orphan = await fetch(`${gateway.harness.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: {
          ...headers,
          authorization: `Bearer ${TEST_SERVER_KEY}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ model: 'gpt-5.4', messages: [toolResult], tools: [weatherTool] }),
      });
      expect(orphan.status).toBe(400);
      expect(await orphan.json()).toMatchObject({
        error: { type: 'invalid_request_error', param: 'messages[0].tool_call_id', code: 'invalid_value' },
      });
      expect(responsesRequests(gateway.harness)).toHaveLength(1);
      // The session's conversation is untouched: the full history continues it with only the result.
      const second = await gateway.client.chat.completions.create(
        {
          model: 'gpt-5.4',
          messages: [...messages, { role: 'assistant', content: null, tool_calls: [call] }, toolResult],
          tools: [weatherTool],
        },
        { headers },
      );
      expect(second.choices[0]?.message.content).toContain('Sunny, 21 C');
      const [opening, continued] = responsesRequests(gateway.harness);
      expect(continued?.previousResponseId).toMatch(/^resp_/);
      expect(continued?.inputItems).toBe(1);
      expect(continued?.connectionId).toBe(opening?.connectionId);
    },
  );

  it(
    'two conversations with different openings never meet; a changed history goes in full',
    TIMEOUT,
    async () => {
      const alpha = await chatWithToolRoundTrip(gateway.client, {}, '[scenario:tool-call] Weather in Oslo?');
      const beta = await chatWithToolRoundTrip(gateway.client, {}, '[scenario:tool-call] Weather in Rome?');
      const requests = responsesRequests(gateway.harness);
      expect(requests).toHaveLength(6);
      expect(requests[0]?.connectionId).not.toBe(requests[3]?.connectionId);
      expect(new Set(requests.slice(0, 3).map((request) => request.connectionId)).size).toBe(1);
      expect(new Set(requests.slice(3).map((request) => request.connectionId)).size).toBe(1);
      expect(requests[0]?.headers['session-id']).not.toBe(requests[3]?.headers['session-id']);
      expect(requests[0]?.body).toMatchObject({ prompt_cache_key: expect.any(String) });
      const cacheKeyOf = (request: RecordedRequest | undefined): unknown =>
        (request?.body as { prompt_cache_key?: unknown } | undefined)?.prompt_cache_key;
      expect(cacheKeyOf(requests[0])).not.toBe(cacheKeyOf(requests[3]));

      // Alpha's history with one word of an answer changed: never continued, sent in full.
      gateway.harness.emulator.clearRequests();
      const tampered = alpha.map((message, position) =>
        position === alpha.length - 1 ? { role: 'assistant' as const, content: 'something else' } : message,
      );
      await gateway.client.chat.completions.create({
        model: 'gpt-5.4',
        messages: [...tampered, { role: 'user', content: '[scenario:text] again' }],
        tools: [weatherTool],
      });
      // Beta's real history continues beta's conversation.
      await gateway.client.chat.completions.create({
        model: 'gpt-5.4',
        messages: [...beta, { role: 'user', content: '[scenario:text] again' }],
        tools: [weatherTool],
      });
      const [tamperedRequest, betaRequest] = responsesRequests(gateway.harness);
      expect(tamperedRequest?.previousResponseId).toBeUndefined();
      expect(tamperedRequest?.inputItems).toBeGreaterThan(4);
      expect(betaRequest?.previousResponseId).toMatch(/^resp_/);
      expect(betaRequest?.inputItems).toBe(1);
      expect(betaRequest?.connectionId).toBe(requests[3]?.connectionId);
    },
  );

  it(
    'openai SDK: responses.create with previous_response_id continues over the warm socket',
    TIMEOUT,
    async () => {
      const first = await gateway.client.responses.create({
        model: 'gpt-5.4',
        instructions: 'Be brief.',
        input: '[scenario:tool-call] Weather in Paris?',
        tools: [
          {
            type: 'function',
            name: 'get_weather',
            parameters: weatherTool.function.parameters,
            strict: false,
          },
        ],
      });
      const call = first.output.find((item) => item.type === 'function_call');
      if (call?.type !== 'function_call') throw new Error('no function call');
      const stream = await gateway.client.responses.create({
        model: 'gpt-5.4',
        instructions: 'Be brief.',
        previous_response_id: first.id,
        input: [{ type: 'function_call_output', call_id: call.call_id, output: 'Foggy, 9 C' }],
        tools: [
          {
            type: 'function',
            name: 'get_weather',
            parameters: weatherTool.function.parameters,
            strict: false,
          },
        ],
        stream: true,
      });
      let text = '';
      let completedId = '';
      for await (const event of stream) {
        if (event.type === 'response.output_text.delta') text += event.delta;
        if (event.type === 'response.completed') completedId = event.response.id;
      }
      expect(text).toContain('Foggy, 9 C');
      const third = await gateway.client.responses.create({
        model: 'gpt-5.4',
        instructions: 'Be brief.',
        previous_response_id: completedId,
        input: '[scenario:text] thanks',
        tools: [
          {
            type: 'function',
            name: 'get_weather',
            parameters: weatherTool.function.parameters,
            strict: false,
          },
        ],
      });
      expect(third.status).toBe('completed');
      const [upstreamFirst, ...later] = responsesRequests(gateway.harness);
      expect(later).toHaveLength(2);
      expect(later.every((request) => request.previousResponseId !== undefined)).toBe(true);
      expect(later.map((request) => request.inputItems)).toEqual([1, 1]);
      expect(later.every((request) => request.connectionId === upstreamFirst?.connectionId)).toBe(true);
    },
  );

  it("openai SDK: an unknown previous_response_id is OpenAI's 400", TIMEOUT, async () => {
    const missing = await gateway.client.responses
      .create({ model: 'gpt-5.4', input: 'hi', previous_response_id: 'resp_unknown' })
      .catch((caught: unknown) => caught);
    expect(missing).toBeInstanceOf(OpenAI.BadRequestError);
    const error = missing as InstanceType<typeof OpenAI.BadRequestError>;
    expect(error.param).toBe('previous_response_id');
    expect(error.code).toBe('previous_response_not_found');
    expect(responsesRequests(gateway.harness)).toHaveLength(0);
  });

  it('Responses: a client resending input + output is recognised', TIMEOUT, async () => {
    const first = await gateway.client.responses.create({ model: 'gpt-5.4', input: '[scenario:text] hello' });
    const input: OpenAI.Responses.ResponseInput = [
      { role: 'user', content: '[scenario:text] hello' },
      ...(first.output as OpenAI.Responses.ResponseInputItem[]),
      { role: 'user', content: '[scenario:text] more' },
    ];
    const answer = await gateway.client.responses.create({ model: 'gpt-5.4', input });
    const [, second] = responsesRequests(gateway.harness);
    expect(second?.previousResponseId).toMatch(/^resp_/);
    expect(second?.inputItems).toBe(1);
    // Continued upstream, but the client named no previous response: its answer names none either.
    expect(answer.previous_response_id).toBeNull();
  });

  it('AI SDK: the multi-step tool loop continues its conversation', TIMEOUT, async () => {
    const openai = createOpenAI({ baseURL: gateway.harness.baseUrl, apiKey: TEST_SERVER_KEY });
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
          execute: async () => 'Rainy, 12 C',
        }),
      },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    expect(result.text).toContain('Rainy, 12 C');
    const [first, second] = responsesRequests(gateway.harness);
    expect(second?.previousResponseId).toMatch(/^resp_/);
    expect(second?.inputItems).toBe(1);
    expect(second?.connectionId).toBe(first?.connectionId);
  });
});

describe('gateway with continuation off', () => {
  let harness: GatewayHarness;

  beforeAll(async () => {
    harness = await startGatewayHarness({ transport: 'websocket', continuation: false });
  }, 30_000);
  afterAll(async () => {
    await harness?.close();
  });

  it('sends every turn in full', TIMEOUT, async () => {
    const client = new OpenAI({ baseURL: harness.baseUrl, apiKey: TEST_SERVER_KEY, maxRetries: 0 });
    await chatWithToolRoundTrip(client);
    const requests = responsesRequests(harness);
    expect(requests).toHaveLength(3);
    expect(requests.every((request) => request.previousResponseId === undefined)).toBe(true);
    expect(requests.map((request) => request.inputItems)).toEqual([1, 3, 5]);
  });
});
