import Anthropic from '@anthropic-ai/sdk';
import { type Message, Ollama } from 'ollama';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type GatewayHarness, startGatewayHarness, TEST_SERVER_KEY } from './__fixtures__/gateway-harness.js';

const TIMEOUT = { timeout: 30_000 };

function previousResponseIds(harness: GatewayHarness): (string | undefined)[] {
  return harness.emulator.requests
    .filter((request) => request.path.endsWith('/responses') && request.method === 'POST')
    .map((request) => request.previousResponseId);
}

describe('continuation in the Anthropic and Ollama dialects (WebSocket upstream)', () => {
  let harness: GatewayHarness;

  beforeAll(async () => {
    harness = await startGatewayHarness({ transport: 'websocket' });
  }, 30_000);
  afterAll(async () => {
    await harness?.close();
  });
  beforeEach(() => {
    harness.emulator.clearRequests();
  });

  it('Anthropic: the tool result goes up as a continuation', TIMEOUT, async () => {
    const client = new Anthropic({ baseURL: harness.gateway.url, apiKey: TEST_SERVER_KEY, maxRetries: 0 });
    const tools: Anthropic.Tool[] = [
      {
        name: 'get_weather',
        input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
    ];
    const messages: Anthropic.MessageParam[] = [
      { role: 'user', content: '[scenario:tool-call] What is the weather in Paris?' },
    ];
    const first = await client.messages.create({ model: 'gpt-5.4', max_tokens: 64, messages, tools });
    const call = first.content.find((block) => block.type === 'tool_use') as Anthropic.ToolUseBlock;
    messages.push(
      { role: 'assistant', content: first.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'Sunny, 21 C' }] },
    );
    await client.messages.create({ model: 'gpt-5.4', max_tokens: 64, messages, tools });
    const [firstId, secondId] = previousResponseIds(harness);
    expect(firstId).toBeUndefined();
    expect(secondId).toMatch(/^resp_/);
  });

  it('Ollama: a follow-up goes up as a continuation', TIMEOUT, async () => {
    const client = new Ollama({
      host: harness.gateway.url,
      headers: { Authorization: `Bearer ${TEST_SERVER_KEY}` },
    });
    const messages: Message[] = [{ role: 'user', content: '[scenario:text] hello' }];
    const first = await client.chat({ model: 'gpt-5.4', stream: false, messages });
    messages.push(first.message, { role: 'user', content: '[scenario:text] thanks' });
    await client.chat({ model: 'gpt-5.4', stream: false, messages });
    const [firstId, secondId] = previousResponseIds(harness);
    expect(firstId).toBeUndefined();
    expect(secondId).toMatch(/^resp_/);
  });
});
