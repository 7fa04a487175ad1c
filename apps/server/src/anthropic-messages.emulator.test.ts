import Anthropic from '@anthropic-ai/sdk';
import { REASONING_SUMMARY, TEXT_ANSWER } from '@codetether/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayHarness, startGatewayHarness, TEST_SERVER_KEY } from './__fixtures__/gateway-harness.js';

const TIMEOUT = { timeout: 30_000 };

const weatherTool: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

function lastUpstreamBody(harness: GatewayHarness): Record<string, unknown> | undefined {
  return harness.emulator.requests.filter((request) => request.path.endsWith('/responses')).at(-1)?.body as
    | Record<string, unknown>
    | undefined;
}

describe('Anthropic Messages dialect in front of the emulator', () => {
  let harness: GatewayHarness;
  let client: Anthropic;

  beforeAll(async () => {
    harness = await startGatewayHarness();
    client = new Anthropic({ baseURL: harness.gateway.url, apiKey: TEST_SERVER_KEY, maxRetries: 0 });
  }, 30_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('messages.create answers a message; claude names go through the model map', TIMEOUT, async () => {
    const message = await client.messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 1024,
      system: 'Be brief.',
      messages: [{ role: 'user', content: '[scenario:text] hello' }],
    });
    expect(message.type).toBe('message');
    expect(message.model).toBe('claude-sonnet-4-6');
    expect(message.content).toEqual([{ type: 'text', text: TEXT_ANSWER }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.input_tokens + (message.usage.cache_read_input_tokens ?? 0)).toBeGreaterThan(0);
    const sent = lastUpstreamBody(harness);
    expect(sent?.model).toBe('gpt-5.4');
    expect(sent?.instructions).toContain('Be brief.');
    expect(sent).not.toHaveProperty('max_output_tokens');
  });

  it('opus maps to high effort, and thinking comes back as thinking blocks', TIMEOUT, async () => {
    const message = await client.messages.create({
      model: 'claude-opus-4-7',
      max_tokens: 2048,
      thinking: { type: 'adaptive' },
      messages: [{ role: 'user', content: '[scenario:reasoning] think' }],
    });
    expect(message.content[0]).toMatchObject({ type: 'thinking', thinking: REASONING_SUMMARY });
    expect(message.content[1]).toEqual({ type: 'text', text: TEXT_ANSWER });
    const sent = lastUpstreamBody(harness);
    expect(sent?.model).toBe('gpt-5.4');
    expect(sent?.reasoning).toMatchObject({ effort: 'high' });
  });

  it('streams with tools, then completes a tool round trip', TIMEOUT, async () => {
    const messages: Anthropic.MessageParam[] = [
      { role: 'user', content: '[scenario:tool-call] What is the weather in Paris?' },
    ];
    const stream = client.messages.stream({
      model: 'claude-haiku-4-5',
      max_tokens: 512,
      messages,
      tools: [weatherTool],
      tool_choice: { type: 'auto' },
    });
    const eventTypes: string[] = [];
    const jsonDeltas: string[] = [];
    stream.on('streamEvent', (event) => {
      eventTypes.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta')
        jsonDeltas.push(event.delta.partial_json);
    });
    const final = await stream.finalMessage();
    expect(eventTypes[0]).toBe('message_start');
    expect(eventTypes).toContain('content_block_start');
    expect(eventTypes).toContain('content_block_stop');
    expect(eventTypes.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(jsonDeltas.join('')).not.toBe('');
    expect(final.stop_reason).toBe('tool_use');
    const toolUse = final.content.find((block) => block.type === 'tool_use');
    expect(toolUse).toMatchObject({ type: 'tool_use', name: 'get_weather' });
    expect((toolUse as Anthropic.ToolUseBlock).input).toHaveProperty('city');
    expect(lastUpstreamBody(harness)?.model).toBe('gpt-5.4-mini');

    messages.push(
      { role: 'assistant', content: final.content },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: (toolUse as Anthropic.ToolUseBlock).id,
            content: 'Sunny, 21 C',
          },
        ],
      },
    );
    const answer = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 512,
      messages,
      tools: [weatherTool],
    });
    expect(answer.content[0]).toMatchObject({ type: 'text' });
    expect((answer.content[0] as Anthropic.TextBlock).text).toContain('Sunny, 21 C');
    expect(JSON.stringify(lastUpstreamBody(harness))).toContain((toolUse as Anthropic.ToolUseBlock).id);
  });

  it("sends Anthropic's raw event sequence, ping included", TIMEOUT, async () => {
    const response = await fetch(`${harness.gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': TEST_SERVER_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-5.4',
        max_tokens: 64,
        stream: true,
        messages: [{ role: 'user', content: '[scenario:text] hi' }],
      }),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = [...(await response.text()).matchAll(/^event: (\S+)$/gm)].map((match) => match[1]);
    expect(events.slice(0, 3)).toEqual(['message_start', 'ping', 'content_block_start']);
    expect(events.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
  });

  it('accepts the key as a bearer token too', TIMEOUT, async () => {
    const bearer = new Anthropic({
      baseURL: harness.gateway.url,
      apiKey: null,
      authToken: TEST_SERVER_KEY,
      maxRetries: 0,
    });
    const message = await bearer.messages.create({
      model: 'gpt-5.4',
      max_tokens: 64,
      messages: [{ role: 'user', content: '[scenario:text] hi' }],
    });
    expect(message.content[0]).toEqual({ type: 'text', text: TEXT_ANSWER });
  });

  it('answers errors in Anthropic shape', TIMEOUT, async () => {
    const wrongKey = new Anthropic({ baseURL: harness.gateway.url, apiKey: 'wrong', maxRetries: 0 });
    const unauthorized = await wrongKey.messages
      .create({ model: 'gpt-5.4', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] })
      .catch((error: unknown) => error);
    expect(unauthorized).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((unauthorized as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error' },
    });

    const response = await fetch(`${harness.gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': TEST_SERVER_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-5.4', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { type: string; error: { type: string; message: string } };
    expect(body.type).toBe('error');
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toContain('max_tokens');

    const failed = await client.messages
      .create({
        model: 'gpt-5.4',
        max_tokens: 8,
        messages: [{ role: 'user', content: '[scenario:rate-limited] x' }],
      })
      .catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(Anthropic.RateLimitError);
  });

  it('count_tokens answers an estimate, marked as one', TIMEOUT, async () => {
    const response = await client.messages
      .countTokens({
        model: 'claude-sonnet-4-6',
        messages: [{ role: 'user', content: 'How many tokens is this sentence?' }],
      })
      .withResponse();
    expect(response.data.input_tokens).toBeGreaterThan(0);
    expect(response.response.headers.get('x-codetether-token-count')).toBe('estimate');
    expect((response.data as unknown as { estimated: boolean }).estimated).toBe(true);
  });
});
