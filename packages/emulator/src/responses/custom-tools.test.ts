import { createResponsesEventParser, type StreamChunk } from '@codetether/responses-protocol';
import { describe, expect, it } from 'vitest';
import {
  apiKeyHeaders,
  chatgptHeaders,
  outputItems,
  outputText,
  postResponses,
  responseOf,
  userInput,
} from '../__fixtures__/emulator-client.js';
import { startEmulatorPerTest } from '../__fixtures__/emulator-per-test.js';

const APPLY_PATCH = {
  type: 'custom',
  name: 'apply_patch',
  description: 'Use the `apply_patch` tool to edit files.',
  format: { type: 'grammar', syntax: 'lark', definition: 'start: begin_patch hunk+ end_patch' },
};
const RUN_SQL = { type: 'custom', name: 'run_sql', description: 'Runs one SQL query.\nRead-only.' };
const LOOKUP = {
  type: 'function',
  name: 'lookup',
  strict: false,
  parameters: { type: 'object', properties: { city: { type: 'string' } } },
};
const PATCH =
  '*** Begin Patch\n*** Add File: hello.txt\n+Hello from the CodeTether emulator.\n*** End Patch\n';

describe('custom (freeform) tools', () => {
  const harness = startEmulatorPerTest();
  const emulator = () => harness.emulator;
  const post = (body: Record<string, unknown>) =>
    postResponses(`${emulator().openaiBaseUrl}/responses`, apiKeyHeaders(emulator()), {
      model: 'gpt-5.4',
      stream: true,
      input: userInput('[scenario:tool-call] patch it'),
      ...body,
    });

  it('tool-call calls a first custom tool with a custom_tool_call streamed as custom_tool_call_input events', async () => {
    const { events } = await post({ tools: [APPLY_PATCH, LOOKUP] });
    const callEvents = events.filter(
      (event) => event.type.startsWith('response.output_item') || event.type.includes('custom_tool_call'),
    );
    const added = callEvents[0];
    const addedItem = (added?.item ?? {}) as Record<string, unknown>;
    const itemId = String(addedItem.id);
    const callId = String(addedItem.call_id);
    expect(itemId).toMatch(/^ctc_/);
    expect(callId).toMatch(/^call_/);
    expect(added).toEqual({
      type: 'response.output_item.added',
      output_index: 0,
      sequence_number: 2,
      item: {
        id: itemId,
        type: 'custom_tool_call',
        status: 'in_progress',
        input: '',
        call_id: callId,
        name: 'apply_patch',
      },
    });
    const deltas = callEvents.filter((event) => event.type === 'response.custom_tool_call_input.delta');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.every((event) => event.item_id === itemId && event.output_index === 0)).toBe(true);
    expect(deltas.map((event) => event.delta).join('')).toBe(PATCH);
    expect(callEvents.at(-2)).toMatchObject({
      type: 'response.custom_tool_call_input.done',
      item_id: itemId,
      output_index: 0,
      input: PATCH,
    });
    const item = {
      id: itemId,
      type: 'custom_tool_call',
      status: 'completed',
      input: PATCH,
      call_id: callId,
      name: 'apply_patch',
    };
    expect(callEvents.at(-1)).toMatchObject({ type: 'response.output_item.done', item });
    expect(outputItems(events)).toEqual([item]);
    expect(outputText(events)).toBe('');
  });

  it("gives other custom tools a line quoting their description's first line", async () => {
    const { events } = await post({ tools: [RUN_SQL] });
    expect(outputItems(events)).toEqual([
      expect.objectContaining({
        type: 'custom_tool_call',
        name: 'run_sql',
        input: 'Input for run_sql: Runs one SQL query.',
      }),
    ]);
    const parallel = await post({
      input: userInput('[scenario:parallel-tool-calls] x'),
      tools: [LOOKUP, { type: 'custom', name: 'note' }],
    });
    expect(outputItems(parallel.events).map((item) => [item.type, item.name])).toEqual([
      ['function_call', 'lookup'],
      ['custom_tool_call', 'note'],
    ]);
    expect(outputItems(parallel.events)[1]?.input).toBe('Input for note (call 2).');
  });

  it('tool_choice {type:"custom", name} forces that custom tool; a kind mismatch is a 400', async () => {
    const forced = await post({
      input: userInput('just say hi'),
      tools: [LOOKUP, APPLY_PATCH],
      tool_choice: { type: 'custom', name: 'apply_patch' },
    });
    expect(outputItems(forced.events)).toEqual([
      expect.objectContaining({ type: 'custom_tool_call', input: PATCH }),
    ]);
    const required = await post({ input: userInput('hi'), tools: [RUN_SQL], tool_choice: 'required' });
    expect(outputItems(required.events)).toEqual([
      expect.objectContaining({ type: 'custom_tool_call', name: 'run_sql' }),
    ]);
    const mismatch = await post({
      tools: [LOOKUP, APPLY_PATCH],
      tool_choice: { type: 'custom', name: 'lookup' },
    });
    expect(mismatch).toMatchObject({
      status: 400,
      json: {
        error: { param: 'tool_choice', message: "Tool choice 'custom' not found in 'tools' parameter." },
      },
    });
    const asFunction = await post({
      tools: [APPLY_PATCH],
      tool_choice: { type: 'function', name: 'apply_patch' },
    });
    expect(asFunction.status).toBe(400);
  });

  it('answers a trailing custom_tool_call_output like function_call_output', async () => {
    const { events } = await post({
      input: [
        ...userInput('[scenario:tool-call] patch it'),
        { type: 'custom_tool_call', call_id: 'call_1', name: 'apply_patch', input: PATCH },
        { type: 'custom_tool_call_output', call_id: 'call_1', output: 'Done!' },
      ],
      tools: [APPLY_PATCH],
    });
    expect(outputText(events)).toBe('The tool returned: Done!. That completes the request.');
  });

  it('continues a custom tool call over a WebSocket with previous_response_id, and over HTTP with store', async () => {
    const socket = await harness.connect(
      `${emulator().chatgptBaseUrl}/responses`,
      chatgptHeaders(emulator()),
    );
    socket.create({
      model: 'gpt-5.4',
      input: userInput('[scenario:tool-call] patch it'),
      tools: [APPLY_PATCH],
    });
    const first = await socket.nextResponse();
    const call = outputItems(first)[0] ?? {};
    socket.create({
      model: 'gpt-5.4',
      previous_response_id: responseOf(first.at(-1)).id,
      input: [
        { type: 'custom_tool_call_output', call_id: call.call_id, output: 'Success. Updated hello.txt' },
      ],
      tools: [APPLY_PATCH],
    });
    expect(outputText(await socket.nextResponse())).toBe(
      'The tool returned: Success. Updated hello.txt. That completes the request.',
    );

    const stored = await post({ tools: [APPLY_PATCH], store: true });
    const storedCall = outputItems(stored.events)[0] ?? {};
    const next = await post({
      previous_response_id: responseOf(stored.events.at(-1)).id,
      input: [
        {
          type: 'custom_tool_call_output',
          call_id: storedCall.call_id,
          output: [{ type: 'input_text', text: 'ok' }],
        },
      ],
      tools: [APPLY_PATCH],
    });
    expect(outputText(next.events)).toBe('The tool returned: ok. That completes the request.');
  });

  it("reads as tool-call chunks with responses-protocol's parser (call id, input as the arguments)", async () => {
    const { events } = await post({ tools: [APPLY_PATCH] });
    const parser = createResponsesEventParser();
    const chunks: StreamChunk[] = events.flatMap((event) => parser.feed(event));
    chunks.push(...parser.end());
    const callId = String(outputItems(events)[0]?.call_id);
    expect(chunks[0]).toEqual({ type: 'tool-call-start', id: callId, name: 'apply_patch' });
    const input = chunks
      .map((chunk) => (chunk.type === 'tool-call-delta' ? chunk.argumentsDelta : ''))
      .join('');
    expect(input).toBe(PATCH);
    expect(chunks.filter((chunk) => chunk.type === 'tool-call-end')).toEqual([
      { type: 'tool-call-end', id: callId },
    ]);
    expect(chunks.at(-1)).toMatchObject({
      type: 'done',
      finishReason: 'tool-calls',
      outputItems: [expect.objectContaining({ type: 'custom_tool_call', input: PATCH })],
    });
  });
});
