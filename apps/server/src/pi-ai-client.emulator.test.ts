import {
  type Api,
  type AssistantMessage,
  type Context,
  complete,
  type Model,
  stream,
  Type,
} from '@mariozechner/pi-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayHarness, startGatewayHarness, TEST_SERVER_KEY } from './__fixtures__/gateway-harness.js';

const TIMEOUT = { timeout: 30_000 };

/** pi-ai's model entry for the gateway: its OpenAI Responses or Chat Completions API at the gateway's base URL. */
function gatewayModel<Kind extends Api>(harness: GatewayHarness, api: Kind): Model<Kind> {
  return {
    id: 'gpt-5.4',
    name: 'gpt-5.4 through codetether-server',
    api,
    provider: 'codetether',
    baseUrl: harness.baseUrl,
    reasoning: true,
    input: ['text', 'image'],
    cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
    contextWindow: 272_000,
    maxTokens: 32_000,
  } as Model<Kind>;
}

const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'The weather in a city.',
  parameters: Type.Object({ city: Type.String() }),
};

function contextOf(prompt: string): Context {
  return {
    systemPrompt: 'Answer briefly.',
    messages: [{ role: 'user', content: prompt, timestamp: Date.now() }],
    tools: [WEATHER_TOOL],
  };
}

/** What pi-ai users set: a temperature and an output limit (the ChatGPT backend refuses both upstream). */
const OPTIONS = { apiKey: TEST_SERVER_KEY, temperature: 0.3, maxTokens: 2_000, sessionId: 'pi-session' };

describe.each([
  ['http', 'openai-responses'],
  ['websocket', 'openai-responses'],
  ['http', 'openai-completions'],
] as const)('pi-ai through the gateway (upstream %s, api %s)', (transport, api) => {
  let harness: GatewayHarness;

  beforeAll(async () => {
    harness = await startGatewayHarness({ transport });
  }, 30_000);
  afterAll(async () => {
    await harness?.close();
  });

  it('answers with text and usage, with a temperature and an output limit set', TIMEOUT, async () => {
    const answer = await complete(gatewayModel(harness, api), contextOf('[scenario:text] hi'), OPTIONS);
    expect(answer.errorMessage).toBeUndefined();
    expect(answer.stopReason).toBe('stop');
    const text = answer.content.find((part) => part.type === 'text');
    expect(text?.type === 'text' && text.text.length).toBeGreaterThan(0);
    expect(answer.usage.input).toBeGreaterThan(0);
    expect(answer.usage.output).toBeGreaterThan(0);
  });

  it('runs a tool loop: the call, then the answer to its result', TIMEOUT, async () => {
    const model = gatewayModel(harness, api);
    const context = contextOf('[scenario:tool-call] weather in Paris?');
    const first = await complete(model, context, OPTIONS);
    expect(first.errorMessage).toBeUndefined();
    expect(first.stopReason).toBe('toolUse');
    const call = first.content.find((part) => part.type === 'toolCall');
    expect(call?.type === 'toolCall' && call.name).toBe('get_weather');
    expect(call?.type === 'toolCall' && call.arguments).toEqual({ city: 'Paris' });
    if (call?.type !== 'toolCall') return;
    context.messages.push(first, {
      role: 'toolResult',
      toolCallId: call.id,
      toolName: call.name,
      content: [{ type: 'text', text: 'Sunny, 21 °C.' }],
      isError: false,
      timestamp: Date.now(),
    });
    const second = await complete(model, context, OPTIONS);
    expect(second.errorMessage).toBeUndefined();
    expect(second.stopReason).toBe('stop');
  });

  it('streams reasoning then text, with reasoning effort set', TIMEOUT, async () => {
    const events = stream(gatewayModel(harness, api), contextOf('[scenario:reasoning] think'), {
      ...OPTIONS,
      reasoningEffort: 'high',
    } as Parameters<typeof stream>[2]);
    const kinds = new Set<string>();
    let final: AssistantMessage | undefined;
    for await (const event of events) {
      kinds.add(event.type);
      if (event.type === 'done') final = event.message;
    }
    expect(kinds.has('thinking_delta')).toBe(true);
    expect(kinds.has('text_delta')).toBe(true);
    expect(final?.stopReason).toBe('stop');
    expect(final?.content.map((part) => part.type)).toContain('text');
  });
});
