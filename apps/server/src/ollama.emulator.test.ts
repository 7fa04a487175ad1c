import { TEXT_ANSWER } from '@codetether/emulator';
import { type Message, Ollama } from 'ollama';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayHarness, startGatewayHarness, TEST_SERVER_KEY } from './__fixtures__/gateway-harness.js';

const TIMEOUT = { timeout: 30_000 };

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe('Ollama dialect in front of the emulator', () => {
  let harness: GatewayHarness;
  let client: Ollama;

  beforeAll(async () => {
    harness = await startGatewayHarness();
    client = new Ollama({
      host: harness.gateway.url,
      headers: { Authorization: `Bearer ${TEST_SERVER_KEY}` },
    });
  }, 30_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('lists the models as tags, shows one and reports a version', TIMEOUT, async () => {
    const tags = await client.list();
    expect(tags.models.map((model) => model.name)).toContain('gpt-5.4');
    const shown = await client.show({ model: 'gpt-5.4:high' });
    expect(shown.capabilities).toContain('tools');
    await expect(client.show({ model: 'llama-nope' })).rejects.toMatchObject({ status_code: 404 });
    expect((await client.version()).version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('chat without streaming', TIMEOUT, async () => {
    const response = await client.chat({
      model: 'gpt-5.4',
      stream: false,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: '[scenario:text] hello' },
      ],
    });
    expect(response.message.content).toBe(TEXT_ANSWER);
    expect(response.done).toBe(true);
    expect(response.done_reason).toBe('stop');
    expect(response.prompt_eval_count).toBeGreaterThan(0);
  });

  it('chat streaming as NDJSON', TIMEOUT, async () => {
    const stream = await client.chat({
      model: 'gpt-5.4',
      stream: true,
      messages: [{ role: 'user', content: '[scenario:text] hello' }],
    });
    let text = '';
    let parts = 0;
    let done = false;
    for await (const part of stream) {
      parts += 1;
      text += part.message.content;
      done = part.done;
    }
    expect(text).toBe(TEXT_ANSWER);
    expect(parts).toBeGreaterThan(2);
    expect(done).toBe(true);
  });

  it('chat with tools, then the tool result', TIMEOUT, async () => {
    const messages: Message[] = [
      { role: 'user', content: '[scenario:tool-call] What is the weather in Paris?' },
    ];
    const response = await client.chat({ model: 'gpt-5.4', stream: false, messages, tools: [weatherTool] });
    const call = response.message.tool_calls?.[0];
    expect(call?.function.name).toBe('get_weather');
    expect(call?.function.arguments).toHaveProperty('city');
    messages.push(response.message, { role: 'tool', content: 'Sunny, 21 C', tool_name: 'get_weather' });
    const answer = await client.chat({ model: 'gpt-5.4', stream: false, messages, tools: [weatherTool] });
    expect(answer.message.content).toContain('Sunny, 21 C');
  });

  it('generate, streamed and not', TIMEOUT, async () => {
    const whole = await client.generate({ model: 'gpt-5.4', prompt: '[scenario:text] hi', stream: false });
    expect(whole.response).toBe(TEXT_ANSWER);
    let text = '';
    for await (const part of await client.generate({
      model: 'gpt-5.4',
      prompt: '[scenario:text] hi',
      stream: true,
    }))
      text += part.response;
    expect(text).toBe(TEXT_ANSWER);
  });

  it("answers errors in Ollama's shape", TIMEOUT, async () => {
    const noKey = await fetch(`${harness.gateway.url}/api/tags`);
    expect(noKey.status).toBe(401);
    expect(Object.keys((await noKey.json()) as object)).toEqual(['error']);
    const bad = await fetch(`${harness.gateway.url}/api/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_SERVER_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [] }),
    });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: string };
    expect(body.error).toContain('model');
    await expect(
      client.chat({
        model: 'gpt-5.4',
        stream: false,
        messages: [{ role: 'user', content: '[scenario:rate-limited] x' }],
      }),
    ).rejects.toMatchObject({ status_code: 429 });
  });

  it(
    'answers the Ollama endpoints it does not serve in that shape too (the client shows the message)',
    TIMEOUT,
    async () => {
      // Models are remote: nothing is pulled, loaded or embedded here; `ollama` reads `error` as a string.
      await expect(client.pull({ model: 'llama3' })).rejects.toMatchObject({
        status_code: 404,
        message: 'Unknown endpoint POST /api/pull.',
      });
      await expect(client.ps()).rejects.toMatchObject({
        status_code: 404,
        message: 'Unknown endpoint GET /api/ps.',
      });
      await expect(client.embed({ model: 'gpt-5.4', input: 'hi' })).rejects.toMatchObject({
        message: 'Unknown endpoint POST /api/embed.',
      });
    },
  );
});
