import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { streamFixtures } from './__fixtures__/fixtures.js';
import { cutOffsets, splitAt } from './__fixtures__/split-input.js';
import { MALFORMED_EVENT_TYPE } from './malformed-event.js';
import { createResponsesEventParser } from './responses-event-parser.js';
import { createSseEventDecoder, type DecodedSseItem } from './sse-event-decoder.js';
import type { StreamChunk } from './stream-chunk.js';

/**
 * What a transport hands the event parser for one decoder item: the event, or a decoder error
 * forwarded as a `codetether.malformed_event` event (`[DONE]` is not forwarded).
 */
function forwardedEvent(item: DecodedSseItem): unknown[] {
  if (item.kind === 'event') return [item.event];
  if (item.kind === 'error')
    return [{ type: MALFORMED_EVENT_TYPE, code: item.error.code, message: item.error.message }];
  return [];
}

/** The path HTTP transports take: SSE bytes → `createSseEventDecoder` → events → `createResponsesEventParser`. */
function decodeThenReduce(bytes: Uint8Array, cuts: readonly number[]): StreamChunk[] {
  const decoder = createSseEventDecoder();
  const parser = createResponsesEventParser();
  const items = [...splitAt(bytes, cuts).flatMap((piece) => decoder.feed(piece)), ...decoder.end()];
  return [...items.flatMap(forwardedEvent).flatMap((event) => parser.feed(event)), ...parser.end()];
}

describe('every fixture gives the same chunks on every path', () => {
  for (const fixture of streamFixtures) {
    it(`${fixture.name}: SSE decoder + event parser, any split (property)`, () => {
      expect(decodeThenReduce(fixture.bytes, [])).toEqual(fixture.expected);
      fc.assert(
        fc.property(cutOffsets(fixture.bytes.length, 30), (cuts) => {
          expect(decodeThenReduce(fixture.bytes, cuts)).toEqual(fixture.expected);
        }),
        { numRuns: 40 },
      );
    });

    it(`${fixture.name}: one JSON event per WebSocket frame`, () => {
      const decoder = createSseEventDecoder();
      // A frame that is not JSON is forwarded by the transport as a malformed-event marker.
      const frames = [...decoder.feed(fixture.bytes), ...decoder.end()]
        .flatMap(forwardedEvent)
        .map((event) => JSON.stringify(event));
      const parser = createResponsesEventParser();
      const chunks = frames.flatMap((frame) => parser.feed(JSON.parse(frame)));
      chunks.push(...parser.end());
      expect(chunks).toEqual(fixture.expected);
    });
  }
});
