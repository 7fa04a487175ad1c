// Arbitrary SSE streams for the property tests: the pieces of SSE syntax that framing must get
// right (every line ending, comments, fields with and without a space or colon, multi-line data, a
// byte-order mark, multi-byte and invalid UTF-8) mixed with Responses events, the hot delta events
// in the exact compact shape the fast path reads and in shapes it must leave to JSON.parse.

import fc from 'fast-check';
import { trickyText } from './arbitrary-text.js';

const DELTA_TYPES = [
  'response.output_text.delta',
  'response.function_call_arguments.delta',
  'response.custom_tool_call_input.delta',
  'response.reasoning_summary_text.delta',
  'response.reasoning_text.delta',
  'response.refusal.delta',
] as const;

/** Ids and padding as servers write them: no character JSON would escape. */
const plainString = fc.stringMatching(/^[\w\-.~é日]{0,10}$/);

/**
 * An object with the fields of a delta event in the order servers write them (some left out).
 * `ids` says what the item id and obfuscation may hold: what servers send, or anything.
 */
function deltaEventObjectOf(ids: fc.Arbitrary<string>): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record(
      {
        type: fc.constantFrom(...DELTA_TYPES),
        sequence_number: fc.nat({ max: 100_000 }),
        item_id: fc.oneof(fc.constantFrom('msg_1', 'fc_1', 'rs_1', 'msg_2'), ids),
        output_index: fc.nat({ max: 3 }),
        content_index: fc.nat({ max: 2 }),
        summary_index: fc.nat({ max: 2 }),
        delta: trickyText,
        logprobs: fc.constant([]),
        obfuscation: ids,
      },
      { requiredKeys: ['type', 'delta'] },
    )
    .map((event) => {
      // JSON.stringify keeps insertion order: rebuild in the server's key order.
      const ordered: Record<string, unknown> = {};
      for (const key of [
        'type',
        'sequence_number',
        'item_id',
        'output_index',
        'content_index',
        'summary_index',
        'delta',
        'logprobs',
        'obfuscation',
      ]) {
        if (key in event) ordered[key] = event[key as keyof typeof event];
      }
      return ordered;
    });
}

/** A delta event in the compact server shape the fast path reads (some optional fields left out). */
export const deltaEventObject = deltaEventObjectOf(plainString);

/** JSON texts of delta events: mostly the compact shape, sometimes one the fast path must refuse. */
export const deltaEventJson: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: deltaEventObject.map((event) => JSON.stringify(event)) },
  {
    weight: 1,
    arbitrary: deltaEventObjectOf(fc.string({ maxLength: 6 })).map((event) => JSON.stringify(event)),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(deltaEventObject, fc.nat(), fc.constantFrom('', ' ', '"', '\\', ',', '}', '\u0001', 'x', '0'))
      .map(([event, at, insert]) => {
        const text = JSON.stringify(event);
        const position = at % (text.length + 1);
        return text.slice(0, position) + insert + text.slice(position);
      }),
  },
  { weight: 1, arbitrary: deltaEventObject.map((event) => JSON.stringify(event, null, 1)) },
);

/** Other events: lifecycle, `.done` repeats, errors, unknown types, non-objects, `[DONE]`. */
const otherEventJson: fc.Arbitrary<string> = fc.constantFrom(
  '{"type":"response.created","response":{"id":"resp_1","status":"in_progress","output":[]}}',
  '{"type":"response.output_item.added","output_index":0,"item":{"id":"fc_1","type":"function_call","call_id":"call_1","name":"f","arguments":""}}',
  '{"type":"response.output_item.added","output_index":1,"item":{"id":"msg_1","type":"message","content":[]}}',
  '{"type":"response.output_text.done","output_index":1,"content_index":0,"text":"hello there"}',
  '{"type":"response.function_call_arguments.done","item_id":"fc_1","output_index":0,"arguments":"{\\"a\\":1}"}',
  '{"type":"response.completed","response":{"status":"completed","output":[],"usage":{"input_tokens":3,"output_tokens":4,"total_tokens":7}}}',
  '{"type":"error","code":"server_error","message":"boom"}',
  '{"type":"keepalive"}',
  '{"type":"some.future.event","x":[1,2]}',
  '{}',
  '[1,2]',
  'not json',
  '[DONE]',
  '',
);

/** One SSE event as a server (or a broken proxy) might write it, lines joined with `newline`. */
const sseEvent: fc.Arbitrary<string> = fc
  .record({
    json: fc.oneof({ weight: 3, arbitrary: deltaEventJson }, { weight: 2, arbitrary: otherEventJson }),
    eventLine: fc.oneof(
      fc.constant(undefined),
      fc.constant('event: response.output_text.delta'),
      fc.constant('event: response.function_call_arguments.delta'),
      fc.constantFrom('event:keepalive', 'event:', 'event', 'event: x y', 'event: naïve 日本'),
    ),
    dataPrefix: fc.constantFrom('data: ', 'data:', 'data:  '),
    newline: fc.constantFrom('\n', '\n', '\n', '\r\n', '\r'),
    extraLines: fc.array(
      fc.constantFrom(': comment', 'id: 7', 'retry: 10', 'retry: x', 'foo: bar', 'data', 'data: more'),
      {
        maxLength: 2,
      },
    ),
    splitData: fc.boolean(),
  })
  .map(({ json, eventLine, dataPrefix, newline, extraLines, splitData }) => {
    const lines: string[] = [];
    if (eventLine !== undefined) lines.push(eventLine);
    lines.push(...extraLines);
    if (splitData && json.length > 2) {
      const half = Math.floor(json.length / 2);
      lines.push(`${dataPrefix}${json.slice(0, half)}`, `${dataPrefix}${json.slice(half)}`);
    } else {
      lines.push(`${dataPrefix}${json}`);
    }
    return `${lines.join(newline)}${newline}${newline}`;
  });

/** SSE text: events, with stray lines, blank lines and a possible byte-order mark between them. */
export const sseText: fc.Arbitrary<string> = fc
  .tuple(
    fc.boolean(),
    fc.array(
      fc.oneof(
        { weight: 6, arbitrary: sseEvent },
        {
          weight: 1,
          arbitrary: fc.constantFrom('\n', '\r', '\r\n', ': ping\n', 'data: x\n', 'event: y\n', 'é', '🙂'),
        },
        { weight: 1, arbitrary: trickyText },
      ),
      { maxLength: 12 },
    ),
  )
  .map(([byteOrderMark, parts]) => (byteOrderMark ? '\uFEFF' : '') + parts.join(''));

/** SSE bytes: the UTF-8 of {@link sseText}, sometimes with invalid UTF-8 bytes spliced in. */
export const sseBytes: fc.Arbitrary<Uint8Array> = fc
  .tuple(
    sseText,
    fc.array(
      fc.tuple(fc.nat(), fc.constantFrom([0xff], [0xc3], [0xe6, 0x97], [0xf0, 0x9f], [0x80], [0xef, 0xbb])),
      {
        maxLength: 2,
      },
    ),
  )
  .map(([text, insertions]) => {
    let bytes = new TextEncoder().encode(text);
    for (const [at, inserted] of insertions) {
      const position = at % (bytes.length + 1);
      const next = new Uint8Array(bytes.length + inserted.length);
      next.set(bytes.subarray(0, position));
      next.set(inserted, position);
      next.set(bytes.subarray(position), position + inserted.length);
      bytes = next;
    }
    return bytes;
  });
