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
import { KEPT_USER_MESSAGES } from './compaction.js';

const harness = startEmulatorPerTest();
const emulator = () => harness.emulator;

type Backend = 'chatgpt' | 'openai';

const baseUrl = (backend: Backend) =>
  backend === 'chatgpt' ? emulator().chatgptBaseUrl : emulator().openaiBaseUrl;
const headersFor = (backend: Backend) =>
  backend === 'chatgpt' ? chatgptHeaders(emulator()) : apiKeyHeaders(emulator());

async function compact(
  backend: Backend,
  body: unknown,
  headers: Record<string, string> = headersFor(backend),
) {
  const response = await fetch(`${baseUrl(backend)}/responses/compact`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Record<string, unknown>,
  };
}

/** A conversation of `turns` user questions, each answered with a tool call, its output and a message. */
function longHistory(turns: number): unknown[] {
  const items: unknown[] = [];
  for (let index = 0; index < turns; index += 1) {
    items.push(
      ...userInput(`question ${index}`),
      { type: 'function_call', call_id: `call_${index}`, name: 'shell', arguments: '{}' },
      { type: 'function_call_output', call_id: `call_${index}`, output: 'ok' },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: `answer ${index}` }] },
    );
  }
  return items;
}

describe.each(['chatgpt', 'openai'] as const)('POST /responses/compact on the %s backend', (backend) => {
  it('answers a shorter history: the latest user messages, then exactly one compaction item', async () => {
    const input = longHistory(6);
    const { status, json } = await compact(backend, { model: 'gpt-5.4', instructions: 'Be brief.', input });
    expect(status).toBe(200);
    expect(json).toMatchObject({
      id: expect.stringMatching(/^resp_/),
      object: 'response.compaction',
      created_at: expect.any(Number),
      usage: { input_tokens: expect.any(Number), output_tokens: expect.any(Number) },
    });
    const output = json.output as Array<Record<string, unknown>>;
    expect(output.length).toBeLessThan(input.length);
    expect(output.slice(0, -1)).toEqual(
      Array.from({ length: KEPT_USER_MESSAGES }, (_, index) => userInput(`question ${index + 2}`)[0]),
    );
    expect(output.filter((item) => item.type === 'compaction')).toHaveLength(1);
    expect(output.at(-1)).toEqual({
      id: expect.stringMatching(/^cmp_/),
      type: 'compaction',
      encrypted_content: expect.stringMatching(/^gAAAAA/),
    });
    const recorded = emulator().requests.at(-1);
    expect(recorded).toMatchObject({
      path: `${new URL(baseUrl(backend)).pathname}/responses/compact`,
      inputItems: input.length,
    });
  });

  it('accepts its compacted history back as the next input (also re-compacted)', async () => {
    const { json } = await compact(backend, { model: 'gpt-5.4', input: longHistory(2) });
    const next = [...(json.output as unknown[]), ...userInput('continue please')];
    const answered = await postResponses(`${baseUrl(backend)}/responses`, headersFor(backend), {
      model: 'gpt-5.4',
      stream: true,
      store: false,
      input: next,
    });
    expect(answered.status).toBe(200);
    expect(outputText(answered.events)).toBe('continue please');
    const again = await compact(backend, { model: 'gpt-5.4', input: next });
    expect(again.status).toBe(200);
    expect(
      (again.json.output as Array<{ type?: string }>).filter((item) => item.type === 'compaction'),
    ).toHaveLength(1);
  });

  it('refuses an empty or missing input, a forged compaction item and a bad body with 400', async () => {
    for (const input of [[], undefined]) {
      expect(await compact(backend, { model: 'gpt-5.4', input })).toMatchObject({
        status: 400,
        json: { error: { code: 'empty_array', param: 'input', type: 'invalid_request_error' } },
      });
    }
    const forged = await compact(backend, {
      model: 'gpt-5.4',
      input: [...userInput('x'), { type: 'compaction', encrypted_content: 'gAAAAABforged==' }],
    });
    expect(forged).toMatchObject({ status: 400, json: { error: { code: 'invalid_encrypted_content' } } });
    expect((await compact(backend, '{not json')).status).toBe(400);
    expect((await compact(backend, '[1,2]')).status).toBe(400);
    expect(await compact(backend, { input: userInput('x') })).toMatchObject({
      status: 400,
      json: { error: { code: 'missing_required_parameter', param: 'model' } },
    });
  });

  it('checks credentials and the method like /responses', async () => {
    expect(
      (await compact(backend, { model: 'gpt-5.4', input: 'x' }, { 'content-type': 'application/json' }))
        .status,
    ).toBe(401);
    const get = await fetch(`${baseUrl(backend)}/responses/compact`, { headers: headersFor(backend) });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });
});

describe('in-band compaction (compaction_trigger)', () => {
  const TRIGGER = { type: 'compaction_trigger' };

  function expectOneCompactionItem(events: StreamEvent[]): Record<string, unknown> {
    expect(events.at(-1)?.type).toBe('response.completed');
    const output = outputItems(events);
    expect(output).toEqual([
      {
        id: expect.stringMatching(/^cmp_/),
        type: 'compaction',
        encrypted_content: expect.stringMatching(/^gAAAAA/),
      },
    ]);
    const added = events.filter((event) => event.type === 'response.output_item.added');
    expect(added).toHaveLength(1);
    expect(outputText(events)).toBe('');
    return output[0] ?? {};
  }

  it('answers exactly one compaction output item over HTTP, whatever the content scenario', async () => {
    emulator().setOptions({ scenario: 'reasoning' });
    const { status, events } = await postResponses(
      `${emulator().chatgptBaseUrl}/responses`,
      chatgptHeaders(emulator()),
      {
        model: 'gpt-5.4',
        stream: true,
        store: false,
        tools: [{ type: 'function', name: 'shell', parameters: { type: 'object' } }],
        tool_choice: 'required',
        input: [...longHistory(3), TRIGGER],
      },
    );
    expect(status).toBe(200);
    const item = expectOneCompactionItem(events);
    expect(emulator().requests.at(-1)?.scenario).toBe('compaction');
    // The item is accepted back as input.
    const next = await postResponses(`${emulator().chatgptBaseUrl}/responses`, chatgptHeaders(emulator()), {
      model: 'gpt-5.4',
      stream: true,
      store: false,
      input: [...userInput('question 2'), item, ...userInput('go on')],
    });
    expect(next.status).toBe(200);
  });

  it('answers exactly one compaction output item over WebSocket, on a continued conversation too', async () => {
    const socket = await harness.connect(`${emulator().openaiBaseUrl}/responses`, apiKeyHeaders(emulator()));
    socket.create({ model: 'gpt-5.4', store: false, input: userInput('hello') });
    const first = await socket.nextResponse();
    const id = responseOf(first.at(-1)).id;
    socket.create({ model: 'gpt-5.4', store: false, previous_response_id: id, input: [TRIGGER] });
    expectOneCompactionItem(await socket.nextResponse());
  });

  it('still plays fault scenarios', async () => {
    const { status } = await postResponses(
      `${emulator().openaiBaseUrl}/responses`,
      apiKeyHeaders(emulator()),
      {
        model: 'gpt-5.4',
        stream: true,
        input: [...userInput('[scenario:rate-limited] x'), TRIGGER],
      },
    );
    expect(status).toBe(429);
  });
});
