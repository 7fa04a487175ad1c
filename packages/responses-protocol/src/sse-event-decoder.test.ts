import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ResponsesProtocolError } from './errors.js';
import { createResponsesSseParser } from './responses-sse-parser.js';
import { createSseEventDecoder, type DecodedSseItem } from './sse-event-decoder.js';

function decodeAll(...inputs: (string | Uint8Array)[]): DecodedSseItem[] {
  const decoder = createSseEventDecoder();
  const items: DecodedSseItem[] = [];
  for (const input of inputs) items.push(...decoder.feed(input));
  items.push(...decoder.end());
  return items;
}

const delta = (text: string) => ({
  kind: 'event',
  event: { type: 'response.output_text.delta', delta: text },
});

describe('createSseEventDecoder', () => {
  it('decodes LF, CRLF and CR line endings alike', () => {
    const body = (newline: string) =>
      `data: {"type":"response.output_text.delta","delta":"a"}${newline}${newline}data: {"type":"response.output_text.delta","delta":"b"}${newline}${newline}`;
    for (const newline of ['\n', '\r\n', '\r']) {
      expect(decodeAll(body(newline))).toEqual([delta('a'), delta('b')]);
    }
  });

  it('drops a byte-order mark, also when its bytes arrive one by one', () => {
    const bytes = new TextEncoder().encode(
      '\uFEFFdata: {"type":"response.output_text.delta","delta":"x"}\n\n',
    );
    expect(decodeAll(bytes)).toEqual([delta('x')]);
    expect(decodeAll(bytes.subarray(0, 1), bytes.subarray(1, 2), bytes.subarray(2))).toEqual([delta('x')]);
    expect(decodeAll('\uFEFFdata: {"type":"response.output_text.delta","delta":"x"}\n\n')).toEqual([
      delta('x'),
    ]);
  });

  it('ignores comments, id and retry lines, and unknown fields', () => {
    const text =
      ': hello\nid: 4\nretry: 1000\nfoo: bar\ndata: {"type":"response.output_text.delta","delta":"a"}\n\n: bye\n\n';
    expect(decodeAll(text)).toEqual([delta('a')]);
  });

  it('joins multi-line data with a line feed before parsing it', () => {
    const text = 'data: {"type":"response.output_text.delta",\ndata: "delta":"a"}\n\n';
    expect(decodeAll(text)).toEqual([delta('a')]);
  });

  it('reports [DONE]', () => {
    expect(decodeAll('data: [DONE]\n\n')).toEqual([{ kind: 'done' }]);
  });

  it('flushes the last event at the end even without the trailing blank line (LF, CR and none)', () => {
    for (const ending of ['', '\n', '\r', '\r\n']) {
      expect(decodeAll(`data: {"type":"response.output_text.delta","delta":"z"}${ending}`)).toEqual([
        delta('z'),
      ]);
    }
  });

  it('keeps a multi-byte character split across chunks whole', () => {
    const bytes = new TextEncoder().encode('data: {"type":"response.output_text.delta","delta":"日🙂"}\n\n');
    const at = bytes.indexOf(0xf0) + 2;
    expect(decodeAll(bytes.subarray(0, at), bytes.subarray(at))).toEqual([delta('日🙂')]);
  });

  it('turns malformed JSON into an error item and goes on', () => {
    const items = decodeAll('data: {"type":\n\ndata: {"type":"response.output_text.delta","delta":"ok"}\n\n');
    expect(items).toHaveLength(2);
    const [first, second] = items;
    expect(first?.kind).toBe('error');
    if (first?.kind === 'error') {
      expect(first.error).toBeInstanceOf(ResponsesProtocolError);
      expect(first.error.code).toBe('malformed-json');
      expect(first.error.cause).toBeInstanceOf(SyntaxError);
    }
    expect(second).toEqual(delta('ok'));
  });

  it('reports JSON that is not an event object as invalid-event', () => {
    for (const data of ['[1,2]', '42', 'null', '{"type":7}']) {
      const [item] = decodeAll(`data: ${data}\n\n`);
      expect(item?.kind === 'error' && item.error.code).toBe('invalid-event');
    }
  });

  it('uses the SSE event name when the JSON has no type', () => {
    expect(decodeAll('event: keepalive\ndata: {}\n\n')).toEqual([
      { kind: 'event', event: { type: 'keepalive' } },
    ]);
  });

  it('skips events with blank data', () => {
    expect(decodeAll('data:\n\ndata:  \n\n')).toEqual([]);
  });

  it('stops with a typed buffer-limit error instead of buffering without bound', () => {
    const decoder = createSseEventDecoder({ maxBufferBytes: 64 });
    const items = decoder.feed(`data: ${'x'.repeat(100)}`);
    expect(items).toHaveLength(1);
    const [item] = items;
    expect(item?.kind === 'error' && item.error.code).toBe('buffer-limit-exceeded');
    expect(decoder.feed('\n\ndata: {"type":"keepalive"}\n\n')).toEqual([]);
    expect(decoder.end()).toEqual([]);
  });

  it('counts data of an unfinished event against the limit too', () => {
    const decoder = createSseEventDecoder({ maxBufferBytes: 64 });
    const items = [...decoder.feed('data: aaaaaaaaaaaaaaaaaaaa\n'.repeat(5))];
    expect(items.map((item) => item.kind === 'error' && item.error.code)).toEqual(['buffer-limit-exceeded']);
  });

  it('allows events up to the limit', () => {
    const decoder = createSseEventDecoder({ maxBufferBytes: 1024 });
    const text = `data: {"type":"response.output_text.delta","delta":"${'y'.repeat(900)}"}\n\n`;
    expect(decoder.feed(text)).toEqual([delta('y'.repeat(900))]);
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 48 }), { maxLength: 16 }), (pieces) => {
        const decoder = createSseEventDecoder({ maxBufferBytes: 256 });
        for (const piece of pieces) decoder.feed(piece);
        decoder.end();
      }),
      { numRuns: 300 },
    );
  });
});

describe('createResponsesSseParser limits', () => {
  it('ends the stream with one buffer-limit-exceeded error chunk', () => {
    const parser = createResponsesSseParser({ maxBufferBytes: 32 });
    expect(parser.feed(`data: ${'x'.repeat(40)}`)).toEqual([
      { type: 'error', code: 'buffer-limit-exceeded', message: expect.stringContaining('maxBufferBytes') },
    ]);
    expect(parser.feed('\n\n')).toEqual([]);
    expect(parser.end()).toEqual([]);
  });

  it('defaults the limit to 16 MiB', () => {
    const parser = createResponsesSseParser();
    expect(parser.feed(`data: ${'x'.repeat(1024 * 1024)}`)).toEqual([]);
  });

  it('treats [DONE] without a completed event as the end of a successful stream', () => {
    const parser = createResponsesSseParser();
    expect(
      parser.feed('data: {"type":"response.output_text.delta","delta":"hi"}\n\ndata: [DONE]\n\n'),
    ).toEqual([
      { type: 'text', text: 'hi' },
      { type: 'done', finishReason: 'stop' },
    ]);
    expect(parser.end()).toEqual([]);
  });

  it('ignores everything after a terminal event', () => {
    const parser = createResponsesSseParser();
    const chunks = parser.feed(
      'data: {"type":"response.completed","response":{}}\n\ndata: {"type":"response.output_text.delta","delta":"late"}\n\ndata: oops\n\n',
    );
    expect(chunks).toEqual([{ type: 'done', finishReason: 'stop' }]);
    expect(parser.end()).toEqual([]);
  });
});
