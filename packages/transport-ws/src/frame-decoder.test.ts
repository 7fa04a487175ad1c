import { describe, expect, it } from 'vitest';
import { decodeFrame, MalformedFrameError } from './frame-decoder.js';

describe('decodeFrame', () => {
  it('decodes text and binary frames as UTF-8 JSON events', () => {
    const text = JSON.stringify({ type: 'response.output_text.delta', delta: 'héllo ✓' });
    expect(decodeFrame(Buffer.from(text), false)).toEqual({
      type: 'response.output_text.delta',
      delta: 'héllo ✓',
    });
    const bytes = new TextEncoder().encode(text);
    expect(
      decodeFrame(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), true),
    ).toMatchObject({
      delta: 'héllo ✓',
    });
    const half = Math.floor(text.length / 2);
    expect(
      decodeFrame([Buffer.from(text.slice(0, half)), Buffer.from(text.slice(half))], true),
    ).toMatchObject({
      type: 'response.output_text.delta',
    });
  });

  it('rejects invalid UTF-8, non-JSON and non-events', () => {
    expect(() => decodeFrame(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), true)).toThrow(MalformedFrameError);
    expect(() => decodeFrame(Buffer.from('data: {"type":"x"}'), false)).toThrow(/not JSON/);
    expect(() => decodeFrame(Buffer.from('[1,2]'), false)).toThrow(/not an event object/);
    expect(() => decodeFrame(Buffer.from('{"delta":"x"}'), false)).toThrow(/no string `type`/);
  });

  it('never puts frame contents in the message', () => {
    try {
      decodeFrame(Buffer.from('Bearer secret-token-value'), false);
      expect.unreachable();
    } catch (error) {
      expect(String(error)).not.toContain('secret-token-value');
    }
  });
});
