import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { trickyText } from './__fixtures__/arbitrary-text.js';
import { matchOutputTextDelta } from './output-text-delta-fast-path.js';

describe('matchOutputTextDelta', () => {
  it('reads the compact server shape', () => {
    const fields = { delta: '', outputIndex: -1, contentIndex: -1 };
    expect(
      matchOutputTextDelta(
        '{"type":"response.output_text.delta","sequence_number":12,"item_id":"msg_1","output_index":2,"content_index":10,"delta":"a\\"b\\u00e9","logprobs":[],"obfuscation":"Xy"}',
        fields,
      ),
    ).toBe(true);
    expect(fields).toEqual({ delta: 'a"bé', outputIndex: 2, contentIndex: 10 });
  });

  it('leaves any other shape to JSON.parse', () => {
    for (const data of [
      '{"type":"response.output_text.delta","delta":"a"}',
      '{"type": "response.output_text.delta","output_index":0,"content_index":0,"delta":"a"}',
      '{"type":"response.output_text.delta","output_index":01,"content_index":0,"delta":"a"}',
      '{"type":"response.output_text.delta","output_index":0,"content_index":0,"delta":"a\tb"}',
      '{"type":"response.output_text.delta","output_index":0,"content_index":0,"delta":"a\\x"}',
      '{"type":"response.output_text.delta","output_index":0,"content_index":0,"delta":"a"',
      '{"type":"response.output_text.delta","output_index":0,"content_index":0,"delta":"a","extra":1}',
    ]) {
      expect(matchOutputTextDelta(data, { delta: '', outputIndex: 0, contentIndex: 0 })).toBe(false);
    }
  });

  it('never accepts text JSON.parse rejects, and agrees with JSON.parse on what it accepts (property)', () => {
    const valid = fc
      .record({
        itemId: fc.option(fc.string({ maxLength: 6 }), { nil: undefined }),
        outputIndex: fc.nat({ max: 20 }),
        delta: trickyText,
      })
      .map(({ itemId, outputIndex, delta }) =>
        JSON.stringify({
          type: 'response.output_text.delta',
          item_id: itemId,
          output_index: outputIndex,
          content_index: 0,
          delta,
        }),
      );
    const mutated = fc
      .record({
        text: valid,
        at: fc.nat(),
        insert: fc.constantFrom('', '"', '\\', ',', '}', ' ', '\u0001', 'x'),
        remove: fc.nat({ max: 2 }),
      })
      .map(({ text, at, insert, remove }) => {
        const position = at % (text.length + 1);
        return text.slice(0, position) + insert + text.slice(position + remove);
      });
    fc.assert(
      fc.property(fc.oneof(valid, mutated), (data) => {
        const fields = { delta: '', outputIndex: 0, contentIndex: 0 };
        if (!matchOutputTextDelta(data, fields)) return;
        const parsed = JSON.parse(data) as Record<string, unknown>;
        expect(fields).toEqual({
          delta: parsed.delta,
          outputIndex: parsed.output_index,
          contentIndex: parsed.content_index,
        });
      }),
      { numRuns: 1000 },
    );
  });
});
