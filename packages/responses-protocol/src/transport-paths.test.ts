import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { streamFixtures } from './__fixtures__/fixtures.js';
import { MALFORMED_EVENT_TYPE } from './malformed-event.js';
import { createResponsesEventParser } from './responses-event-parser.js';
import { createSseEventDecoder } from './sse-event-decoder.js';
import type { StreamChunk } from './stream-chunk.js';

/**
 * The path HTTP transports take: SSE bytes → `createSseEventDecoder` → events →
 * `createResponsesEventParser`, decoder errors forwarded as `codetether.malformed_event`.
 */
function decodeThenReduce(bytes: Uint8Array, cuts: readonly number[]): StreamChunk[] {
  const decoder = createSseEventDecoder();
  const parser = createResponsesEventParser();
  const chunks: StreamChunk[] = [];
  const reduce = (items: ReturnType<typeof decoder.feed>) => {
    for (const item of items) {
      if (item.kind === 'event') chunks.push(...parser.feed(item.event));
      else if (item.kind === 'error') {
        chunks.push(
          ...parser.feed({ type: MALFORMED_EVENT_TYPE, code: item.error.code, message: item.error.message }),
        );
      }
    }
  };
  let start = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    reduce(decoder.feed(bytes.subarray(start, cut)));
    start = cut;
  }
  reduce(decoder.feed(bytes.subarray(start)));
  reduce(decoder.end());
  chunks.push(...parser.end());
  return chunks;
}

describe('every fixture gives the same chunks on every path', () => {
  for (const fixture of streamFixtures) {
    it(`${fixture.name}: SSE decoder + event parser, any split (property)`, () => {
      expect(decodeThenReduce(fixture.bytes, [])).toEqual(fixture.expected);
      fc.assert(
        fc.property(
          fc.uniqueArray(fc.integer({ min: 0, max: fixture.bytes.length }), { maxLength: 30 }),
          (cuts) => {
            expect(decodeThenReduce(fixture.bytes, cuts)).toEqual(fixture.expected);
          },
        ),
        { numRuns: 40 },
      );
    });

    it(`${fixture.name}: one JSON event per WebSocket frame`, () => {
      const decoder = createSseEventDecoder();
      // A frame that is not JSON is forwarded by the transport as a malformed-event marker.
      const frames = [...decoder.feed(fixture.bytes), ...decoder.end()].flatMap((item) => {
        if (item.kind === 'event') return [JSON.stringify(item.event)];
        if (item.kind === 'error') {
          return [
            JSON.stringify({
              type: MALFORMED_EVENT_TYPE,
              code: item.error.code,
              message: item.error.message,
            }),
          ];
        }
        return [];
      });
      const parser = createResponsesEventParser();
      const chunks = frames.flatMap((frame) => parser.feed(JSON.parse(frame)));
      chunks.push(...parser.end());
      expect(chunks).toEqual(fixture.expected);
    });
  }
});
