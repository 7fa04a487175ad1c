import { describe, expect, it } from 'vitest';
import { readBodyPrefix } from './body-prefix.js';

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('readBodyPrefix', () => {
  it('reads a body within the limit whole', async () => {
    const prefix = await readBodyPrefix(new Response('hello'), 5);
    expect(text(prefix.bytes)).toBe('hello');
    expect(prefix.isCut).toBe(false);
    const empty = await readBodyPrefix(new Response(null), 5);
    expect(empty.bytes.byteLength).toBe(0);
    expect(empty.isCut).toBe(false);
  });

  it('keeps the first bytes of a longer body and cancels the rest', async () => {
    let chunksPulled = 0;
    let cancelled = false;
    const chunk = new TextEncoder().encode('abcd');
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        chunksPulled += 1;
        controller.enqueue(chunk);
      },
      cancel() {
        cancelled = true;
      },
    });
    const prefix = await readBodyPrefix(new Response(body), 10);
    expect(text(prefix.bytes)).toBe('abcdabcdab');
    expect(prefix.isCut).toBe(true);
    expect(cancelled).toBe(true);
    expect(chunksPulled).toBeLessThanOrEqual(4);
  });

  it('throws a failure while reading as it is', async () => {
    const failure = new Error('connection reset');
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(failure);
      },
    });
    await expect(readBodyPrefix(new Response(body), 10)).rejects.toBe(failure);
  });
});
