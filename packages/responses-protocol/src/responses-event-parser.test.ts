import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { streamFixtures } from './__fixtures__/fixtures.js';
import { createReferenceFraming } from './__fixtures__/reference-parser.js';
import { isKnownResponsesEventType } from './events/stream-event.js';
import { createResponsesEventParser } from './responses-event-parser.js';
import type { StreamChunk } from './stream-chunk.js';

/** The chunks of `events`, in full. */
function reduceWithItems(events: unknown[], options: { end?: boolean } = {}): StreamChunk[] {
  const parser = createResponsesEventParser();
  const chunks = events.flatMap((event) => parser.feed(event));
  if (options.end !== false) chunks.push(...parser.end());
  return chunks;
}

/**
 * The chunks of `events`, without the `done` chunk's `outputItems` (the whole items are tested in
 * "event reducer: response id and output items"; the other tests are about the streamed chunks).
 */
function reduce(events: unknown[], options: { end?: boolean } = {}): StreamChunk[] {
  return reduceWithItems(events, options).map((chunk) => {
    if (chunk.type !== 'done' || chunk.outputItems === undefined) return chunk;
    const { outputItems: _items, ...rest } = chunk;
    return rest;
  });
}

/** Where the first content part of the first output item is: `item_id`, `output_index` 0, `content_index` 0. */
const firstPart = (itemId = 'msg_1') => ({ item_id: itemId, output_index: 0, content_index: 0 });
const completed = (response: Record<string, unknown> = {}) => ({
  type: 'response.completed',
  response: { status: 'completed', ...response },
});
const functionCall = (id: string, callId: string, name: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'function_call',
  call_id: callId,
  name,
  arguments: '',
  ...extra,
});

describe('event reducer: text, refusal and reasoning', () => {
  it('emits text deltas, and from .done only what deltas did not already emit', () => {
    expect(
      reduce([
        { type: 'response.output_text.delta', ...firstPart(), delta: 'Hel' },
        { type: 'response.output_text.done', ...firstPart(), text: 'Hello' },
        { type: 'response.content_part.done', ...firstPart(), part: { type: 'output_text', text: 'Hello' } },
        {
          type: 'response.output_item.done',
          output_index: 0,
          item: { id: 'msg_1', type: 'message', content: [{ type: 'output_text', text: 'Hello' }] },
        },
        completed({
          output: [{ id: 'msg_1', type: 'message', content: [{ type: 'output_text', text: 'Hello' }] }],
        }),
      ]),
    ).toEqual([
      { type: 'text', text: 'Hel' },
      { type: 'text', text: 'lo' },
      { type: 'done', finishReason: 'stop' },
    ]);
  });

  it('correlates text by output_index when the item id changes between deltas and .done', () => {
    expect(
      reduce([
        { type: 'response.output_text.delta', ...firstPart('msg_a'), delta: 'Hi' },
        { type: 'response.output_text.done', ...firstPart('msg_b'), text: 'Hi' },
        {
          type: 'response.output_item.done',
          output_index: 0,
          item: { id: 'msg_b', type: 'message', content: [{ type: 'output_text', text: 'Hi' }] },
        },
        completed(),
      ]),
    ).toEqual([
      { type: 'text', text: 'Hi' },
      { type: 'done', finishReason: 'stop' },
    ]);
  });

  it('takes text that only appears in the completed response output', () => {
    expect(
      reduce([
        completed({
          output: [
            { type: 'reasoning', summary: [{ type: 'summary_text', text: 'Thought.' }] },
            { id: 'msg_1', type: 'message', content: [{ type: 'output_text', text: 'Answer.' }] },
          ],
        }),
      ]),
    ).toEqual([
      { type: 'thinking', text: 'Thought.' },
      { type: 'text', text: 'Answer.' },
      { type: 'done', finishReason: 'stop' },
    ]);
  });

  it('surfaces a refusal as text and finishes with content-filter', () => {
    expect(
      reduce([
        { type: 'response.refusal.delta', ...firstPart(), delta: "I can't" },
        { type: 'response.refusal.done', ...firstPart(), refusal: "I can't help." },
        completed(),
      ]),
    ).toEqual([
      { type: 'text', text: "I can't" },
      { type: 'text', text: ' help.' },
      { type: 'done', finishReason: 'content-filter' },
    ]);
  });

  it('reports reasoning summary and raw reasoning text as thinking, parts separated by a blank line', () => {
    expect(
      reduce([
        {
          type: 'response.reasoning_summary_text.delta',
          item_id: 'rs_1',
          output_index: 0,
          summary_index: 0,
          delta: 'A',
        },
        {
          type: 'response.reasoning_summary_text.done',
          item_id: 'rs_1',
          output_index: 0,
          summary_index: 0,
          text: 'AB',
        },
        {
          type: 'response.reasoning_summary_text.delta',
          item_id: 'rs_1',
          output_index: 0,
          summary_index: 1,
          delta: 'C',
        },
        { type: 'response.reasoning_text.delta', ...firstPart('rs_1'), delta: 'raw' },
        completed(),
      ]),
    ).toEqual([
      { type: 'thinking', text: 'A' },
      { type: 'thinking', text: 'B' },
      { type: 'thinking', text: '\n\n' },
      { type: 'thinking', text: 'C' },
      { type: 'thinking', text: '\n\n' },
      { type: 'thinking', text: 'raw' },
      { type: 'done', finishReason: 'stop' },
    ]);
  });
});

describe('event reducer: tool calls', () => {
  it('reports the call_id (not the item id) and every argument byte once across deltas, .done and item.done', () => {
    const chunks = reduce([
      { type: 'response.output_item.added', output_index: 0, item: functionCall('fc_1', 'call_1', 'run') },
      { type: 'response.function_call_arguments.delta', item_id: 'fc_1', output_index: 0, delta: '{"a"' },
      { type: 'response.function_call_arguments.delta', item_id: 'fc_1', output_index: 0, delta: ':1' },
      {
        type: 'response.function_call_arguments.done',
        item_id: 'fc_1',
        output_index: 0,
        arguments: '{"a":1}',
      },
      {
        type: 'response.output_item.done',
        output_index: 0,
        item: functionCall('fc_1', 'call_1', 'run', { arguments: '{"a":1}' }),
      },
      completed({ output: [functionCall('fc_1', 'call_1', 'run', { arguments: '{"a":1}' })] }),
    ]);
    expect(chunks).toEqual([
      { type: 'tool-call-start', id: 'call_1', name: 'run' },
      { type: 'tool-call-delta', id: 'call_1', argumentsDelta: '{"a"' },
      { type: 'tool-call-delta', id: 'call_1', argumentsDelta: ':1' },
      { type: 'tool-call-delta', id: 'call_1', argumentsDelta: '}' },
      { type: 'tool-call-end', id: 'call_1' },
      { type: 'done', finishReason: 'tool-calls' },
    ]);
  });

  it('keeps the first call_id when output_item.done reports another one', () => {
    const chunks = reduce([
      {
        type: 'response.output_item.added',
        output_index: 0,
        item: functionCall('fc_1', 'call_first', 'run'),
      },
      {
        type: 'response.output_item.done',
        output_index: 0,
        item: functionCall('fc_1', 'call_second', 'run', { arguments: '{}' }),
      },
      completed(),
    ]);
    expect(chunks.filter((chunk) => 'id' in chunk).map((chunk) => (chunk as { id: string }).id)).toEqual([
      'call_first',
      'call_first',
      'call_first',
    ]);
  });

  it('takes arguments that only appear in the completed response output, once', () => {
    expect(
      reduce([completed({ output: [functionCall('fc_9', 'call_9', 'look', { arguments: '{"q":1}' })] })]),
    ).toEqual([
      { type: 'tool-call-start', id: 'call_9', name: 'look' },
      { type: 'tool-call-delta', id: 'call_9', argumentsDelta: '{"q":1}' },
      { type: 'tool-call-end', id: 'call_9' },
      { type: 'done', finishReason: 'tool-calls' },
    ]);
  });

  it('buffers argument deltas that arrive before the call is announced', () => {
    expect(
      reduce([
        { type: 'response.function_call_arguments.delta', item_id: 'fc_1', output_index: 0, delta: '{"x"' },
        { type: 'response.output_item.added', output_index: 0, item: functionCall('fc_1', 'call_1', 'f') },
        { type: 'response.function_call_arguments.delta', item_id: 'fc_1', output_index: 0, delta: ':2}' },
        completed(),
      ]),
    ).toEqual([
      { type: 'tool-call-start', id: 'call_1', name: 'f' },
      { type: 'tool-call-delta', id: 'call_1', argumentsDelta: '{"x"' },
      { type: 'tool-call-delta', id: 'call_1', argumentsDelta: ':2}' },
      { type: 'tool-call-end', id: 'call_1' },
      { type: 'done', finishReason: 'tool-calls' },
    ]);
  });

  it.each([
    ['longer', '{"a": 1}'],
    ['shorter', '{"a":}'],
    ['the same length', '{"b":1}'],
  ])(
    'never emits arguments twice when the final arguments disagree with the streamed ones (%s)',
    (_, final) => {
      const chunks = reduce([
        { type: 'response.output_item.added', output_index: 0, item: functionCall('fc_1', 'call_1', 'f') },
        { type: 'response.function_call_arguments.delta', item_id: 'fc_1', output_index: 0, delta: '{"a"' },
        { type: 'response.function_call_arguments.delta', item_id: 'fc_1', output_index: 0, delta: ':1}' },
        { type: 'response.function_call_arguments.done', item_id: 'fc_1', output_index: 0, arguments: final },
        {
          type: 'response.output_item.done',
          output_index: 0,
          item: functionCall('fc_1', 'call_1', 'f', { arguments: final }),
        },
        completed(),
      ]);
      expect(chunks.filter((chunk) => chunk.type === 'tool-call-delta')).toEqual([
        { type: 'tool-call-delta', id: 'call_1', argumentsDelta: '{"a"' },
        { type: 'tool-call-delta', id: 'call_1', argumentsDelta: ':1}' },
      ]);
    },
  );

  it('adds the rest of final arguments that extend the deltas that went out, once', () => {
    const chunks = reduce([
      { type: 'response.output_item.added', output_index: 0, item: functionCall('fc_1', 'call_1', 'f') },
      { type: 'response.function_call_arguments.delta', item_id: 'fc_1', output_index: 0, delta: '{"a"' },
      { type: 'response.function_call_arguments.delta', item_id: 'fc_1', output_index: 0, delta: ':1' },
      {
        type: 'response.function_call_arguments.done',
        item_id: 'fc_1',
        output_index: 0,
        arguments: '{"a":1,"b":2}',
      },
      {
        type: 'response.output_item.done',
        output_index: 0,
        item: functionCall('fc_1', 'call_1', 'f', { arguments: '{"a":1,"b":2,"c":3}' }),
      },
      completed(),
    ]);
    expect(chunks.filter((chunk) => chunk.type === 'tool-call-delta')).toEqual([
      { type: 'tool-call-delta', id: 'call_1', argumentsDelta: '{"a"' },
      { type: 'tool-call-delta', id: 'call_1', argumentsDelta: ':1' },
      { type: 'tool-call-delta', id: 'call_1', argumentsDelta: ',"b":2}' },
    ]);
  });

  it('handles custom tool calls (free-form input)', () => {
    expect(
      reduce([
        {
          type: 'response.output_item.added',
          output_index: 0,
          item: { id: 'ctc_1', type: 'custom_tool_call', call_id: 'call_c', name: 'apply_patch', input: '' },
        },
        {
          type: 'response.custom_tool_call_input.delta',
          item_id: 'ctc_1',
          output_index: 0,
          delta: '*** Begin',
        },
        {
          type: 'response.custom_tool_call_input.done',
          item_id: 'ctc_1',
          output_index: 0,
          input: '*** Begin Patch',
        },
        completed(),
      ]),
    ).toEqual([
      { type: 'tool-call-start', id: 'call_c', name: 'apply_patch' },
      { type: 'tool-call-delta', id: 'call_c', argumentsDelta: '*** Begin' },
      { type: 'tool-call-delta', id: 'call_c', argumentsDelta: ' Patch' },
      { type: 'tool-call-end', id: 'call_c' },
      { type: 'done', finishReason: 'tool-calls' },
    ]);
  });

  it('keeps the arguments of interleaved parallel calls apart (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ call: fc.integer({ min: 0, max: 2 }), text: fc.string({ maxLength: 4 }) }), {
          maxLength: 30,
        }),
        fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
        (pieces, sendDone) => {
          const events: unknown[] = [0, 1, 2].map((index) => ({
            type: 'response.output_item.added',
            output_index: index,
            item: functionCall(`fc_${index}`, `call_${index}`, `tool_${index}`),
          }));
          const full = ['', '', ''];
          for (const { call, text } of pieces) {
            full[call] += text;
            events.push({
              type: 'response.function_call_arguments.delta',
              item_id: `fc_${call}`,
              output_index: call,
              delta: text,
            });
          }
          for (const index of [2, 0, 1]) {
            if (sendDone[index]) {
              events.push({
                type: 'response.function_call_arguments.done',
                item_id: `fc_${index}`,
                output_index: index,
                arguments: `${full[index]}!`,
              });
              full[index] += '!';
            }
            events.push({
              type: 'response.output_item.done',
              output_index: index,
              item: functionCall(`fc_${index}`, `call_${index}`, `tool_${index}`, { arguments: full[index] }),
            });
          }
          events.push(completed());
          const chunks = reduce(events);
          for (const index of [0, 1, 2]) {
            const id = `call_${index}`;
            const mine = chunks.filter((chunk) => 'id' in chunk && chunk.id === id);
            expect(mine[0]).toEqual({ type: 'tool-call-start', id, name: `tool_${index}` });
            expect(mine.at(-1)).toEqual({ type: 'tool-call-end', id });
            const text = mine
              .map((chunk) => (chunk.type === 'tool-call-delta' ? chunk.argumentsDelta : ''))
              .join('');
            expect(text).toBe(full[index]);
          }
          expect(chunks.at(-1)).toEqual({ type: 'done', finishReason: 'tool-calls' });
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('event reducer: endings', () => {
  it('reports usage with cached and reasoning tokens, without validating the total', () => {
    const usage = {
      input_tokens: 100,
      input_tokens_details: { cached_tokens: 60 },
      output_tokens: 30,
      output_tokens_details: { reasoning_tokens: 20 },
      total_tokens: 999,
    };
    expect(reduce([completed({ usage })])).toEqual([
      {
        type: 'done',
        finishReason: 'stop',
        usage: {
          promptTokens: 40,
          completionTokens: 30,
          totalTokens: 999,
          cacheReadTokens: 60,
          reasoningTokens: 20,
        },
      },
    ]);
  });

  it('maps incomplete responses to length or content-filter', () => {
    const incomplete = (reason: string) => ({
      type: 'response.incomplete',
      response: { status: 'incomplete', incomplete_details: { reason } },
    });
    expect(reduce([incomplete('max_output_tokens')])).toEqual([{ type: 'done', finishReason: 'length' }]);
    expect(reduce([incomplete('content_filter')])).toEqual([
      { type: 'done', finishReason: 'content-filter' },
    ]);
  });

  it('turns failed and cancelled responses into errors', () => {
    expect(
      reduce([
        {
          type: 'response.failed',
          response: { status: 'failed', error: { code: 'rate_limit_exceeded', message: 'Slow down.' } },
        },
      ]),
    ).toEqual([{ type: 'error', code: 'rate_limit_exceeded', message: 'Slow down.' }]);
    expect(reduce([{ type: 'response.failed', response: {} }])).toEqual([
      { type: 'error', code: 'response-failed', message: expect.stringContaining('failed') },
    ]);
    expect(reduce([{ type: 'response.cancelled', response: { status: 'cancelled' } }])).toEqual([
      { type: 'error', code: 'response-cancelled', message: expect.stringContaining('cancelled') },
    ]);
  });

  it('accepts response.done as a terminal event and ignores it while in progress', () => {
    expect(
      reduce([
        { type: 'response.done', response: { status: 'in_progress' } },
        { type: 'response.done', response: { status: 'completed' } },
      ]),
    ).toEqual([{ type: 'done', finishReason: 'stop' }]);
    expect(
      reduce([{ type: 'response.done', response: { status: 'failed', error: { message: 'Boom' } } }]),
    ).toEqual([{ type: 'error', code: 'response-failed', message: 'Boom' }]);
  });

  it('accepts both error event shapes', () => {
    expect(reduce([{ type: 'error', code: 'invalid_prompt', message: 'Bad prompt.', param: null }])).toEqual([
      { type: 'error', code: 'invalid_prompt', message: 'Bad prompt.' },
    ]);
    expect(
      reduce([
        {
          type: 'error',
          error: { type: 'usage_limit_reached', message: 'Limit reached.' },
          status_code: 429,
        },
      ]),
    ).toEqual([{ type: 'error', code: 'usage_limit_reached', message: 'Limit reached.' }]);
    expect(reduce([{ type: 'error' }])).toEqual([
      { type: 'error', code: 'server-error', message: expect.stringContaining('without a message') },
    ]);
  });

  it('ends with "stream closed before completion" when no terminal event arrived', () => {
    const parser = createResponsesEventParser();
    expect(parser.feed({ type: 'response.output_text.delta', output_index: 0, delta: 'Hi' })).toEqual([
      { type: 'text', text: 'Hi' },
    ]);
    const [chunk] = parser.end();
    expect(chunk).toMatchObject({ type: 'error', code: 'stream-closed' });
    expect(chunk?.type === 'error' && chunk.message.startsWith('stream closed before completion')).toBe(true);
    expect(parser.end()).toEqual([]);
  });

  it('produces nothing after a terminal event', () => {
    const parser = createResponsesEventParser();
    parser.feed(completed());
    expect(parser.feed({ type: 'response.output_text.delta', delta: 'late' })).toEqual([]);
    expect(parser.feed({ type: 'error', message: 'late' })).toEqual([]);
    expect(parser.end()).toEqual([]);
  });
});

describe('event reducer: unknown and invalid input', () => {
  it('ignores unknown event types, keepalives and hosted-tool status events', () => {
    expect(
      reduce(
        [
          { type: 'keepalive' },
          { type: 'response.created', response: {} },
          { type: 'response.web_search_call.searching', item_id: 'ws_1', output_index: 0 },
          { type: 'response.brand_new_thing', whatever: [1, { a: null }] },
        ],
        { end: false },
      ),
    ).toEqual([]);
  });

  it('reports a value that is not an event as a non-fatal invalid-event error', () => {
    const parser = createResponsesEventParser();
    for (const value of [null, 3, 'text', [], { type: 5 }]) {
      expect(parser.feed(value)).toEqual([
        { type: 'error', code: 'invalid-event', message: expect.any(String) },
      ]);
    }
    expect(parser.feed({ type: 'response.output_text.delta', delta: 7 })).toEqual([
      { type: 'error', code: 'invalid-event', message: expect.stringContaining('delta') },
    ]);
    expect(parser.feed(completed())).toEqual([{ type: 'done', finishReason: 'stop' }]);
  });

  it('turns a forwarded decoder error into a non-fatal error chunk', () => {
    const parser = createResponsesEventParser();
    expect(
      parser.feed({ type: 'codetether.malformed_event', code: 'malformed-json', message: 'Bad JSON.' }),
    ).toEqual([
      {
        type: 'error',
        code: 'malformed-json',
        message: 'Bad JSON. The event was skipped and the stream goes on.',
      },
    ]);
    expect(parser.feed(completed())).toEqual([{ type: 'done', finishReason: 'stop' }]);
  });

  it('never throws, whatever the events contain (property)', () => {
    const knownTypes = [
      'response.output_text.delta',
      'response.output_text.done',
      'response.refusal.delta',
      'response.refusal.done',
      'response.content_part.done',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.reasoning_text.delta',
      'response.reasoning_text.done',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.custom_tool_call_input.delta',
      'response.custom_tool_call_input.done',
      'response.output_item.added',
      'response.output_item.done',
      'response.completed',
      'response.done',
      'response.failed',
      'response.cancelled',
      'response.incomplete',
      'error',
      'codetether.malformed_event',
    ];
    expect(knownTypes.every((type) => isKnownResponsesEventType(type))).toBe(true);
    const value = fc.oneof(
      fc.constant(undefined),
      fc.integer({ min: -1, max: 3 }),
      fc.string({ maxLength: 4 }),
      fc.constantFrom('function_call', 'message', 'reasoning', 'custom_tool_call', 'output_text', 'failed'),
      fc.anything({ maxDepth: 2 }),
    );
    const fields = [
      'delta',
      'text',
      'item_id',
      'output_index',
      'content_index',
      'summary_index',
      'arguments',
      'name',
      'call_id',
      'input',
      'refusal',
      'code',
      'message',
    ];
    const record = fc.dictionary(fc.constantFrom(...fields), value);
    const item = fc.record({
      type: value,
      id: value,
      call_id: value,
      name: value,
      arguments: value,
      content: fc.array(fc.record({ type: value, text: value }), { maxLength: 2 }),
    });
    const event = fc
      .tuple(
        fc.constantFrom(...knownTypes),
        record,
        fc.option(item),
        fc.option(
          fc.record({ status: value, output: fc.array(item, { maxLength: 2 }), usage: value, error: value }),
        ),
      )
      .map(([type, rest, itemValue, response]) => ({ ...rest, type, item: itemValue, response }));
    fc.assert(
      fc.property(fc.array(fc.oneof(event, fc.anything({ maxDepth: 2 })), { maxLength: 25 }), (events) => {
        const chunks = reduce(events);
        const terminals = chunks.filter(
          (chunk) =>
            chunk.type === 'done' ||
            (chunk.type === 'error' && chunk.code !== 'invalid-event' && chunk.code !== 'malformed-json'),
        );
        expect(terminals).toHaveLength(1);
        expect(chunks.at(-1)).toBe(terminals[0]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('event reducer: exactly-once arguments and mid-stream errors', () => {
  it('emits every argument byte exactly once, wherever the arguments appear (property)', () => {
    const scenario = fc.record({
      kind: fc.constantFrom('function_call', 'custom_tool_call'),
      full: fc.string({ maxLength: 30 }),
      cuts: fc.uniqueArray(fc.nat({ max: 30 }), { maxLength: 5 }),
      streamedPrefix: fc.nat({ max: 30 }),
      withArgumentsDone: fc.boolean(),
      withItemDone: fc.boolean(),
      withFinalOutput: fc.boolean(),
    });
    fc.assert(
      fc.property(scenario, (s) => {
        const custom = s.kind === 'custom_tool_call';
        const streamed = s.full.slice(0, s.streamedPrefix);
        const points = [
          0,
          ...s.cuts.filter((cut) => cut < streamed.length).sort((a, b) => a - b),
          streamed.length,
        ];
        const item = (full: string) => ({
          id: 'item_1',
          type: s.kind,
          call_id: 'call_1',
          name: 'tool',
          ...(custom ? { input: full } : { arguments: full }),
        });
        const events: unknown[] = [{ type: 'response.output_item.added', output_index: 0, item: item('') }];
        for (let index = 1; index < points.length; index += 1) {
          events.push({
            type: custom ? 'response.custom_tool_call_input.delta' : 'response.function_call_arguments.delta',
            item_id: 'item_1',
            output_index: 0,
            delta: streamed.slice(points[index - 1], points[index]),
          });
        }
        if (s.withArgumentsDone) {
          events.push(
            custom
              ? {
                  type: 'response.custom_tool_call_input.done',
                  item_id: 'item_1',
                  output_index: 0,
                  input: s.full,
                }
              : {
                  type: 'response.function_call_arguments.done',
                  item_id: 'item_1',
                  output_index: 0,
                  arguments: s.full,
                },
          );
        }
        if (s.withItemDone)
          events.push({ type: 'response.output_item.done', output_index: 0, item: item(s.full) });
        events.push(completed(s.withFinalOutput ? { output: [item(s.full)] } : {}));
        const chunks = reduce(events);
        const received = chunks
          .filter((chunk) => chunk.type === 'tool-call-delta')
          .map((chunk) => (chunk.type === 'tool-call-delta' ? chunk.argumentsDelta : ''))
          .join('');
        const knowsFull = s.withArgumentsDone || s.withItemDone || s.withFinalOutput;
        expect(received).toBe(knowsFull ? s.full : streamed);
        expect(chunks.filter((chunk) => chunk.type === 'tool-call-start')).toHaveLength(1);
        expect(chunks.filter((chunk) => chunk.type === 'tool-call-end')).toHaveLength(1);
        expect(chunks.at(-1)).toEqual({ type: 'done', finishReason: 'tool-calls' });
      }),
      { numRuns: 200 },
    );
  });

  it('takes a custom tool call whose input only appears in output_item.done, once', () => {
    const call = { id: 'ctc_1', type: 'custom_tool_call', call_id: 'call_p', name: 'apply_patch' };
    expect(
      reduce([
        { type: 'response.output_item.added', output_index: 0, item: { ...call, input: '' } },
        { type: 'response.output_item.done', output_index: 0, item: { ...call, input: '*** Begin Patch' } },
        completed({ output: [{ ...call, input: '*** Begin Patch' }] }),
      ]),
    ).toEqual([
      { type: 'tool-call-start', id: 'call_p', name: 'apply_patch' },
      { type: 'tool-call-delta', id: 'call_p', argumentsDelta: '*** Begin Patch' },
      { type: 'tool-call-end', id: 'call_p' },
      { type: 'done', finishReason: 'tool-calls' },
    ]);
  });

  it('ends with the error of an error event in the middle of text and a tool call', () => {
    const parser = createResponsesEventParser();
    const chunks = [
      ...parser.feed({
        type: 'response.output_text.delta',
        output_index: 0,
        content_index: 0,
        delta: 'Part',
      }),
      ...parser.feed({
        type: 'response.output_item.added',
        output_index: 1,
        item: functionCall('fc_1', 'call_1', 'f'),
      }),
      ...parser.feed({
        type: 'response.function_call_arguments.delta',
        item_id: 'fc_1',
        output_index: 1,
        delta: '{"a"',
      }),
      ...parser.feed({ type: 'keepalive' }),
      ...parser.feed({
        type: 'error',
        error: { type: 'server_error', code: 'server_is_overloaded', message: 'Overloaded, retry later.' },
      }),
    ];
    expect(chunks).toEqual([
      { type: 'text', text: 'Part' },
      { type: 'tool-call-start', id: 'call_1', name: 'f' },
      { type: 'tool-call-delta', id: 'call_1', argumentsDelta: '{"a"' },
      { type: 'error', code: 'server_is_overloaded', message: 'Overloaded, retry later.' },
    ]);
    expect(parser.feed({ type: 'response.failed', response: { status: 'failed' } })).toEqual([]);
    expect(parser.feed({ type: 'response.output_text.delta', output_index: 0, delta: 'late' })).toEqual([]);
    expect(parser.end()).toEqual([]);
  });

  it('reports the message and code of a cancelled or failed response after partial output', () => {
    expect(
      reduce([
        { type: 'response.output_text.delta', output_index: 0, delta: 'Hal' },
        {
          type: 'response.cancelled',
          response: {
            status: 'cancelled',
            error: { code: 'user_cancelled', message: 'Cancelled by the user.' },
          },
        },
      ]),
    ).toEqual([
      { type: 'text', text: 'Hal' },
      { type: 'error', code: 'user_cancelled', message: 'Cancelled by the user.' },
    ]);
    expect(
      reduce([
        {
          type: 'response.failed',
          response: { status: 'failed', error: { type: 'server_error', message: '' } },
        },
      ]),
    ).toEqual([{ type: 'error', code: 'server_error', message: expect.stringContaining('failed') }]);
  });
});

describe('event reducer: events that name only their item', () => {
  it('correlates text deltas without output_index with the announced item, so .done adds nothing twice', () => {
    const message = { id: 'msg_1', type: 'message', role: 'assistant', content: [] };
    const done = { ...message, content: [{ type: 'output_text', text: 'Hello there' }] };
    expect(
      reduce([
        { type: 'response.output_item.added', output_index: 0, item: message },
        { type: 'response.output_text.delta', item_id: 'msg_1', content_index: 0, delta: 'Hello' },
        { type: 'response.output_text.delta', item_id: 'msg_1', content_index: 0, delta: ' the' },
        { type: 'response.output_item.done', output_index: 0, item: done },
        completed({ output: [done] }),
      ]),
    ).toEqual([
      { type: 'text', text: 'Hello' },
      { type: 'text', text: ' the' },
      { type: 'text', text: 're' },
      { type: 'done', finishReason: 'stop' },
    ]);
  });

  it('does the same for reasoning summary deltas that name only their item', () => {
    const reasoning = { id: 'rs_1', type: 'reasoning', summary: [] };
    expect(
      reduce([
        { type: 'response.output_item.added', output_index: 0, item: reasoning },
        { type: 'response.reasoning_summary_text.delta', item_id: 'rs_1', summary_index: 0, delta: 'Think' },
        {
          type: 'response.output_item.done',
          output_index: 0,
          item: { ...reasoning, summary: [{ type: 'summary_text', text: 'Thinking' }] },
        },
        completed(),
      ]),
    ).toEqual([
      { type: 'thinking', text: 'Think' },
      { type: 'thinking', text: 'ing' },
      { type: 'done', finishReason: 'stop' },
    ]);
  });
});

describe('event reducer: response id and output items', () => {
  const reasoning = {
    id: 'rs_1',
    type: 'reasoning',
    summary: [{ type: 'summary_text', text: 'Plan' }],
    encrypted_content: 'gAAAAAB-sealed',
  };
  const message = {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    content: [{ type: 'output_text', text: 'Hi' }],
  };
  const call = functionCall('fc_1', 'call_1', 'lookup', { arguments: '{}' });

  it('puts the response id and every finished item, in output order, on done', () => {
    const chunks = reduceWithItems([
      { type: 'response.created', response: { id: 'resp_1', status: 'in_progress' } },
      { type: 'response.output_item.done', output_index: 1, item: message },
      { type: 'response.output_item.done', output_index: 0, item: reasoning },
      completed({ id: 'resp_1', output: [] }),
    ]);
    expect(chunks.at(-1)).toEqual({
      type: 'done',
      finishReason: 'stop',
      responseId: 'resp_1',
      outputItems: [reasoning, message],
    });
  });

  it('keeps encrypted_content of reasoning items exactly as sent', () => {
    const chunks = reduceWithItems([
      { type: 'response.output_item.done', output_index: 0, item: reasoning },
      completed({ id: 'resp_2' }),
    ]);
    const done = chunks.at(-1);
    expect(done?.type === 'done' ? done.outputItems?.[0]?.encrypted_content : undefined).toBe(
      'gAAAAAB-sealed',
    );
  });

  it('takes items only the final response lists, without repeating finished ones', () => {
    const chunks = reduceWithItems([
      { type: 'response.output_item.done', output_index: 0, item: reasoning },
      completed({ id: 'resp_3', output: [reasoning, call] }),
    ]);
    expect(chunks.at(-1)).toMatchObject({ responseId: 'resp_3', outputItems: [reasoning, call] });
  });

  it('remembers the id of response.created when the terminal event or [DONE] does not repeat it', () => {
    const parser = createResponsesEventParser();
    parser.feed({ type: 'response.in_progress', response: { id: 'resp_4', status: 'in_progress' } });
    expect(parser.feed({ type: 'response.completed', response: { status: 'completed' } })).toEqual([
      { type: 'done', finishReason: 'stop', responseId: 'resp_4' },
    ]);
  });

  it('leaves both out when the stream names no response and has no items', () => {
    expect(reduceWithItems([completed()])).toEqual([{ type: 'done', finishReason: 'stop' }]);
  });

  it('ignores an output that is not a list, and entries that are not objects', () => {
    expect(reduceWithItems([completed({ output: 'nope' })])).toEqual([
      { type: 'done', finishReason: 'stop' },
    ]);
    expect(reduceWithItems([completed({ output: [null, 3, message] })]).at(-1)).toMatchObject({
      outputItems: [message],
    });
  });
});

describe('createResponsesEventParser().feedJson (WebSocket text frames)', () => {
  /** The events of every recorded fixture, as the frames a WebSocket would carry. */
  const fixtureFrames = streamFixtures.map((fixture) => {
    const framing = createReferenceFraming();
    framing.feed(fixture.bytes);
    framing.end();
    return { name: fixture.name, frames: framing.events.map((event) => event.data) };
  });

  for (const { name, frames } of fixtureFrames) {
    it(`gives the same chunks as feed(JSON.parse(frame)) for ${name}`, () => {
      const byText = createResponsesEventParser();
      const byObject = createResponsesEventParser();
      const textChunks = [...frames.flatMap((frame) => byText.feedJson(frame)), ...byText.end()];
      const objectChunks: StreamChunk[] = [];
      for (const frame of frames) {
        let value: unknown;
        try {
          value = JSON.parse(frame);
        } catch {
          continue; // feedJson reports it as a malformed-json chunk instead: compared below
        }
        objectChunks.push(...byObject.feed(value));
      }
      objectChunks.push(...byObject.end());
      expect(textChunks.filter((chunk) => chunk.type !== 'error' || chunk.code !== 'malformed-json')).toEqual(
        objectChunks,
      );
    });
  }

  it('turns a frame that is not JSON into a malformed-json chunk and goes on', () => {
    const parser = createResponsesEventParser();
    expect(parser.feedJson('{"type":')).toEqual([
      { type: 'error', code: 'malformed-json', message: expect.stringContaining('not valid JSON') },
    ]);
    expect(
      parser.feedJson(
        '{"type":"response.output_text.delta","item_id":"m","output_index":0,"content_index":0,"delta":"ok"}',
      ),
    ).toEqual([{ type: 'text', text: 'ok' }]);
    expect(parser.feedJson('')).toEqual([]);
    expect(parser.feedJson('[1]')).toEqual([
      { type: 'error', code: 'invalid-event', message: expect.stringContaining('not an object') },
    ]);
  });

  it('returns every chunk of a frame in order, each frame in an array of its own', () => {
    const summaryDelta = (summaryIndex: number, sequenceNumber: number, delta: string) =>
      `{"type":"response.reasoning_summary_text.delta","sequence_number":${sequenceNumber},"item_id":"rs_1","output_index":0,"summary_index":${summaryIndex},"delta":"${delta}","obfuscation":"abc"}`;
    const parser = createResponsesEventParser();
    // Enough deltas of one part for the frequent-head path, then one of a new part: a paragraph
    // break, then its text.
    const firstPart = Array.from({ length: 20 }, (_, index) => parser.feedJson(summaryDelta(0, index, 'a')));
    expect(firstPart.flat()).toEqual(Array.from({ length: 20 }, () => ({ type: 'thinking', text: 'a' })));
    expect(new Set(firstPart).size).toBe(20);
    firstPart[0]?.push({ type: 'text', text: 'a caller may keep or change what it was given' });
    expect(parser.feedJson(summaryDelta(1, 20, 'b'))).toEqual([
      { type: 'thinking', text: '\n\n' },
      { type: 'thinking', text: 'b' },
    ]);
    expect(parser.feedJson(summaryDelta(1, 21, 'c'))).toEqual([{ type: 'thinking', text: 'c' }]);
  });

  it('keeps argument deltas that name no item, output index or call apart, as feed does', () => {
    const frames = [
      '{"type":"response.function_call_arguments.delta","delta":"a"}',
      '{"type":"response.function_call_arguments.delta","delta":"b"}',
      '{"type":"response.completed","response":{"status":"completed","output":[]}}',
    ];
    const byText = createResponsesEventParser();
    const byObject = createResponsesEventParser();
    const expected = frames.flatMap((frame) => byObject.feed(JSON.parse(frame)));
    expect(frames.flatMap((frame) => byText.feedJson(frame))).toEqual(expected);
    expect(expected.filter((chunk) => chunk.type === 'tool-call-start')).toHaveLength(2);
  });
});
