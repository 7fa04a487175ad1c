import { describe, expect, it } from 'vitest';
import {
  apiKeyHeaders,
  chatgptHeaders,
  outputItems,
  outputText,
  postResponses,
  userInput,
} from '../__fixtures__/emulator-client.js';
import { startEmulatorPerTest } from '../__fixtures__/emulator-per-test.js';
import { argumentsForSchema } from './tool-arguments.js';
import { readToolChoice } from './tool-choice.js';

const WEATHER = {
  kind: 'function' as const,
  name: 'get_weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const TICKET = {
  kind: 'function' as const,
  name: 'open_ticket',
  parameters: {
    type: 'object',
    additionalProperties: false,
    required: ['title', 'priority', 'labels', 'owner'],
    properties: {
      title: { type: 'string' },
      priority: { type: 'integer', minimum: 3, maximum: 5 },
      severity: { enum: ['low', 'high'] },
      labels: { type: 'array', items: { type: 'string' }, minItems: 2 },
      owner: {
        type: 'object',
        required: ['team'],
        properties: { team: { type: ['string', 'null'] }, remote: { type: 'boolean' } },
      },
      due: { anyOf: [{ type: 'number' }, { type: 'null' }] },
      kind: { const: 'bug' },
    },
  },
};
const NO_ARGUMENTS = {
  kind: 'function' as const,
  name: 'list_files',
  parameters: { type: 'object', properties: {} },
};

describe('readToolChoice', () => {
  const tools = [WEATHER, TICKET];
  it('reads required, both function shapes, and leaves the rest free', () => {
    expect(readToolChoice('required', tools)).toEqual({ kind: 'required', tool: WEATHER });
    expect(readToolChoice({ type: 'function', name: 'open_ticket' }, tools)).toEqual({
      kind: 'named',
      tool: TICKET,
    });
    expect(readToolChoice({ type: 'function', function: { name: 'open_ticket' } }, tools)).toEqual({
      kind: 'named',
      tool: TICKET,
    });
    for (const free of [
      undefined,
      null,
      'auto',
      'none',
      42,
      { type: 'web_search' },
      { type: 'allowed_tools' },
    ]) {
      expect(readToolChoice(free, tools)).toEqual({ kind: 'free' });
    }
  });

  it('says why a forced choice cannot be honoured', () => {
    expect(readToolChoice('required', [])).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining("'tools'"),
    });
    expect(readToolChoice({ type: 'function', name: 'missing' }, tools)).toMatchObject({ kind: 'invalid' });
    expect(readToolChoice({ type: 'function' }, tools)).toMatchObject({ kind: 'invalid' });
    expect(readToolChoice({ type: 'function', function: 'x' }, tools)).toMatchObject({ kind: 'invalid' });
  });
});

describe('argumentsForSchema', () => {
  it('fills every declared property with a value of its schema', () => {
    expect(JSON.parse(argumentsForSchema(TICKET.parameters, 0))).toEqual({
      title: 'example-title',
      priority: 3,
      severity: 'low',
      labels: ['example-labels', 'example-labels'],
      owner: { team: 'example-team', remote: true },
      due: 1,
      kind: 'bug',
    });
    expect(JSON.parse(argumentsForSchema(WEATHER.parameters, 1))).toEqual({ city: 'Tokyo' });
  });

  it('gives {} for an object schema without properties, and weather arguments without any schema', () => {
    expect(argumentsForSchema(NO_ARGUMENTS.parameters, 0)).toBe('{}');
    expect(argumentsForSchema({ type: 'object' }, 0)).toBe('{}');
    expect(JSON.parse(argumentsForSchema({}, 0))).toEqual({ location: 'Paris', unit: 'celsius' });
  });

  it('survives hostile schemas (deep nesting, odd values, __proto__)', () => {
    let deep: Record<string, unknown> = { type: 'string' };
    for (let level = 0; level < 50; level += 1) deep = { type: 'object', properties: { next: deep } };
    expect(() => JSON.parse(argumentsForSchema(deep, 0))).not.toThrow();
    const odd = {
      type: 'object',
      properties: { a: null, b: 'x', c: { type: 'array', minItems: 1e9 }, ['__proto__']: { type: 'string' } },
    };
    const parsed = JSON.parse(
      argumentsForSchema(JSON.parse(JSON.stringify(odd)) as Record<string, unknown>, 0),
    );
    expect(parsed.c).toHaveLength(8);
    expect(Object.keys(parsed)).toContain('__proto__');
  });
});

describe('a forced tool_choice over the network', () => {
  const harness = startEmulatorPerTest();
  const emulator = () => harness.emulator;

  const tools = [WEATHER, TICKET, NO_ARGUMENTS].map(({ kind: _kind, ...tool }) => ({
    type: 'function',
    strict: false,
    ...tool,
  }));
  const post = (body: Record<string, unknown>) =>
    postResponses(`${emulator().openaiBaseUrl}/responses`, apiKeyHeaders(emulator()), {
      model: 'gpt-5.4',
      stream: true,
      input: userInput('just say hi'),
      tools,
      ...body,
    });

  it('"required" calls the first tool instead of answering text', async () => {
    const { events } = await post({ tool_choice: 'required' });
    expect(outputText(events)).toBe('');
    expect(outputItems(events)).toEqual([
      expect.objectContaining({ type: 'function_call', name: 'get_weather' }),
    ]);
    expect(JSON.parse(String(outputItems(events)[0]?.arguments))).toEqual({ city: 'Paris' });
  });

  it('a named function calls that tool, with arguments valid for its schema', async () => {
    const ticket = outputItems(
      (await post({ tool_choice: { type: 'function', name: 'open_ticket' } })).events,
    );
    expect(ticket).toHaveLength(1);
    const call = ticket[0] ?? {};
    expect(call.name).toBe('open_ticket');
    const parsed = JSON.parse(String(call.arguments)) as Record<string, unknown>;
    for (const required of TICKET.parameters.required) expect(parsed).toHaveProperty(required);
    const none = outputItems(
      (await post({ tool_choice: { type: 'function', function: { name: 'list_files' } } })).events,
    );
    expect(none).toEqual([expect.objectContaining({ name: 'list_files', arguments: '{}' })]);
  });

  it('names the forced tool twice in parallel-tool-calls, and leaves auto alone', async () => {
    const parallel = outputItems(
      (
        await post({
          input: userInput('[scenario:parallel-tool-calls] x'),
          tool_choice: { type: 'function', name: 'list_files' },
        })
      ).events,
    );
    expect(parallel.map((item) => item.name)).toEqual(['list_files', 'list_files']);
    expect(outputText((await post({ tool_choice: 'auto' })).events)).toBe('just say hi');
  });

  it('refuses a forced choice it cannot honour with 400 naming tool_choice, on WebSocket too', async () => {
    expect(await post({ tool_choice: { type: 'function', name: 'missing' } })).toMatchObject({
      status: 400,
      json: { error: { param: 'tool_choice', type: 'invalid_request_error' } },
    });
    expect((await post({ tools: [], tool_choice: 'required' })).status).toBe(400);
    const socket = await harness.connect(
      `${emulator().chatgptBaseUrl}/responses`,
      chatgptHeaders(emulator()),
    );
    socket.create({ model: 'gpt-5.4', input: 'x', tool_choice: { type: 'function', name: 'missing' } });
    expect((await socket.nextResponse()).at(-1)).toMatchObject({
      type: 'error',
      status_code: 400,
      error: { param: 'tool_choice' },
    });
  });
});
