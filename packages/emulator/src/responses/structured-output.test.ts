import { describe, expect, it } from 'vitest';
import {
  apiKeyHeaders,
  chatgptHeaders,
  outputItems,
  outputText,
  postResponses,
  responseOf,
  type StreamEvent,
  userInput,
} from '../__fixtures__/emulator-client.js';
import { startEmulatorPerTest } from '../__fixtures__/emulator-per-test.js';
import { REASONING_SUMMARY, TEXT_ANSWER } from './scenario-plan.js';

const TICKET_FORMAT = {
  type: 'json_schema',
  name: 'ticket',
  strict: true,
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['title', 'priority', 'labels', 'owner', 'state'],
    properties: {
      title: { type: 'string' },
      priority: { type: 'integer', minimum: 2, maximum: 4 },
      labels: { type: 'array', items: { type: 'string' }, minItems: 1 },
      owner: {
        type: 'object',
        additionalProperties: false,
        required: ['email', 'team'],
        properties: {
          email: { type: 'string', format: 'email' },
          team: { anyOf: [{ type: 'string' }, { type: 'null' }] },
        },
      },
      state: { enum: ['open', 'closed'] },
    },
  },
};

const TICKET = {
  title: 'example-title',
  priority: 2,
  labels: ['example-labels'],
  owner: { email: 'user@example.com', team: 'example-team' },
  state: 'open',
};

const textDeltas = (events: StreamEvent[]) =>
  events.filter((event) => event.type === 'response.output_text.delta').length;

describe('structured output (text.format)', () => {
  const harness = startEmulatorPerTest();
  const emulator = () => harness.emulator;
  const post = (text: string, body: Record<string, unknown>) =>
    postResponses(`${emulator().openaiBaseUrl}/responses`, apiKeyHeaders(emulator()), {
      model: 'gpt-5.4',
      stream: true,
      input: userInput(text),
      ...body,
    });

  it('a json_schema format makes the content scenarios answer JSON valid for the schema, over many deltas', async () => {
    for (const scenario of ['text', 'echo', 'slow', 'server-error-then-success']) {
      emulator().setOptions({ serverErrorCount: 0, tokenDelayMs: 0 });
      const { events } = await post(`[scenario:${scenario}] file a ticket`, {
        text: { format: TICKET_FORMAT },
      });
      expect(JSON.parse(outputText(events)), scenario).toEqual(TICKET);
      expect(textDeltas(events), scenario).toBeGreaterThan(1);
      expect(responseOf(events.at(-1)).text).toEqual({ format: TICKET_FORMAT, verbosity: 'medium' });
    }
  });

  it('reasoning keeps its summary and answers JSON; tool-result answers JSON after the tool output', async () => {
    const reasoning = await post('[scenario:reasoning] x', { text: { format: TICKET_FORMAT } });
    expect(outputItems(reasoning.events).map((item) => item.type)).toEqual(['reasoning', 'message']);
    expect(outputItems(reasoning.events)[0]).toMatchObject({ summary: [{ text: REASONING_SUMMARY }] });
    expect(JSON.parse(outputText(reasoning.events))).toEqual(TICKET);
    const toolResult = await post('x', {
      input: [
        ...userInput('file a ticket'),
        { type: 'function_call', call_id: 'call_1', name: 'lookup', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'found' },
      ],
      text: { format: TICKET_FORMAT },
    });
    expect(JSON.parse(outputText(toolResult.events))).toEqual(TICKET);
  });

  it('json_object wraps the plain answer in {"answer"}; echo keeps a prompt that is already a JSON object', async () => {
    const jsonObject = { text: { format: { type: 'json_object' } } };
    expect(JSON.parse(outputText((await post('[scenario:text] hi', jsonObject)).events))).toEqual({
      answer: TEXT_ANSWER,
    });
    expect(JSON.parse(outputText((await post('tell me a story', jsonObject)).events))).toEqual({
      answer: 'tell me a story',
    });
    const person = '{"name":"Ada","age":36}';
    expect(outputText((await post(person, jsonObject)).events)).toBe(person);
    expect(outputText((await post(person, { text: { format: TICKET_FORMAT } })).events)).toBe(person);
    // A JSON prompt that is not an object is not echoed as the structured answer.
    expect(JSON.parse(outputText((await post('[1,2]', { text: { format: TICKET_FORMAT } })).events))).toEqual(
      TICKET,
    );
  });

  it('leaves plain text, forced tool calls and fault scenarios as they were', async () => {
    const plain = await post('[scenario:text] hi', { text: { format: { type: 'text' }, verbosity: 'low' } });
    expect(outputText(plain.events)).toBe(TEXT_ANSWER);
    expect(responseOf(plain.events.at(-1)).text).toEqual({ format: { type: 'text' }, verbosity: 'low' });
    expect(outputText((await post('[scenario:text] hi', {})).events)).toBe(TEXT_ANSWER);
    const forced = await post('hi', {
      text: { format: TICKET_FORMAT },
      tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object', properties: {} } }],
      tool_choice: 'required',
    });
    expect(outputItems(forced.events)).toEqual([
      expect.objectContaining({ type: 'function_call', name: 'lookup' }),
    ]);
    const failed = await post('[scenario:failed] hi', { text: { format: TICKET_FORMAT } });
    expect(failed.events.at(-1)?.type).toBe('response.failed');
    const incomplete = await post('[scenario:incomplete] hi', { text: { format: TICKET_FORMAT } });
    expect(outputText(incomplete.events)).toBe('This answer was cut short because it hit');
  });

  it('answers JSON over a ChatGPT-backend WebSocket and as a non-streamed JSON response', async () => {
    const socket = await harness.connect(
      `${emulator().chatgptBaseUrl}/responses`,
      chatgptHeaders(emulator()),
    );
    socket.create({
      model: 'gpt-5.4',
      input: userInput('[scenario:text] x'),
      text: { format: TICKET_FORMAT },
    });
    expect(JSON.parse(outputText(await socket.nextResponse()))).toEqual(TICKET);
    const response = await fetch(`${emulator().openaiBaseUrl}/responses`, {
      method: 'POST',
      headers: apiKeyHeaders(emulator()),
      body: JSON.stringify({ model: 'gpt-5.4', input: 'x', text: { format: TICKET_FORMAT } }),
    });
    const body = (await response.json()) as { output: Array<{ content: Array<{ text: string }> }> };
    expect(JSON.parse(body.output[0]?.content[0]?.text ?? '')).toEqual(TICKET);
  });
});
