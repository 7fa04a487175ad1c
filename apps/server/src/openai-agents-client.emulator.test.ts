import {
  Agent,
  OpenAIConversationsSession,
  OpenAIProvider,
  Runner,
  setTracingDisabled,
  tool,
} from '@openai/agents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TEST_SERVER_KEY } from './__fixtures__/gateway-harness.js';
import { useSuiteGateway } from './__fixtures__/suite-gateway.js';

// The SDK exports traces to OpenAI's platform unless told not to; a test reaches no real host.
setTracingDisabled(true);

const TIMEOUT = { timeout: 30_000 };

const WEATHER_TOOL = tool({
  name: 'get_weather',
  description: 'The weather in a city.',
  parameters: z.object({ city: z.string() }),
  execute: async ({ city }) => `sunny in ${city}`,
});

const ASSISTANT = new Agent({
  name: 'Assistant',
  instructions: 'Answer briefly.',
  model: 'gpt-5.4',
  tools: [WEATHER_TOOL],
});

/** How the SDK reaches the gateway: the Responses API (over HTTP, or the WebSocket mode), or Chat Completions. */
type ClientApi = 'responses' | 'responses-websocket' | 'chat';

// The OpenAI Agents SDK (`@openai/agents`), its provider pointed at the gateway the way its users point it
// at any OpenAI-compatible server.
describe.each([
  ['http', 'responses'],
  ['websocket', 'responses'],
  ['http', 'responses-websocket'],
  ['http', 'chat'],
] as const)('OpenAI Agents SDK through the gateway (upstream %s, %s)', (transport, api: ClientApi) => {
  const suite = useSuiteGateway({ transport });
  let provider: OpenAIProvider;
  let runner: Runner;

  beforeAll(() => {
    provider =
      api === 'responses-websocket'
        ? new OpenAIProvider({
            apiKey: TEST_SERVER_KEY,
            baseURL: suite.harness.baseUrl,
            useResponses: true,
            useResponsesWebSocket: true,
          })
        : new OpenAIProvider({ openAIClient: suite.client, useResponses: api === 'responses' });
    runner = new Runner({ modelProvider: provider });
  });
  // (Vitest runs `afterAll` hooks last registered first: the provider closes before the gateway.)
  afterAll(async () => {
    await provider?.close();
  });

  it('answers', TIMEOUT, async () => {
    const result = await runner.run(ASSISTANT, '[scenario:text] hi');
    expect(result.finalOutput).toMatch(/\S/);
    if (api === 'responses-websocket') {
      // Over the gateway's WebSocket mode: one upgrade, the turn a `response.create` on it.
      const metrics = await (await fetch(`${suite.harness.gateway.url}/metrics`)).text();
      expect(metrics).toMatch(
        /codetether_server_requests_total\{method="GET",route="\/v1\/responses",status="101"\} 1/,
      );
      expect(metrics).toMatch(
        /codetether_server_requests_total\{method="response.create",route="\/v1\/responses",status="200"\} 1/,
      );
    }
  });

  it('runs a tool loop: the call, the tool, then the answer to its result', TIMEOUT, async () => {
    const result = await runner.run(ASSISTANT, '[scenario:tool-call] weather in Paris?');
    expect(result.finalOutput).toContain('sunny in Paris');
  });

  it('streams a tool loop to the end', TIMEOUT, async () => {
    const result = await runner.run(ASSISTANT, '[scenario:tool-call] weather?', { stream: true });
    let events = 0;
    for await (const _event of result) events += 1;
    await result.completed;
    expect(events).toBeGreaterThan(0);
    expect(result.finalOutput).toContain('sunny in Paris');
  });

  it('returns structured output (outputType)', TIMEOUT, async () => {
    const reporter = new Agent({
      name: 'Reporter',
      instructions: 'Report the weather.',
      model: 'gpt-5.4',
      outputType: z.object({ city: z.string(), celsius: z.number() }),
    });
    const result = await runner.run(reporter, '[scenario:structured] the weather in Paris');
    expect(result.finalOutput).toEqual({ city: 'Paris', celsius: expect.any(Number) });
  });

  it(
    'accepts the model settings agents set (temperature, output limit, reasoning, verbosity…)',
    TIMEOUT,
    async () => {
      const tuned = new Agent({
        name: 'Tuned',
        model: 'gpt-5.4',
        modelSettings: {
          temperature: 0.3,
          topP: 0.9,
          maxTokens: 2_000,
          reasoning: { effort: 'high', summary: 'auto' },
          text: { verbosity: 'low' },
          parallelToolCalls: false,
          toolChoice: 'auto',
        },
      });
      const result = await runner.run(tuned, '[scenario:reasoning] hi');
      expect(result.finalOutput).toMatch(/\S/);
    },
  );

  it('hands off to another agent', TIMEOUT, async () => {
    const specialist = new Agent({ name: 'Specialist', instructions: 'Answer.', model: 'gpt-5.4' });
    const triage = Agent.create({ name: 'Triage', model: 'gpt-5.4', handoffs: [specialist] });
    const result = await runner.run(triage, '[scenario:tool-call] route this');
    expect(result.lastAgent?.name).toBe('Specialist');
    expect(result.finalOutput).toMatch(/\S/);
  });

  it('goes on from the history of a run (result.history)', TIMEOUT, async () => {
    const first = await runner.run(ASSISTANT, '[scenario:tool-call] weather in Paris?');
    const second = await runner.run(ASSISTANT, [
      ...first.history,
      { role: 'user', content: '[scenario:text] thanks' },
    ]);
    expect(second.finalOutput).toMatch(/\S/);
  });

  it.runIf(api !== 'chat')('continues by previousResponseId, and in a conversation', TIMEOUT, async () => {
    const first = await runner.run(ASSISTANT, '[scenario:text] my name is Bob');
    const previousResponseId = first.lastResponseId ?? '';
    expect(previousResponseId).toMatch(/^resp_/);
    const second = await runner.run(ASSISTANT, '[scenario:tool-call] weather?', { previousResponseId });
    expect(second.finalOutput).toContain('sunny in Paris');

    const conversation = await suite.client.conversations.create({});
    await runner.run(ASSISTANT, '[scenario:text] hi', { conversationId: conversation.id });
    const inConversation = await runner.run(ASSISTANT, '[scenario:tool-call] weather?', {
      conversationId: conversation.id,
    });
    expect(inConversation.finalOutput).toContain('sunny in Paris');
    const items = await suite.client.conversations.items.list(conversation.id);
    // Both runs' user messages, the call and its output, and the answers are in the conversation.
    expect(items.data.length).toBeGreaterThanOrEqual(5);
  });

  it.runIf(api !== 'chat')('keeps a session in a Conversations API conversation', TIMEOUT, async () => {
    const session = new OpenAIConversationsSession({ client: suite.client });
    await runner.run(ASSISTANT, '[scenario:text] hi', { session });
    const result = await runner.run(ASSISTANT, '[scenario:tool-call] weather?', { session });
    expect(result.finalOutput).toContain('sunny in Paris');
    expect((await session.getItems()).length).toBeGreaterThanOrEqual(5);
  });
});
