import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  generateMixedEvents,
  generateTextOnlyEvents,
  generateToolCallEvents,
  splitIntoChunks,
  toSseText,
  toWebSocketFrames,
} from '../bench/stream-generator.mjs';
import { sseBytes, sseText } from './__fixtures__/arbitrary-sse.js';
import { trickyText } from './__fixtures__/arbitrary-text.js';
import { streamFixtures } from './__fixtures__/fixtures.js';
import { referenceParse } from './__fixtures__/reference-parser.js';
import { cutOffsets, splitAt } from './__fixtures__/split-input.js';
import { createResponsesEventParser } from './responses-event-parser.js';
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

describe('createResponsesSseParser against the reference (TextDecoder + eventsource-parser + JSON.parse)', () => {
  it('produces exactly the reference chunks for any SSE bytes cut anywhere (property)', () => {
    fc.assert(
      fc.property(
        sseBytes.chain((bytes) => fc.tuple(fc.constant(bytes), cutOffsets(bytes.length, 30))),
        ([bytes, cuts]) => {
          const pieces = splitAt(bytes, cuts);
          expect(parseInPieces(bytes, cuts)).toEqual(referenceParse(pieces));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('produces exactly the reference chunks for large chunks (read by the delta shortcut) (property)', () => {
    fc.assert(
      fc.property(
        fc.array(sseText, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 256, max: 4096 }),
        (texts, size) => {
          const pieces = splitIntoChunks(new TextEncoder().encode(texts.join('')), size);
          const parser = createResponsesSseParser();
          const chunks = [...pieces.flatMap((piece) => parser.feed(piece)), ...parser.end()];
          expect(chunks).toEqual(referenceParse(pieces));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('produces exactly the reference chunks for text cut anywhere (property)', () => {
    fc.assert(
      fc.property(
        sseText.chain((text) => fc.tuple(fc.constant(text), cutOffsets(text.length, 20))),
        ([text, cuts]) => {
          expect(parseInPieces(text, cuts)).toEqual(referenceParse(splitAt(text, cuts)));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the benchmark streams (bench/stream-generator.mjs)', () => {
  const streams = [
    { name: 'mixed', events: generateMixedEvents() },
    { name: 'text-only', events: generateTextOnlyEvents() },
    // Its `.done` events and `response.completed` are large events, read in pieces.
    { name: 'a 200 kB tool call', events: generateToolCallEvents(200 * 1024, 2000) },
  ];
  for (const { name, events } of streams) {
    describe(name, () => {
      const bytes = new TextEncoder().encode(toSseText(events));
      const expected = referenceParse([bytes]);

      it('parses to the reference chunks, ending with done', () => {
        expect(parseInPieces(bytes, [])).toEqual(expected);
        expect(expected.at(-1)?.type).toBe('done');
      });

      it('gives identical output for every chunking (property)', () => {
        fc.assert(
          fc.property(cutOffsets(bytes.length, 300), (cuts) => {
            expect(parseInPieces(bytes, cuts)).toEqual(expected);
          }),
          { numRuns: 25 },
        );
      });

      it('gives identical output in chunks of 16 KiB, 1 KiB, 64 B and 7 B', () => {
        for (const size of [16 * 1024, 1024, 64, 7]) {
          const parser = createResponsesSseParser();
          const chunks = [
            ...splitIntoChunks(bytes, size).flatMap((piece) => parser.feed(piece)),
            ...parser.end(),
          ];
          expect(chunks).toEqual(expected);
        }
      });

      it('gives identical output as WebSocket frames (feedJson)', () => {
        const parser = createResponsesEventParser();
        const chunks = [
          ...toWebSocketFrames(events).flatMap((frame) => parser.feedJson(frame)),
          ...parser.end(),
        ];
        expect(chunks).toEqual(expected);
      });
    });
  }
});
