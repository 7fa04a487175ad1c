import { APICallError } from '@ai-sdk/provider';
import type { Emulator } from '@codetether/emulator';
import { generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUTH_AND_TRANSPORTS,
  codetetherFor,
  inputOf,
  responsesRequests,
  startTestEmulator,
  weatherTool,
} from './__fixtures__/emulator-provider.js';
import type { CodetetherErrorData } from './error-conversion.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(async () => {
  await emulator.close();
});

describe.each(AUTH_AND_TRANSPORTS)('auth %s over %s', (mode, transport) => {
  it('generateText answers with text, usage and a finish reason', async () => {
    const provider = codetetherFor(emulator, mode, transport);
    try {
      const result = await generateText({ model: provider('gpt-5.4'), prompt: 'hello from the AI SDK' });
      expect(result.text).toBe('hello from the AI SDK');
      expect(result.finishReason).toBe('stop');
      expect(result.usage.inputTokens).toBeGreaterThan(0);
      expect(result.usage.outputTokens).toBeGreaterThan(0);
      expect(result.usage.inputTokenDetails.cacheReadTokens).toBeTypeOf('number');
      expect(result.usage.outputTokenDetails.reasoningTokens).toBeTypeOf('number');
      expect(result.response.id).toMatch(/^resp_/);
    } finally {
      await provider.close();
    }
  });

  it('streamText streams reasoning then text, in order, with the reasoning item in metadata', async () => {
    const provider = codetetherFor(emulator, mode, transport);
    try {
      const result = streamText({ model: provider('gpt-5.4'), prompt: '[scenario:reasoning] think first' });
      const types: string[] = [];
      for await (const part of result.fullStream) types.push(part.type);
      const compact = types.filter((type, index) => type !== types[index - 1]);
      expect(compact).toEqual([
        'start',
        'start-step',
        'reasoning-start',
        'reasoning-delta',
        'reasoning-end',
        'text-start',
        'text-delta',
        'text-end',
        'reasoning-start',
        'reasoning-end',
        'finish-step',
        'finish',
      ]);
      const reasoning = await result.reasoning;
      const withItems = reasoning.find(
        (part) => part.providerMetadata?.codetether?.reasoningItems !== undefined,
      );
      const items = withItems?.providerMetadata?.codetether?.reasoningItems as {
        encrypted_content?: string;
      }[];
      expect(items[0]?.encrypted_content).toMatch(/^gAAAAA/);
      expect((await result.reasoningText)?.length).toBeGreaterThan(0);
      expect((await result.usage).outputTokenDetails.reasoningTokens).toBeGreaterThan(0);
    } finally {
      await provider.close();
    }
  });

  it('runs a tool with execute over a multi-step loop on one WebSocket', async () => {
    const provider = codetetherFor(emulator, mode, transport);
    emulator.clearRequests();
    try {
      const result = await generateText({
        model: provider('gpt-5.4'),
        prompt: '[scenario:tool-call] What is the weather in Paris?',
        tools: { get_weather: weatherTool },
        stopWhen: stepCountIs(3),
      });
      expect(result.steps).toHaveLength(2);
      expect(result.steps[0]?.finishReason).toBe('tool-calls');
      expect(result.steps[0]?.toolCalls[0]?.toolName).toBe('get_weather');
      expect(result.steps[0]?.toolResults[0]?.output).toMatchObject({ temperature: '21C' });
      expect(result.text).toContain('The tool returned');
      const requests = responsesRequests(emulator);
      expect(requests).toHaveLength(2);
      const secondInput = inputOf(emulator, 1);
      expect(secondInput.map((item) => item.type)).toContain('function_call_output');
      if (transport === 'websocket') expect(requests[1]?.connectionId).toBe(requests[0]?.connectionId);
    } finally {
      await provider.close();
    }
  });
});

describe('over the WebSocket with a ChatGPT login', () => {
  it('sends the reasoning items back on the next turn (the SDK response messages carry them)', async () => {
    const provider = codetetherFor(emulator, 'chatgpt', 'websocket');
    emulator.clearRequests();
    try {
      const first = await generateText({ model: provider('gpt-5.4'), prompt: '[scenario:reasoning] think' });
      expect(first.reasoningText?.length).toBeGreaterThan(0);
      const second = await generateText({
        model: provider('gpt-5.4'),
        messages: [
          { role: 'user', content: '[scenario:reasoning] think' },
          ...first.response.messages,
          { role: 'user', content: 'and again' },
        ],
      });
      expect(second.text).toBe('and again');
      const input = inputOf(emulator, 1);
      expect(input.map((item) => item.type)).toEqual(['message', 'reasoning', 'message', 'message']);
      expect(input[1]?.encrypted_content).toMatch(/^gAAAAA/);
    } finally {
      await provider.close();
    }
  });

  it('streams tool input deltas and forces the tool choice (required and named)', async () => {
    const provider = codetetherFor(emulator, 'chatgpt', 'websocket');
    emulator.clearRequests();
    try {
      const lookup = tool({
        description: 'Look a word up',
        inputSchema: jsonSchema<{ word: string }>({
          type: 'object',
          properties: { word: { type: 'string' } },
          required: ['word'],
        }),
        execute: async ({ word }) => `${word}: a word`,
      });
      const forced = streamText({
        model: provider('gpt-5.4'),
        prompt: 'no tool needed',
        tools: { get_weather: weatherTool, lookup },
        toolChoice: 'required',
        stopWhen: stepCountIs(1),
      });
      const types: string[] = [];
      for await (const part of forced.fullStream) types.push(part.type);
      expect(types).toContain('tool-input-start');
      expect(types).toContain('tool-input-delta');
      expect(types.indexOf('tool-input-end')).toBeLessThan(types.indexOf('tool-call'));
      expect((await forced.toolCalls)[0]?.toolName).toBe('get_weather');

      const named = await generateText({
        model: provider('gpt-5.4'),
        prompt: 'no tool needed',
        tools: { get_weather: weatherTool, lookup },
        toolChoice: { type: 'tool', toolName: 'lookup' },
        stopWhen: stepCountIs(1),
      });
      expect(named.toolCalls[0]?.toolName).toBe('lookup');
      expect(named.finishReason).toBe('tool-calls');
      const bodies = responsesRequests(emulator).map((request) => request.body as { tool_choice: unknown });
      expect(bodies.map((body) => body.tool_choice)).toEqual([
        'required',
        { type: 'function', name: 'lookup' },
      ]);

      const none = await generateText({
        model: provider('gpt-5.4'),
        prompt: 'plain',
        tools: { get_weather: weatherTool },
        toolChoice: 'none',
      });
      expect(none.text).toBe('plain');
    } finally {
      await provider.close();
    }
  });

  it('stops a stream when the abort signal fires mid-stream', async () => {
    const provider = codetetherFor(emulator, 'chatgpt', 'websocket');
    try {
      const controller = new AbortController();
      const result = streamText({
        model: provider('gpt-5.4'),
        prompt: '[scenario:slow] go',
        abortSignal: controller.signal,
      });
      const types: string[] = [];
      const started = Date.now();
      for await (const part of result.fullStream) {
        types.push(part.type);
        if (part.type === 'text-delta') controller.abort();
      }
      expect(types).toContain('abort');
      expect(types).not.toContain('finish');
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await provider.close();
    }
  });

  it('reports a usage limit as an APICallError with the reset time', async () => {
    const provider = codetetherFor(emulator, 'chatgpt', 'websocket');
    try {
      const failure = await generateText({
        model: provider('gpt-5.4'),
        prompt: '[scenario:rate-limited] hi',
        maxRetries: 0,
      }).catch((error: unknown) => error);
      expect(APICallError.isInstance(failure)).toBe(true);
      const error = failure as APICallError;
      expect(error.statusCode).toBe(429);
      expect(error.isRetryable).toBe(false);
      const data = error.data as CodetetherErrorData;
      expect(data.code).toBe('usage-limit-reached');
      expect(data.resetsAt).toBeGreaterThan(Date.now());
      expect(error.message).toMatch(/usage limit/i);
      expect(error.url).toBe(`${emulator.chatgptBaseUrl}/responses`);
    } finally {
      await provider.close();
    }
  });

  it('keeps a conversation on one session and sends the provider options', async () => {
    const provider = codetetherFor(emulator, 'chatgpt', 'websocket');
    emulator.clearRequests();
    try {
      const providerOptions = {
        codetether: { conversationId: 'conversation-1', reasoningEffort: 'high', serviceTier: 'priority' },
      } as const;
      await generateText({ model: provider('gpt-5.4'), prompt: 'one', providerOptions });
      await generateText({ model: provider('gpt-5.4'), prompt: 'two', providerOptions });
      const requests = responsesRequests(emulator);
      const bodies = requests.map(
        (request) => request.body as { prompt_cache_key: string; reasoning: unknown; service_tier: string },
      );
      expect(bodies.map((body) => body.prompt_cache_key)).toEqual(['conversation-1', 'conversation-1']);
      expect(bodies[0]?.reasoning).toEqual({ effort: 'high', summary: 'auto' });
      expect(bodies[0]?.service_tier).toBe('priority');
      expect(requests[1]?.connectionId).toBe(requests[0]?.connectionId);
    } finally {
      await provider.close();
    }
  });
});
