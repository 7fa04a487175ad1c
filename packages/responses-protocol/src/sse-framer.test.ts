import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sseBytes, sseText } from './__fixtures__/arbitrary-sse.js';
import { createReferenceFraming, type FramedEvent } from './__fixtures__/reference-parser.js';
import { cutOffsets, splitAt } from './__fixtures__/split-input.js';
import { binarySlice, binaryToText } from './binary-text.js';
import { DeltaEventReader } from './delta-event-fast-path.js';
import {
  createSseFramer,
  LARGE_EVENT_MIN_CHARS,
  NATIVE_SEARCH_MIN_BYTES,
  type SseEventShortcut,
} from './sse-framer.js';

/** The name recorded for an event the shortcut took (the shortcut never reads names). */
const TAKEN_BY_SHORTCUT = '(taken by the shortcut)';

/**
 * A shortcut that takes the delta events the parsers' shortcut takes (the same `readRun`, so it
 * also says when it stopped in an unfinished event), and records the data line framing would have
 * dispatched for each (cut out of the matched text), so the events can be compared with the
 * reference framing.
 */
function recordingShortcut(events: FramedEvent[]): SseEventShortcut {
  const reader = new DeltaEventReader('sse');
  const shortcut = {
    stoppedInUnfinishedEvent: false,
    readEvents(text: string, position: number, binary: boolean): number {
      reader.binary = binary;
      const end = reader.readRun(text, position, () => {});
      shortcut.stoppedInUnfinishedEvent = reader.stoppedInUnfinishedEvent;
      if (end === -1) return end;
      for (const matched of text.slice(position, end - 2).split('\n\n')) {
        const dataLine = matched.slice(matched.indexOf('data:') + 5);
        const data = dataLine.startsWith(' ') ? dataLine.slice(1) : dataLine;
        events.push({
          data: binary ? binaryToText(data) : data,
          eventName: TAKEN_BY_SHORTCUT,
        });
      }
      return end;
    },
  };
  return shortcut;
}

interface Framed {
  events: FramedEvent[];
  failed: boolean;
}

/**
 * Where events are kept in pieces (see `LARGE_EVENT_MIN_CHARS`): the default, and small enough
 * that the generated streams' events are (and, with `onDataPieces`, handed over in pieces).
 */
const largeEventMinChars = fc.constantFrom(LARGE_EVENT_MIN_CHARS, 1, 3, 16);

function frame(
  pieces: readonly (string | Uint8Array)[],
  options: {
    maxBufferBytes?: number;
    shortcut?: boolean;
    nativeSearchMinBytes?: number;
    largeEventMinChars?: number;
    /** Take data in pieces (`onDataPieces`, recorded joined) rather than always joined by the framer. */
    dataPieces?: boolean;
    /** Frame bytes as binary text (the default where the runtime can), or as decoded text (`false`). */
    binary?: boolean;
  } = {},
): Framed {
  const events: FramedEvent[] = [];
  let failed = false;
  const framer = createSseFramer(
    {
      onData(data, readEventName) {
        events.push({ data, eventName: readEventName() });
      },
      ...(options.dataPieces
        ? {
            onDataPieces(dataPieces: readonly string[], readEventName: () => string | undefined) {
              events.push({ data: dataPieces.join(''), eventName: readEventName() });
            },
          }
        : {}),
      onBufferLimitExceeded() {
        failed = true;
      },
      ...(options.shortcut ? { eventShortcut: recordingShortcut(events) } : {}),
    },
    options.maxBufferBytes,
    options.nativeSearchMinBytes,
    options.largeEventMinChars,
    options.binary === false ? undefined : binarySlice,
  );
  for (const piece of pieces) framer.feed(piece);
  framer.end();
  return { events, failed };
}

function frameByReference(pieces: readonly (string | Uint8Array)[], maxBufferBytes?: number): Framed {
  const framing = createReferenceFraming(maxBufferBytes);
  for (const piece of pieces) framing.feed(piece);
  framing.end();
  return { events: framing.events, failed: framing.failed };
}

/** The reference's events, named as taken by the shortcut where `shortcutFramed` says so. */
function markTakenByShortcut(framed: Framed, shortcutFramed: Framed): Framed {
  return {
    failed: framed.failed,
    events: framed.events.map((event, index) =>
      shortcutFramed.events[index]?.eventName === TAKEN_BY_SHORTCUT
        ? { ...event, eventName: TAKEN_BY_SHORTCUT }
        : event,
    ),
  };
}

describe('createSseFramer (hand-written SSE framing)', () => {
  it('reports exactly what TextDecoder + eventsource-parser report, for any bytes cut anywhere (property)', () => {
    fc.assert(
      fc.property(
        sseBytes.chain((bytes) => fc.tuple(fc.constant(bytes), cutOffsets(bytes.length, 30))),
        // Where small chunks end and large ones begin: the default, and every chunk on one side.
        fc.constantFrom(NATIVE_SEARCH_MIN_BYTES, 1, 2, 4, Number.POSITIVE_INFINITY),
        largeEventMinChars,
        fc.boolean(),
        fc.boolean(),
        ([bytes, cuts], nativeSearchMinBytes, largeEventMinChars, dataPieces, binary) => {
          const pieces = splitAt(bytes, cuts);
          expect(frame(pieces, { nativeSearchMinBytes, largeEventMinChars, dataPieces, binary })).toEqual(
            frameByReference(pieces),
          );
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('agrees with the reference when fed 1, 2 or 3 bytes at a time, whichever way chunks are scanned (property)', () => {
    fc.assert(
      fc.property(
        sseBytes,
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom(NATIVE_SEARCH_MIN_BYTES, 1, 2, 3),
        largeEventMinChars,
        fc.boolean(),
        (bytes, size, nativeSearchMinBytes, largeEventMinChars, binary) => {
          const pieces: Uint8Array[] = [];
          for (let start = 0; start < bytes.length; start += size)
            pieces.push(bytes.subarray(start, start + size));
          expect(
            frame(pieces, { nativeSearchMinBytes, largeEventMinChars, dataPieces: true, binary }),
          ).toEqual(frameByReference(pieces));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('searches chunks of 256 bytes and more natively, and agrees there too (property)', () => {
    fc.assert(
      fc.property(
        fc.array(sseBytes, { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 200, max: 700 }), { minLength: 1, maxLength: 6 }),
        (streams, sizes) => {
          const bytes = new Uint8Array(streams.reduce((sum, stream) => sum + stream.length, 0));
          let offset = 0;
          for (const stream of streams) {
            bytes.set(stream, offset);
            offset += stream.length;
          }
          const pieces: Uint8Array[] = [];
          for (let start = 0, index = 0; start < bytes.length; index += 1) {
            const size = sizes[index % sizes.length]!;
            pieces.push(bytes.subarray(start, start + size));
            start += size;
          }
          expect(frame(pieces)).toEqual(frameByReference(pieces));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('dispatches every event in the feed call that completes it, as the reference does (property)', () => {
    // Events wait, unframed, until an event end arrives: none may wait longer than that.
    const lineFeedsOnly = sseBytes.map((bytes) => bytes.map((byte) => (byte === 0x0d ? 0x0a : byte)));
    fc.assert(
      fc.property(
        fc
          .oneof(sseBytes, lineFeedsOnly)
          .chain((bytes) => fc.tuple(fc.constant(bytes), cutOffsets(bytes.length, 30))),
        fc.constantFrom(NATIVE_SEARCH_MIN_BYTES, 1, 8, Number.POSITIVE_INFINITY),
        fc.boolean(),
        largeEventMinChars,
        fc.boolean(),
        ([bytes, cuts], nativeSearchMinBytes, withShortcut, largeEventMinChars, binary) => {
          const events: FramedEvent[] = [];
          const framer = createSseFramer(
            {
              onData(data, readEventName) {
                events.push({ data, eventName: readEventName() });
              },
              onDataPieces(pieces, readEventName) {
                events.push({ data: pieces.join(''), eventName: readEventName() });
              },
              onBufferLimitExceeded() {},
              ...(withShortcut ? { eventShortcut: recordingShortcut(events) } : {}),
            },
            undefined,
            nativeSearchMinBytes,
            largeEventMinChars,
            binary ? binarySlice : undefined,
          );
          const reference = createReferenceFraming();
          const withoutCarriageReturn = !bytes.includes(0x0d);
          for (const piece of splitAt(bytes, cuts)) {
            framer.feed(piece);
            reference.feed(piece);
            // Never behind the reference. With CRs it may be ahead: the reference holds a line that
            // a CR ended until more text shows whether an LF follows; the framer ends it at once.
            const framed = withShortcut
              ? events.map((event) => ({ ...event, eventName: undefined }))
              : events;
            const expected = withShortcut
              ? reference.events.map((event) => ({ ...event, eventName: undefined }))
              : reference.events;
            expect(framed.slice(0, expected.length)).toEqual(expected);
            if (withoutCarriageReturn) expect(framed).toEqual(expected);
          }
        },
      ),
      { numRuns: 400, seed: 20261130 },
    );
  });

  it('frames streams whose line ends change from LF to CR or CRLF midway, cut anywhere', () => {
    const texts = [
      'data: a\n\ndata: b\n\rdata: c\r\rdata: d\n\n',
      'event: x\ndata: 1\n\ndata: 2\r\n\r\ndata: 3\n\n',
      'data: é\n\n\ndata: 🙂\r\n\ndata: z\r',
      ': only a comment\n\ndata: a\ndata: b\r\rdata: c',
    ];
    for (const text of texts) {
      const bytes = new TextEncoder().encode(text);
      for (let first = 0; first <= bytes.length; first += 1) {
        for (let second = first; second <= bytes.length; second += 3) {
          const pieces = splitAt(bytes, [first, second]);
          for (const nativeSearchMinBytes of [1, NATIVE_SEARCH_MIN_BYTES]) {
            expect(frame(pieces, { nativeSearchMinBytes })).toEqual(frameByReference(pieces));
          }
        }
      }
    }
  });

  it('counts only the unfinished line and data against the limit, not the other lines waiting', () => {
    // Comment and id lines of an unfinished event wait with it, unframed: they must not count.
    const text = `: ${'c'.repeat(80)}\nid: ${'1'.repeat(80)}\ndata: ok\n\n`;
    const bytes = new TextEncoder().encode(text);
    for (const size of [1, 7, 64, bytes.length]) {
      const pieces: Uint8Array[] = [];
      for (let start = 0; start < bytes.length; start += size)
        pieces.push(bytes.subarray(start, start + size));
      expect(frame(pieces, { maxBufferBytes: 90 })).toEqual(frameByReference(pieces, 90));
      expect(frame(pieces, { maxBufferBytes: 90 }).events).toEqual([{ data: 'ok', eventName: undefined }]);
    }
  });

  it('agrees with the reference on text input cut anywhere, surrogate pairs included (property)', () => {
    fc.assert(
      fc.property(
        sseText.chain((text) => fc.tuple(fc.constant(text), cutOffsets(text.length, 20))),
        largeEventMinChars,
        ([text, cuts], largeEventMinChars) => {
          const pieces = splitAt(text, cuts);
          expect(frame(pieces, { largeEventMinChars, dataPieces: true })).toEqual(frameByReference(pieces));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('agrees with the reference on bytes and text mixed, whatever came first (property)', () => {
    // Pieces cut between characters, each fed as text or as its bytes: bytes framed as binary text
    // until text comes, then everything waiting (a cut event, its data, its name) as decoded text.
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(
        sseText.chain((text) =>
          fc.tuple(
            fc.constant(text),
            cutOffsets(text.length, 12),
            fc.array(fc.boolean(), { minLength: 13, maxLength: 13 }),
          ),
        ),
        largeEventMinChars,
        fc.boolean(),
        ([text, cuts, asBytes], largeEventMinChars, shortcut) => {
          // Cut between characters: at a code point count, not inside a surrogate pair.
          const characters = [...text];
          const offsets = cuts.map((cut) => characters.slice(0, cut).join('').length);
          const pieces = splitAt(text, offsets).map((piece, index) =>
            asBytes[index] ? encoder.encode(piece) : piece,
          );
          const expected = frameByReference(pieces);
          const framed = frame(pieces, { largeEventMinChars, dataPieces: true, shortcut });
          expect(framed).toEqual(shortcut ? markTakenByShortcut(expected, framed) : expected);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('decodes a name and data framed as binary text when text comes next', () => {
    const encoder = new TextEncoder();
    // CR line ends: lines are framed as they come, so a name and data wait between feeds.
    const pieces = [encoder.encode('event: naïve 日本\rdata: é'), '\rdata: 🙂\r\r'];
    expect(frame(pieces)).toEqual(frameByReference(pieces));
    expect(frame(pieces).events).toEqual([{ data: 'é\n🙂', eventName: 'naïve 日本' }]);
  });

  it('dispatches the same data through the delta shortcut as line by line (property)', () => {
    fc.assert(
      fc.property(
        fc.array(sseText, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 256, max: 2048 }),
        fc.boolean(),
        (texts, size, binary) => {
          const bytes = new TextEncoder().encode(texts.join(''));
          const pieces: Uint8Array[] = [];
          for (let start = 0; start < bytes.length; start += size)
            pieces.push(bytes.subarray(start, start + size));
          const shortcut = frame(pieces, { shortcut: true, binary });
          expect(shortcut).toEqual(markTakenByShortcut(frameByReference(pieces), shortcut));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('stops at the same point as the reference when the buffer limit is exceeded (ASCII, LF)', () => {
    const asciiText = sseText.map((text) => text.replace(/[^\x20-\x7e\n]/g, 'a'));
    fc.assert(
      fc.property(
        asciiText.chain((text) => fc.tuple(fc.constant(text), cutOffsets(text.length, 10))),
        fc.integer({ min: 8, max: 200 }),
        largeEventMinChars,
        ([text, cuts], limit, largeEventMinChars) => {
          const pieces = splitAt(new TextEncoder().encode(text), cuts);
          expect(frame(pieces, { maxBufferBytes: limit, largeEventMinChars, dataPieces: true })).toEqual(
            frameByReference(pieces, limit),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('agrees with the reference for every one or two cuts of tricky streams, in both scan modes', () => {
    const texts = [
      'data: a\r日\ndata: b\n\n',
      'event: x\r\ndata: 🙂\r\r\ndata:é\n\n',
      '\uFEFFdata: {"type":"response.output_text.delta","output_index":0,"content_index":0,"delta":"é\\n"}\n\n',
    ];
    for (const text of texts) {
      const bytes = new TextEncoder().encode(text);
      for (let first = 0; first <= bytes.length; first += 1) {
        for (let second = first; second <= Math.min(bytes.length, first + 4); second += 1) {
          const pieces = splitAt(bytes, [first, second]);
          for (const nativeSearchMinBytes of [1, NATIVE_SEARCH_MIN_BYTES]) {
            for (const binary of [true, false]) {
              expect(frame(pieces, { nativeSearchMinBytes, shortcut: false, binary })).toEqual(
                frameByReference(pieces),
              );
            }
          }
        }
      }
    }
  });

  it('dispatches a delta-shaped event the shortcut leaves alone in the feed call that completes it', () => {
    // The shortcut stops at each of these events without reading it; each is whole, so the framer
    // must frame it at once rather than wait for more input as for an event the text ends inside of.
    const head =
      '{"type":"response.output_text.delta","item_id":"m","output_index":0,"content_index":0,"delta":"';
    const leftAlone = [
      `${head}a","extra":1}`, // a field after the delta: its tail does not match
      `${head}a\\x"}`, // an invalid escape in the delta
      `${head}a"} `, // a space after the object
    ];
    for (const data of leftAlone) {
      const text = `data: ${head}one"}\n\ndata: ${data}\n\ndata: ${head}two"}\n\ndata: ${head}cut`;
      for (const input of [text, new TextEncoder().encode(text)]) {
        const events: FramedEvent[] = [];
        const framer = createSseFramer({
          onData(eventData) {
            events.push({ data: eventData, eventName: undefined });
          },
          onBufferLimitExceeded() {},
          eventShortcut: recordingShortcut(events),
        });
        framer.feed(input);
        expect(events.map((event) => event.data)).toEqual([`${head}one"}`, data, `${head}two"}`]);
      }
    }
  });

  it('hands the data of a large event over in small pieces, whatever the chunk size', () => {
    const value = JSON.stringify({ type: 'x', arguments: 'é"\\'.repeat(60_000) });
    const text = `event: big\ndata: ${value}\n\ndata: after\n\n`;
    const bytes = new TextEncoder().encode(text);
    for (const size of [64, 1024, 16 * 1024]) {
      const handed: { pieces: readonly string[]; eventName: string | undefined }[] = [];
      const joined: string[] = [];
      const framer = createSseFramer({
        onData(data) {
          joined.push(data);
        },
        onDataPieces(pieces, readEventName) {
          handed.push({ pieces, eventName: readEventName() });
        },
        onBufferLimitExceeded() {},
      });
      for (let start = 0; start < bytes.length; start += size)
        framer.feed(bytes.subarray(start, start + size));
      framer.end();
      expect(joined).toEqual(['after']);
      expect(handed).toHaveLength(1);
      expect(handed[0]?.eventName).toBe('big');
      expect(handed[0]?.pieces.join('')).toBe(value);
      expect(Math.max(...(handed[0]?.pieces ?? []).map((piece) => piece.length))).toBeLessThanOrEqual(
        LARGE_EVENT_MIN_CHARS + 16 * 1024,
      );
    }
  });

  it('handles the SSE corner cases one by one', () => {
    const cases: [string, FramedEvent[]][] = [
      [
        'data: a\r\n\r\ndata: b\r\rdata: c\n\n',
        ['a', 'b', 'c'].map((data) => ({ data, eventName: undefined })),
      ],
      ['data:a\ndata: b\ndata\n\n', [{ data: 'a\nb\n', eventName: undefined }]],
      [
        'event: x\ndata: 1\n\nevent:\ndata: 2\n\nevent\ndata: 3\n\n',
        [
          { data: '1', eventName: 'x' },
          { data: '2', eventName: undefined },
          { data: '3', eventName: undefined },
        ],
      ],
      [': c\nid: 1\nretry: 5\nfoo\nevent: y\n\ndata: z\n\n', [{ data: 'z', eventName: undefined }]],
      ['\uFEFFdata: bom\n\n', [{ data: 'bom', eventName: undefined }]],
      ['data:  two spaces\n\n', [{ data: ' two spaces', eventName: undefined }]],
      ['data: no blank line at the end', [{ data: 'no blank line at the end', eventName: undefined }]],
    ];
    for (const [text, events] of cases) {
      const bytes = new TextEncoder().encode(text);
      for (const pieces of [[text], [bytes], [...bytes].map((byte) => new Uint8Array([byte]))]) {
        expect(frame(pieces).events).toEqual(events);
      }
    }
  });
});
