import type { Emulator } from '@codetether/emulator';
import { generateText, type ModelMessage, stepCountIs } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  codetetherFor,
  inputOf,
  responsesRequests,
  startTestEmulator,
  weatherTool,
} from './__fixtures__/emulator-provider.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(async () => {
  await emulator.close();
});

/** The types of the input items of the `index`-th Responses request; checks the recorded count too. */
function itemTypes(index: number): unknown[] {
  const types = inputOf(emulator, index).map((item) => item.type);
  expect(responsesRequests(emulator)[index]?.inputItems).toBe(types.length);
  return types;
}

describe.each(['chatgpt', 'api-key'] as const)('continuation with %s auth over the WebSocket', (mode) => {
  it('sends only the new tool results with previous_response_id in a 3-step tool loop', async () => {
    const provider = codetetherFor(emulator, mode, 'websocket');
    emulator.clearRequests();
    try {
      const run = (continuation: boolean) =>
        generateText({
          model: provider('gpt-5.4'),
          system: 'Answer with tools.',
          prompt: '[scenario:reasoning] What is the weather in Paris?',
          tools: { get_weather: weatherTool },
          toolChoice: 'required',
          stopWhen: stepCountIs(3),
          providerOptions: { codetether: { continuation } },
        });
      const result = await run(true);
      expect(result.steps).toHaveLength(3);
      const requests = responsesRequests(emulator);
      expect(requests).toHaveLength(3);
      expect(requests[0]?.previousResponseId).toBeUndefined();
      expect(itemTypes(0)).toEqual(['message']);
      for (const index of [1, 2]) {
        const request = requests[index];
        expect(request?.connectionId).toBe(requests[0]?.connectionId);
        expect(request?.previousResponseId).toBe(result.steps[index - 1]?.response.id);
        expect(itemTypes(index)).toEqual(['function_call_output']);
      }
      // The same third step sent whole is bigger: it repeats the history.
      await run(false);
      const whole = responsesRequests(emulator)[5];
      expect(whole?.previousResponseId).toBeUndefined();
      expect(requests[2]?.bytesReceived).toBeLessThan(whole?.bytesReceived ?? 0);
    } finally {
      await provider.close();
    }
  });
});

describe('continuation over the WebSocket with a ChatGPT login', () => {
  it('continues a next turn built from response.messages, and sends an edited history in full', async () => {
    const provider = codetetherFor(emulator, 'chatgpt', 'websocket');
    const model = provider('gpt-5.4');
    emulator.clearRequests();
    try {
      const firstMessages: ModelMessage[] = [{ role: 'user', content: '[scenario:reasoning] think' }];
      const first = await generateText({ model, messages: firstMessages });
      const history = [...firstMessages, ...first.response.messages];
      await generateText({ model, messages: [...history, { role: 'user', content: 'and again' }] });
      await generateText({
        model,
        messages: [{ role: 'user', content: 'an edited question' }, ...first.response.messages],
      });
      const requests = responsesRequests(emulator);
      expect(requests).toHaveLength(3);
      expect(requests[1]?.previousResponseId).toBe(first.response.id);
      expect(itemTypes(1)).toEqual(['message']);
      expect(requests[2]?.previousResponseId).toBeUndefined();
      expect(itemTypes(2)).toEqual(['message', 'reasoning', 'message']);
    } finally {
      await provider.close();
    }
  });

  it('runs concurrent calls of one model instance (the second without the busy conversation)', async () => {
    const provider = codetetherFor(emulator, 'chatgpt', 'websocket');
    const model = provider('gpt-5.4');
    try {
      const [first, second] = await Promise.all([
        generateText({ model, prompt: '[scenario:slow] one' }),
        generateText({ model, prompt: 'two' }),
      ]);
      expect(first.text.length).toBeGreaterThan(0);
      expect(second.text).toBe('two');
    } finally {
      await provider.close();
    }
  });

  it('sends the whole prompt every call with continuation: false', async () => {
    const provider = codetetherFor(emulator, 'chatgpt', 'websocket');
    emulator.clearRequests();
    try {
      const result = await generateText({
        model: provider('gpt-5.4'),
        prompt: 'What is the weather in Paris?',
        tools: { get_weather: weatherTool },
        toolChoice: 'required',
        stopWhen: stepCountIs(2),
        providerOptions: { codetether: { continuation: false } },
      });
      expect(result.steps).toHaveLength(2);
      const requests = responsesRequests(emulator);
      expect(requests[1]?.previousResponseId).toBeUndefined();
      expect(itemTypes(1)).toEqual(['message', 'function_call', 'function_call_output']);
    } finally {
      await provider.close();
    }
  });
});

describe('reasoningSummary, textVerbosity and serviceTier', () => {
  it('sends them where the model takes them and warns where it does not', async () => {
    const provider = codetetherFor(emulator, 'chatgpt', 'websocket');
    emulator.clearRequests();
    try {
      const providerOptions = {
        codetether: { reasoningSummary: 'detailed', textVerbosity: 'low', serviceTier: 'flex' },
      } as const;
      const supported = await generateText({ model: provider('gpt-5.4'), prompt: 'hi', providerOptions });
      expect(supported.warnings).toEqual([]);
      const refused = await generateText({ model: provider('gpt-5.1-codex'), prompt: 'hi', providerOptions });
      expect(refused.text).toBe('hi');
      expect(
        (refused.warnings ?? []).map((warning) => warning.type === 'unsupported' && warning.feature),
      ).toEqual(['textVerbosity', 'serviceTier "flex"']);
      const bodies = responsesRequests(emulator).map(
        (request) => request.body as { reasoning?: unknown; text?: unknown; service_tier?: unknown },
      );
      expect(bodies[0]).toMatchObject({
        reasoning: { summary: 'detailed' },
        text: { verbosity: 'low' },
        service_tier: 'flex',
      });
      expect(bodies[1]?.reasoning).toMatchObject({ summary: 'detailed' });
      expect(bodies[1]).not.toHaveProperty('text');
      expect(bodies[1]).not.toHaveProperty('service_tier');
    } finally {
      await provider.close();
    }
  });
});
