import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deltaEventJson, deltaEventObject } from './__fixtures__/arbitrary-sse.js';
import { trickyText } from './__fixtures__/arbitrary-text.js';
import { DeltaEventReader, FrequentDeltaHead } from './delta-event-fast-path.js';

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

  describe('a head that keeps coming (read by its own compiled pattern)', () => {
    /** The fields a server sends before `delta`, in its key order, the sequence number set apart. */
    const headShape = fc.record(
      {
        type: fc.constantFrom(
          'response.output_text.delta',
          'response.function_call_arguments.delta',
          'response.reasoning_summary_text.delta',
          'response.refusal.delta',
        ),
        item_id: fc.constantFrom('msg_1', 'fc_1', 'rs.1*', 'a(b)[c]{d}$^|?+\\', 'é日'),
        output_index: fc.nat({ max: 12 }),
        content_index: fc.nat({ max: 2 }),
        summary_index: fc.nat({ max: 2 }),
      },
      { requiredKeys: ['type'] },
    );
    const withSequenceNumber = fc.boolean();
    /** One event of a run: usually the run's head with another sequence number, sometimes not. */
    const runEvent = fc.record({
      sequenceNumber: fc.oneof(fc.constantFrom(0, 7, 10, 999_999_999_999_999), fc.nat()),
      delta: trickyText,
      logprobs: fc.boolean(),
      obfuscation: fc.option(fc.stringMatching(/^[\w]{0,8}$/), { nil: undefined }),
      change: fc.oneof(
        { weight: 6, arbitrary: fc.constant(undefined) },
        {
          weight: 1,
          arbitrary: fc.record({
            at: fc.nat(),
            insert: fc.constantFrom('', ' ', '"', '\\', ',', '}', '\u0001', 'x', '0', '1', '-'),
          }),
        },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            'other-item',
            // Another item id that ends like the run's, or is one character short of it at either end.
            'other-item-ending-alike',
            'other-item-shorter-at-start',
            'other-item-shorter-at-end',
            'other-index',
            'no-sequence',
            'leading-zero',
          ),
        },
      ),
      eventLine: fc.constantFrom(
        'event: RUN\n',
        'event: RUN\n',
        'event:RUN\n',
        '',
        'event: response.refusal.delta\n',
        'event: keepalive\n',
      ),
      dataPrefix: fc.constantFrom('data: ', 'data: ', 'data:'),
    });

    function eventJson(
      head: Record<string, unknown>,
      sequence: boolean,
      event: {
        sequenceNumber: number;
        delta: string;
        logprobs: boolean;
        obfuscation: string | undefined;
        change: { at: number; insert: string } | string | undefined;
      },
    ): string {
      const ordered: Record<string, unknown> = { type: head.type };
      if (sequence && event.change !== 'no-sequence') ordered.sequence_number = event.sequenceNumber;
      for (const key of ['item_id', 'output_index', 'content_index', 'summary_index']) {
        if (key in head) ordered[key] = head[key];
      }
      const itemId = String(head.item_id ?? '');
      if (event.change === 'other-item') ordered.item_id = `${itemId}x`;
      if (event.change === 'other-item-ending-alike') ordered.item_id = `x${itemId}`;
      if (event.change === 'other-item-shorter-at-start') ordered.item_id = itemId.slice(1);
      if (event.change === 'other-item-shorter-at-end') ordered.item_id = itemId.slice(0, -1);
      if (event.change === 'other-index') ordered.output_index = 13;
      ordered.delta = event.delta;
      if (event.logprobs) ordered.logprobs = [];
      if (event.obfuscation !== undefined) ordered.obfuscation = event.obfuscation;
      let json = JSON.stringify(ordered);
      if (event.change === 'leading-zero') json = json.replace(/("sequence_number":)(\d)/, '$10$2');
      if (typeof event.change === 'object') {
        const position = event.change.at % (json.length + 1);
        json = json.slice(0, position) + event.change.insert + json.slice(position);
      }
      return json;
    }

    /** What a reader read from `text` at `position` (undefined when it left the text alone). */
    function readAll(reader: DeltaEventReader, text: string, position: number) {
      const delta = reader.read(text, position);
      return delta === undefined ? undefined : { delta, head: { ...reader.head }, end: reader.end };
    }

    it('reads every event of a run exactly as a reader that never saw the run does (property, fixed seed)', () => {
      let runsWithPattern = 0;
      fc.assert(
        fc.property(
          headShape,
          withSequenceNumber,
          fc.array(runEvent, { minLength: 20, maxLength: 60 }),
          fc.string({ maxLength: 3 }),
          (head, sequence, events, before) => {
            // One shared head for both framings, as in a parser.
            const frequent = new FrequentDeltaHead();
            const sseReader = new DeltaEventReader('sse', frequent);
            const textReader = new DeltaEventReader('text', frequent);
            for (const event of events) {
              const json = eventJson(head, sequence, event);
              const eventLine = event.eventLine.replace('RUN', String(head.type));
              const sse = `${before}${eventLine}${event.dataPrefix}${json}\n\nevent: next`;
              const position = before.length;
              expect(readAll(sseReader, sse, position)).toEqual(
                readAll(new DeltaEventReader('sse'), sse, position),
              );
              expect(readAll(textReader, json, 0)).toEqual(readAll(new DeltaEventReader('text'), json, 0));
              // The SSE reader never reads a whole text, the text reader never an SSE event.
              expect(sseReader.read(json, 0)).toBeUndefined();
              expect(textReader.read(`${event.dataPrefix}${json}`, 0)).toBeUndefined();
            }
            if (frequent.shape !== undefined) runsWithPattern += 1;
          },
        ),
        { numRuns: 300, seed: 20261130 },
      );
      // Most runs got far enough for their head to be compiled into a pattern.
      expect(runsWithPattern).toBeGreaterThan(150);
    });

    it('reads a run of SSE events in one call exactly as one read per event does (property, fixed seed)', () => {
      let runsWithPattern = 0;
      fc.assert(
        fc.property(
          headShape,
          withSequenceNumber,
          fc.array(runEvent, { minLength: 30, maxLength: 60 }),
          fc.nat(),
          (head, sequence, events, cut) => {
            const starts: number[] = [];
            let text = '';
            for (const event of events) {
              starts.push(text.length);
              const eventLine = event.eventLine.replace('RUN', String(head.type));
              text += `${eventLine}${event.dataPrefix}${eventJson(head, sequence, event)}\n\n`;
            }
            // Cut short anywhere in the last quarter, as a network chunk may be (the texts are long
            // enough for tails and heads to be matched together: see RUN_PATTERN_MIN_TEXT_LENGTH).
            text = text.slice(0, text.length - (cut % Math.ceil(text.length / 4)));
            /** Every delta read (with its head) from every event start on, and where each call stopped. */
            function readEverything(
              readFrom: (reader: DeltaEventReader, position: number, deltas: unknown[]) => number,
            ) {
              const frequent = new FrequentDeltaHead();
              const reader = new DeltaEventReader('sse', frequent);
              const read: unknown[] = [];
              let position = 0;
              while (position < text.length) {
                const end = readFrom(reader, position, read);
                read.push(end);
                // Where none was read, the framer frames that event itself: go on after it.
                position = end === -1 ? (starts.find((start) => start > position) ?? text.length) : end;
              }
              compiled ||= frequent.shape !== undefined;
              return read;
            }
            let compiled = false;
            const byRun = readEverything((reader, position, deltas) => {
              const end = reader.readRun(text, position, (eventHead, delta) => {
                deltas.push({ delta, head: { ...eventHead } });
              });
              return end;
            });
            const byEvent = readEverything((reader, position, deltas) => {
              let end = -1;
              for (;;) {
                const delta = reader.read(text, end === -1 ? position : end);
                if (delta === undefined) return end;
                deltas.push({ delta, head: { ...reader.head } });
                end = reader.end;
              }
            });
            expect(byRun).toEqual(byEvent);
            if (compiled) runsWithPattern += 1;
          },
        ),
        { numRuns: 200, seed: 20261130 },
      );
      // Many runs got far enough for their head to be compiled (then tails and heads are matched together).
      expect(runsWithPattern).toBeGreaterThan(40);
    });

    it('compiles the patterns of a head shape once: responses with new item ids share them', () => {
      // Compiling a pattern costs V8 as long as reading a thousand events; every response has new
      // item ids, so patterns that named the id were compiled again for every response.
      function frequentAfterRun(
        itemId: string | undefined,
        outputIndex: number,
        type = 'response.output_text.delta',
      ): FrequentDeltaHead {
        const frequent = new FrequentDeltaHead();
        const reader = new DeltaEventReader('text', frequent);
        for (let sequenceNumber = 0; sequenceNumber < 40; sequenceNumber += 1) {
          const text = JSON.stringify({
            type,
            sequence_number: sequenceNumber,
            item_id: itemId,
            output_index: outputIndex,
            content_index: 0,
            delta: 'a',
          });
          expect(read(reader, text)).toEqual(fieldsOf(JSON.parse(text) as Record<string, unknown>));
        }
        return frequent;
      }
      const first = frequentAfterRun('msg_0001', 1);
      const second = frequentAfterRun('msg_0002', 1);
      expect(first.shape).toBeDefined();
      expect(second.shape).toBe(first.shape);
      expect(second.head?.item_id).toBe('msg_0002');
      // The indexes are compared with the item id: the same shape too.
      const third = frequentAfterRun('msg_0003', 2);
      expect(third.shape).toBe(first.shape);
      expect(third.head?.output_index).toBe(2);
      // Each run was read by the shared patterns once its head kept coming (the general pattern
      // counts the events it reads: it read no more after the streak).
      expect(first.count).toBeLessThan(40);
      expect(second.count).toBe(first.count);
      expect(third.count).toBe(first.count);
      // Another type is another shape.
      expect(frequentAfterRun('msg_0004', 1, 'response.refusal.delta').shape).not.toBe(first.shape);
      // Without an item id the indexes are compared apart too: heads whose index changes every few
      // events (as a hostile server could send them) compile no new pattern.
      const withoutItemId = frequentAfterRun(undefined, 3);
      const otherIndex = frequentAfterRun(undefined, 400);
      expect(withoutItemId.shape).toBeDefined();
      expect(otherIndex.shape).toBe(withoutItemId.shape);
      expect(otherIndex.head?.output_index).toBe(400);
      expect(otherIndex.count).toBe(first.count);
    });

    it('reads a long run by its compiled pattern, as JSON.parse reads each event', () => {
      const frequent = new FrequentDeltaHead();
      const reader = new DeltaEventReader('text', frequent);
      for (let sequenceNumber = 0; sequenceNumber < 40; sequenceNumber += 1) {
        const text = JSON.stringify({
          type: 'response.output_text.delta',
          sequence_number: sequenceNumber * 37,
          item_id: 'msg_1',
          output_index: 1,
          content_index: 0,
          delta: `a"\\\n${sequenceNumber}`,
          logprobs: [],
          obfuscation: 'abc',
        });
        expect(read(reader, text)).toEqual(fieldsOf(JSON.parse(text) as Record<string, unknown>));
      }
      expect(frequent.shape).toBeDefined();
      // Same head, other shapes after the delta, or broken: the compiled pattern decides nothing alone.
      expect(
        read(
          reader,
          '{"type":"response.output_text.delta","sequence_number":01,"item_id":"msg_1","output_index":1,"content_index":0,"delta":"a"}',
        ),
      ).toBeUndefined();
      expect(
        read(
          reader,
          '{"type":"response.output_text.delta","sequence_number":1,"item_id":"msg_1","output_index":1,"content_index":0,"delta":"a\\x"}',
        ),
      ).toBeUndefined();
      expect(
        read(
          reader,
          '{"type":"response.output_text.delta","sequence_number":1,"item_id":"msg_2","output_index":1,"content_index":0,"delta":"b"}',
        ),
      ).toEqual({
        head: {
          type: 'response.output_text.delta',
          item_id: 'msg_2',
          output_index: 1,
          content_index: 0,
          summary_index: undefined,
        },
        delta: 'b',
      });
    });
  });
});
