import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { referenceParse } from './__fixtures__/reference-parser.js';
import { cutOffsets, splitAt } from './__fixtures__/split-input.js';
import { binaryPiecesToText, binarySlice, binaryToText, hasNonAsciiByte } from './binary-text.js';
import { createResponsesSseParser } from './responses-sse-parser.js';
import { createSseEventDecoder } from './sse-event-decoder.js';

/** `bytes` as binary text (one character per byte), without relying on the runtime's slice. */
function binaryOf(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return binary;
}

const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Bytes that stress a UTF-8 decoder: valid characters of every length, their pieces, bytes no
 * sequence may hold (C0, C1, F5–FF), overlong and surrogate forms, lone continuation bytes, ASCII.
 */
const utf8Bytes: fc.Arbitrary<Uint8Array> = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 4 }).map((text) => [...new TextEncoder().encode(text)]),
      fc.constantFrom(
        [0x80],
        [0xbf],
        [0xc0, 0x80],
        [0xc1, 0xbf],
        [0xc2],
        [0xe0, 0x80, 0x80],
        [0xe0, 0xa0],
        [0xed, 0xa0, 0x80],
        [0xed, 0x9f, 0xbf],
        [0xef, 0xbf],
        [0xf0, 0x80, 0x80, 0x80],
        [0xf0, 0x90, 0x80],
        [0xf4, 0x90, 0x80, 0x80],
        [0xf4, 0x8f, 0xbf, 0xbf],
        [0xf5],
        [0xff],
        [0x22],
        [0x5c],
      ),
      fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 4 }),
    ),
    { maxLength: 40 },
  )
  .map((parts) => Uint8Array.from(parts.flat()));

describe('binaryToText', () => {
  it('decodes exactly as TextDecoder does, invalid sequences included (property)', () => {
    fc.assert(
      fc.property(utf8Bytes, (bytes) => {
        expect(binaryToText(binaryOf(bytes))).toBe(decoder.decode(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes long binary text (the native path where there is one) exactly as TextDecoder does (property)', () => {
    fc.assert(
      fc.property(fc.array(utf8Bytes, { minLength: 8, maxLength: 16 }), (parts) => {
        const bytes = Uint8Array.from(parts.flatMap((part) => [...part, 0x61, 0x62, 0x63, 0x64]));
        expect(binaryToText(binaryOf(bytes))).toBe(decoder.decode(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it('returns ASCII as it is, and says whether binary text needs decoding', () => {
    const ascii = 'data: {"type":"x"}\n\n'.repeat(20);
    expect(binaryToText(ascii)).toBe(ascii);
    expect(hasNonAsciiByte(ascii)).toBe(false);
    expect(hasNonAsciiByte(`${ascii}\u00e9`)).toBe(true);
    expect(hasNonAsciiByte('\u007f')).toBe(false);
  });
});

describe('binaryPiecesToText', () => {
  it('gives the text of the pieces joined, in as many pieces, whatever the cuts (property)', () => {
    fc.assert(
      fc.property(
        utf8Bytes.chain((bytes) => fc.tuple(fc.constant(bytes), cutOffsets(bytes.length, 8))),
        ([bytes, cuts]) => {
          const pieces = splitAt(bytes, cuts).map(binaryOf);
          const texts = binaryPiecesToText(pieces);
          expect(texts.join('')).toBe(decoder.decode(bytes));
          expect(texts.length).toBeGreaterThanOrEqual(pieces.length);
          expect(texts.length).toBeLessThanOrEqual(pieces.length + 1);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('binarySlice', () => {
  it.runIf(binarySlice !== undefined)('copies bytes one character per byte', () => {
    const bytes = Uint8Array.from([0x61, 0x00, 0x80, 0xe6, 0x97, 0xa5, 0xff]);
    expect(binarySlice?.(bytes, 1, 7)).toBe(binaryOf(bytes.subarray(1)));
  });
});

describe('the SSE parser on binary text', () => {
  /** A delta event whose delta (and item id) hold `bytes` as they are: a JSON string body of any bytes. */
  function deltaEventBytes(
    type: 'output_text' | 'function_call_arguments',
    itemId: Uint8Array,
    delta: Uint8Array,
    between: string,
  ): Uint8Array {
    const encoder = new TextEncoder();
    const parts = [
      encoder.encode(
        `event: response.${type}.delta\ndata: {"type":"response.${type}.delta","sequence_number":1,"item_id":"`,
      ),
      itemId,
      encoder.encode(
        type === 'output_text'
          ? '","output_index":0,"content_index":0,"delta":"'
          : '","output_index":0,"delta":"',
      ),
      delta,
      encoder.encode(between),
      delta,
      encoder.encode('","logprobs":[],"obfuscation":"ab"}\n\n'),
    ];
    return Uint8Array.from(parts.flatMap((part) => [...part]));
  }

  /** JSON string bodies of any bytes but a quote, a backslash or a control character. */
  const bodyBytes = utf8Bytes.map((bytes) =>
    bytes.filter((byte) => byte >= 0x20 && byte !== 0x22 && byte !== 0x5c),
  );

  // (A tool call's item id is its id in the chunks when no call id came: ids are compared there.)
  it('reads deltas and item ids of any bytes as TextDecoder + JSON.parse do, cut anywhere (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('output_text' as const, 'function_call_arguments' as const),
        bodyBytes,
        fc.boolean(),
        fc.array(
          fc.tuple(bodyBytes, bodyBytes, fc.constantFrom('', '\\n', '\\u00e9', '\\ud83d\\ude42', '\\"')),
          { minLength: 1, maxLength: 12 },
        ),
        fc.integer({ min: 1, max: 600 }),
        (type, sharedItemId, oneItem, events, size) => {
          // With one item id, the head keeps coming and is read as the frequent one after a few events.
          const bytes = Uint8Array.from([
            ...events.flatMap(([itemId, delta, between]) =>
              Array.from({ length: 3 }, () => [
                ...deltaEventBytes(type, oneItem ? sharedItemId : itemId, delta, between),
              ]).flat(),
            ),
            // The end of the response ends the calls (their ids go out).
            ...new TextEncoder().encode(
              'data: {"type":"response.completed","response":{"status":"completed","output":[]}}\n\n',
            ),
          ]);
          const pieces: Uint8Array[] = [];
          for (let start = 0; start < bytes.length; start += size)
            pieces.push(bytes.subarray(start, start + size));
          const parser = createResponsesSseParser();
          const chunks = [...pieces.flatMap((piece) => parser.feed(piece)), ...parser.end()];
          expect(chunks).toEqual(referenceParse(pieces));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('where binary text is used', () => {
  // 100 three-byte characters: 300 bytes, 100 UTF-16 code units, waiting for their event's end.
  const unfinished = new TextEncoder().encode(`data: ${'日'.repeat(100)}`);

  it.runIf(binarySlice !== undefined)('the parser frames bytes as binary text: its cap counts bytes', () => {
    const parser = createResponsesSseParser({ maxBufferBytes: 200 });
    expect(parser.feed(unfinished)).toEqual([expect.objectContaining({ code: 'buffer-limit-exceeded' })]);
  });

  it('the event decoder decodes whole chunks (it parses every event): its cap counts code units', () => {
    const decoder = createSseEventDecoder({ maxBufferBytes: 200 });
    expect(decoder.feed(unfinished)).toEqual([]);
    expect(decoder.feed('\n\n')).toEqual([expect.objectContaining({ kind: 'error' })]); // not JSON, but framed
  });
});
