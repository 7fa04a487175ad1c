import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createNodeBodySource } from './body-reader.js';
import { incomingHeadersToRecord } from './response-metadata.js';

describe('createNodeBodySource', () => {
  it('reads chunks in order and then reports the end', async () => {
    const reader = createNodeBodySource(Readable.from([Buffer.from('ab'), Buffer.from('c')])).getReader();
    const texts: string[] = [];
    for (;;) {
      const result = await reader.read();
      if (result.done) break;
      texts.push(Buffer.from(result.value).toString());
    }
    expect(texts).toEqual(['ab', 'c']);
  });

  it('destroys the body on cancel, even before the first read, without an unhandled error', async () => {
    const readable = new Readable({ read() {} });
    const reader = createNodeBodySource(readable).getReader();
    await reader.cancel();
    expect(readable.destroyed).toBe(true);
  });

  it('rejects a pending read when the body fails', async () => {
    const readable = new Readable({ read() {} });
    const reader = createNodeBodySource(readable).getReader();
    const pending = reader.read();
    readable.destroy(new Error('socket reset'));
    await expect(pending).rejects.toThrow('socket reset');
  });
});

describe('incomingHeadersToRecord', () => {
  it('lower-cases names, joins repeated values and skips missing ones', () => {
    expect(incomingHeadersToRecord({ 'X-Request-Id': 'a', via: ['b', 'c'], gone: undefined })).toEqual({
      'x-request-id': 'a',
      via: 'b, c',
    });
  });
});
