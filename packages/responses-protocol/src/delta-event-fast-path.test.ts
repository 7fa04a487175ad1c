import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deltaEventJson, deltaEventObject } from './__fixtures__/arbitrary-sse.js';
import { DeltaEventReader } from './delta-event-fast-path.js';

/** What the reducer reads of an event, taken from `JSON.parse`'s result. */
function fieldsOf(value: Record<string, unknown>) {
  return {
    head: {
      type: value.type,
      item_id: value.item_id,
      output_index: value.output_index,
      content_index: value.content_index,
      summary_index: value.summary_index,
    },
    delta: value.delta,
  };
}

function read(reader: DeltaEventReader, text: string, position = 0) {
  const delta = reader.read(text, position);
  return delta === undefined ? undefined : { head: { ...reader.head }, delta };
}

describe('DeltaEventReader', () => {
  it('reads the compact server shape of every hot delta type', () => {
    const reader = new DeltaEventReader('text');
    expect(
      read(
        reader,
        '{"type":"response.output_text.delta","sequence_number":12,"item_id":"msg_1","output_index":2,"content_index":10,"delta":"a\\"b\\u00e9\\n\\ud83d","logprobs":[],"obfuscation":"Xy"}',
      ),
    ).toEqual({
      head: {
        type: 'response.output_text.delta',
        item_id: 'msg_1',
        output_index: 2,
        content_index: 10,
        summary_index: undefined,
      },
      delta: 'a"bé\n\ud83d',
    });
    for (const type of [
      'response.function_call_arguments.delta',
      'response.custom_tool_call_input.delta',
      'response.reasoning_summary_text.delta',
      'response.reasoning_text.delta',
      'response.refusal.delta',
    ]) {
      expect(read(reader, `{"type":"${type}","item_id":"x","output_index":0,"delta":"d"}`)?.head.type).toBe(
        type,
      );
    }
  });

  it('leaves any other shape to JSON.parse', () => {
    const reader = new DeltaEventReader('text');
    for (const text of [
      '{"type": "response.output_text.delta","delta":"a"}',
      '{"type":"response.output_text.delta","output_index":01,"delta":"a"}',
      '{"type":"response.output_text.delta","output_index":-1,"delta":"a"}',
      '{"type":"response.output_text.delta","output_index":1.5,"delta":"a"}',
      '{"type":"response.output_text.delta","delta":"a\tb"}',
      '{"type":"response.output_text.delta","delta":"a\\x"}',
      '{"type":"response.output_text.delta","delta":"a"',
      '{"type":"response.output_text.delta","delta":"a","extra":1}',
      '{"type":"response.output_text.delta","delta":"a","delta":"b"}',
      '{"type":"response.output_text.delta","item_id":"a\\"b","delta":"a"}',
      '{"type":"response.output_text.done","delta":"a"}',
      '{"delta":"a","type":"response.output_text.delta"}',
      ' {"type":"response.output_text.delta","delta":"a"}',
    ]) {
      expect(read(reader, text), text).toBeUndefined();
    }
  });

  it('decodes every JSON escape as JSON.parse does (property)', () => {
    const reader = new DeltaEventReader('text');
    const escapedPiece = fc.oneof(
      fc.constantFrom('\\"', '\\\\', '\\/', '\\b', '\\f', '\\n', '\\r', '\\t', 'a', 'é', ' '),
      fc.integer({ min: 0, max: 0xffff }).map((unit) => `\\u${unit.toString(16).padStart(4, '0')}`),
      fc
        .integer({ min: 0, max: 0xffff })
        .map((unit) => `\\u${unit.toString(16).toUpperCase().padStart(4, '0')}`),
    );
    fc.assert(
      fc.property(fc.array(escapedPiece, { maxLength: 12 }), (pieces) => {
        const text = `{"type":"response.output_text.delta","output_index":0,"delta":"${pieces.join('')}"}`;
        expect(read(reader, text)?.delta).toBe((JSON.parse(text) as { delta: string }).delta);
      }),
      { numRuns: 500 },
    );
  });

  it('reads every compact delta event, exactly as JSON.parse does (property)', () => {
    const reader = new DeltaEventReader('text');
    fc.assert(
      fc.property(deltaEventObject, (event) => {
        const text = JSON.stringify(event);
        expect(read(reader, text)).toEqual(fieldsOf(JSON.parse(text) as Record<string, unknown>));
      }),
      { numRuns: 1000 },
    );
  });

  it('never accepts text JSON.parse rejects, and agrees with JSON.parse on what it accepts (property)', () => {
    const reader = new DeltaEventReader('text');
    fc.assert(
      fc.property(deltaEventJson, (text) => {
        const fields = read(reader, text);
        if (fields === undefined) return;
        expect(fields).toEqual(fieldsOf(JSON.parse(text) as Record<string, unknown>));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads a whole SSE event at a line start, and only a whole one (property)', () => {
    const reader = new DeltaEventReader('sse');
    fc.assert(
      fc.property(
        deltaEventObject,
        fc.constantFrom('', 'event: response.output_text.delta\n', 'event:response.refusal.delta\n'),
        fc.constantFrom('data: ', 'data:'),
        fc.string({ maxLength: 5 }),
        (event, eventLine, dataPrefix, before) => {
          const json = JSON.stringify(event);
          const sse = `${eventLine}${dataPrefix}${json}\n\n`;
          const text = `${before}${sse}next`;
          expect(read(reader, text, before.length)).toEqual(
            fieldsOf(JSON.parse(json) as Record<string, unknown>),
          );
          expect(reader.end).toBe(before.length + sse.length);
          // Without its blank line, or with CR line ends, it is left to line-by-line framing.
          expect(read(reader, `${eventLine}${dataPrefix}${json}\n`, 0)).toBeUndefined();
          expect(read(reader, `${dataPrefix}${json}\r\n\r\n`, 0)).toBeUndefined();
        },
      ),
      { numRuns: 500 },
    );
  });
});
