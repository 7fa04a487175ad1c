import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { trickyText } from './__fixtures__/arbitrary-text.js';
import { streamFixtures } from './__fixtures__/fixtures.js';
import { cutOffsets, splitAt } from './__fixtures__/split-input.js';
import { createResponsesSseParser } from './responses-sse-parser.js';
import type { StreamChunk } from './stream-chunk.js';

/** Parses `input` fed in the pieces `cuts` makes of it, then ended. */
function parseInPieces(input: Uint8Array | string, cuts: readonly number[]): StreamChunk[] {
  const parser = createResponsesSseParser();
  return [...splitAt(input, cuts).flatMap((piece) => parser.feed(piece)), ...parser.end()];
}

/** Byte offsets that fall inside a multi-byte UTF-8 character or between a CR and an LF. */
function trickyOffsets(bytes: Uint8Array): number[] {
  const offsets: number[] = [];
  for (let index = 1; index < bytes.length; index += 1) {
    const byte = bytes[index]!;
    const isContinuation = (byte & 0xc0) === 0x80;
    if (isContinuation || (bytes[index - 1] === 0x0d && byte === 0x0a)) offsets.push(index);
  }
  return offsets;
}

describe('createResponsesSseParser on recorded-style fixtures', () => {
  for (const fixture of streamFixtures) {
    describe(fixture.name, () => {
      it('produces the expected chunks from the whole stream', () => {
        expect(parseInPieces(fixture.bytes, [])).toEqual(fixture.expected);
      });

      it('produces the same chunks when fed one byte at a time', () => {
        const cuts = Array.from({ length: fixture.bytes.length - 1 }, (_, index) => index + 1);
        expect(parseInPieces(fixture.bytes, cuts)).toEqual(fixture.expected);
      });

      it('produces the same chunks when split inside every multi-byte character and CR LF pair', () => {
        for (const offset of trickyOffsets(fixture.bytes)) {
          expect(parseInPieces(fixture.bytes, [offset])).toEqual(fixture.expected);
        }
      });

      it('produces the same chunks for any split of its bytes (property)', () => {
        fc.assert(
          fc.property(cutOffsets(fixture.bytes.length, 40), (cuts) => {
            expect(parseInPieces(fixture.bytes, cuts)).toEqual(fixture.expected);
          }),
          { numRuns: 150 },
        );
      });

      it('produces the same chunks when fed as text in any split', () => {
        const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(fixture.bytes);
        fc.assert(
          fc.property(cutOffsets(text.length, 20), (cuts) => {
            expect(parseInPieces(text, cuts)).toEqual(fixture.expected);
          }),
          { numRuns: 50 },
        );
      });
    });
  }

  it('covers every fixture the issue asks for', () => {
    expect(streamFixtures.map((fixture) => fixture.name)).toHaveLength(10);
  });
});

describe('createResponsesSseParser robustness', () => {
  it('never throws on random bytes, and ends with a terminal chunk', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), (pieces) => {
        const parser = createResponsesSseParser();
        const chunks: StreamChunk[] = [];
        for (const piece of pieces) chunks.push(...parser.feed(piece));
        chunks.push(...parser.end());
        const last = chunks.at(-1);
        expect(last?.type === 'done' || last?.type === 'error').toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on random SSE-like text', () => {
    const token = fc.constantFrom(
      'data: ',
      'data:',
      'event: x',
      ': comment',
      'id: 1',
      'retry: x',
      '\n',
      '\r',
      '\r\n',
      '{',
      '}',
      '"type"',
      ':',
      '"response.output_text.delta"',
      '"response.completed"',
      '"error"',
      '"delta":"é"',
      ',',
      '[DONE]',
      '\uFEFF',
      '\uD83D',
      'null',
      '[1]',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(token, fc.string({ maxLength: 5 })), { maxLength: 60 }), (tokens) => {
        const parser = createResponsesSseParser();
        for (const piece of tokens) parser.feed(piece);
        parser.end();
      }),
      { numRuns: 300 },
    );
  });

  it('reads output_text.delta the same through the fast path and through JSON.parse', () => {
    fc.assert(
      fc.property(
        fc.record({
          delta: trickyText,
          outputIndex: fc.nat({ max: 3 }),
          reorder: fc.boolean(),
        }),
        ({ delta, outputIndex, reorder }) => {
          const event = reorder
            ? { delta, type: 'response.output_text.delta', output_index: outputIndex, content_index: 0 }
            : {
                type: 'response.output_text.delta',
                item_id: 'msg_1',
                output_index: outputIndex,
                content_index: 0,
                delta,
              };
          const parser = createResponsesSseParser();
          const chunks = parser.feed(`data: ${JSON.stringify(event)}\n\n`);
          expect(chunks).toEqual(
            delta === '' ? [] : [{ type: 'text', text: JSON.parse(JSON.stringify(delta)) }],
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
