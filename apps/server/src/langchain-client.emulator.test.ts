import { type AIMessageChunk, HumanMessage, ToolMessage, type UsageMetadata } from '@langchain/core/messages';
import { ChatOpenAI, type ChatOpenAIFields } from '@langchain/openai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type GatewayHarness, TEST_SERVER_KEY } from './__fixtures__/gateway-harness.js';
import { useSuiteGateway } from './__fixtures__/suite-gateway.js';

const TIMEOUT = { timeout: 30_000 };

const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'The weather in a city.',
  schema: z.object({ city: z.string() }),
};

const WEATHER_REPORT = z.object({ city: z.string(), celsius: z.number() });

/** The text of a LangChain message's content (a string, or content blocks over the Responses API). */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((block: { type?: string; text?: string }) => (block.type === 'text' ? (block.text ?? '') : ''))
    .join('');
}

/** A message's usage (typed loosely by LangChain's message generics). */
function usageOf(message: { usage_metadata?: unknown }): UsageMetadata | undefined {
  return message.usage_metadata as UsageMetadata | undefined;
}

/** The upstream bodies the emulator received on its Responses endpoint, oldest first. */
function upstreamBodies(harness: GatewayHarness): Record<string, unknown>[] {
  return harness.emulator.requests
    .filter((request) => request.path.endsWith('/responses'))
    .map((request) => request.body as Record<string, unknown>);
}

// LangChain's `ChatOpenAI` (the official `@langchain/openai`), the way its users point it at an
// OpenAI-compatible server: `configuration.baseURL`, over Chat Completions or the Responses API.
describe.each([
  ['http', false],
  ['http', true],
  ['websocket', true],
] as const)(
  'LangChain ChatOpenAI through the gateway (upstream %s, Responses API %s)',
  (transport, useResponsesApi) => {
    const suite = useSuiteGateway({ transport });
    const model = (fields: ChatOpenAIFields = {}): ChatOpenAI =>
      new ChatOpenAI({
        model: 'gpt-5.4',
        apiKey: TEST_SERVER_KEY,
        configuration: { baseURL: suite.harness.baseUrl },
        maxRetries: 0,
        useResponsesApi,
        ...fields,
      });

    it('answers with text and usage, with a temperature and an output limit set', TIMEOUT, async () => {
      const answer = await model({ temperature: 0.2, maxTokens: 2_000 }).invoke('[scenario:text] hi');
      expect(textOf(answer.content).length).toBeGreaterThan(0);
      expect(usageOf(answer)?.input_tokens).toBeGreaterThan(0);
      expect(usageOf(answer)?.output_tokens).toBeGreaterThan(0);
    });

    it('streams the answer, usage last', TIMEOUT, async () => {
      let text = '';
      let usage: UsageMetadata | undefined;
      for await (const chunk of await model({ streamUsage: true }).stream('[scenario:text] hi')) {
        text += textOf(chunk.content);
        usage ??= usageOf(chunk);
      }
      expect(text.length).toBeGreaterThan(0);
      expect(usage?.total_tokens).toBeGreaterThan(0);
    });

    it('runs a tool loop: the call, then the answer to its result', TIMEOUT, async () => {
      const withTools = model().bindTools([WEATHER_TOOL]);
      const question = new HumanMessage('[scenario:tool-call] weather in Paris?');
      const call = await withTools.invoke([question]);
      expect(call.tool_calls).toEqual([
        expect.objectContaining({ name: 'get_weather', args: { city: 'Paris' } }),
      ]);
      const toolCallId = call.tool_calls?.[0]?.id ?? '';
      const answer = await withTools.invoke([
        question,
        call,
        new ToolMessage({ tool_call_id: toolCallId, content: 'sunny, 21 °C' }),
      ]);
      expect(textOf(answer.content)).toContain('sunny, 21 °C');
    });

    it('streams a tool call whose arguments add up', TIMEOUT, async () => {
      let whole: AIMessageChunk | undefined;
      for await (const chunk of await model()
        .bindTools([WEATHER_TOOL])
        .stream('[scenario:tool-call] weather?')) {
        whole = whole === undefined ? chunk : whole.concat(chunk);
      }
      expect(whole?.tool_calls).toEqual([
        expect.objectContaining({ name: 'get_weather', args: { city: 'Paris' } }),
      ]);
    });

    it.each(['jsonSchema', 'functionCalling', 'jsonMode'] as const)(
      'returns structured output (withStructuredOutput, method %s)',
      TIMEOUT,
      async (method) => {
        const report = await model()
          .withStructuredOutput(method === 'jsonMode' ? z.object({ answer: z.string() }) : WEATHER_REPORT, {
            method,
          })
          .invoke('[scenario:structured] the weather in Paris, as JSON');
        if (method === 'jsonMode') expect(report).toEqual({ answer: expect.any(String) });
        else expect(report).toEqual({ city: 'Paris', celsius: expect.any(Number) });
      },
    );

    it('answers a reasoning request with its summary and the answer', TIMEOUT, async () => {
      const answer = await model({ reasoning: { effort: 'high', summary: 'auto' } }).invoke(
        '[scenario:reasoning] hi',
      );
      expect(textOf(answer.content).length).toBeGreaterThan(0);
      expect(usageOf(answer)?.output_token_details?.reasoning).toBeGreaterThan(0);
    });

    it.runIf(useResponsesApi)('continues a conversation by previous_response_id', TIMEOUT, async () => {
      const chat = model();
      const first = await chat.invoke('[scenario:text] my name is Bob');
      const responseId = first.response_metadata?.id as string | undefined;
      expect(responseId).toMatch(/^resp_/);
      const second = await chat.invoke('[scenario:text] what is my name?', {
        previous_response_id: responseId,
      });
      expect(textOf(second.content).length).toBeGreaterThan(0);
      // Upstream, the turn goes on from the first one: the first message replayed, or the same
      // connection going on from the response it made.
      const last = upstreamBodies(suite.harness).at(-1);
      const replayed = JSON.stringify(last?.input ?? []).includes('my name is Bob');
      expect(replayed || typeof last?.previous_response_id === 'string').toBe(true);
    });
  },
);
