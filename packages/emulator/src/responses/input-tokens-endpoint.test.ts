import { describe, expect, it } from 'vitest';
import {
  apiKeyHeaders,
  outputItems,
  postResponses,
  responseOf,
  userInput,
} from '../__fixtures__/emulator-client.js';
import { startEmulatorPerTest } from '../__fixtures__/emulator-per-test.js';

const harness = startEmulatorPerTest();
const emulator = () => harness.emulator;

async function count(body: unknown, headers: Record<string, string> = apiKeyHeaders(emulator())) {
  const response = await fetch(`${emulator().openaiBaseUrl}/responses/input_tokens`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('POST /v1/responses/input_tokens (OpenAI API)', () => {
  it("counts what a response to the same body would report as its usage's input tokens", async () => {
    const body = {
      model: 'gpt-5.4',
      instructions: 'Be brief.',
      input: userInput('[scenario:text] hello there'),
    };
    const counted = await count(body);
    expect(counted).toEqual({
      status: 200,
      json: { object: 'response.input_tokens', input_tokens: expect.any(Number) },
    });
    const answered = await postResponses(`${emulator().openaiBaseUrl}/responses`, apiKeyHeaders(emulator()), {
      ...body,
      stream: true,
    });
    const completed = answered.events.findLast((event) => event.type === 'response.completed');
    const usage = (completed?.response as { usage?: { input_tokens?: number } } | undefined)?.usage;
    expect(counted.json.input_tokens).toBe(usage?.input_tokens);
  });

  it("includes a stored previous response's input and output; an unknown one is a 400", async () => {
    const first = await postResponses(`${emulator().openaiBaseUrl}/responses`, apiKeyHeaders(emulator()), {
      model: 'gpt-5.4',
      store: true,
      stream: true,
      input: userInput(`[scenario:text] ${'q'.repeat(400)}`),
    });
    const id = responseOf(first.events.find((event) => event.type === 'response.created')).id;
    expect(outputItems(first.events).length).toBeGreaterThan(0);
    const alone = await count({ model: 'gpt-5.4', input: 'next' });
    const after = await count({ model: 'gpt-5.4', input: 'next', previous_response_id: id });
    expect(Number(after.json.input_tokens)).toBeGreaterThan(Number(alone.json.input_tokens) + 100);
    const unknown = await count({ model: 'gpt-5.4', input: 'x', previous_response_id: 'resp_unknown' });
    expect(unknown.status).toBe(400);
    expect(unknown.json).toMatchObject({ error: { code: 'previous_response_not_found' } });
  });

  it('refuses an input of another type, and a request without a valid key', async () => {
    expect(await count({ model: 'gpt-5.4', input: 42 })).toMatchObject({
      status: 400,
      json: { error: { param: 'input' } },
    });
    const anonymous = await count({ model: 'gpt-5.4', input: 'x' }, { 'content-type': 'application/json' });
    expect(anonymous.status).toBe(401);
  });
});
