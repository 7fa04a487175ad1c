import type { StreamChunk } from '@codetether/responses-protocol';
import { describe, expect, it } from 'vitest';
import { createStreamConverter } from './stream-conversion.js';

function converter(includeRawChunks = false) {
  return createStreamConverter({
    url: 'http://127.0.0.1/responses',
    requestBodyValues: {},
    abortSignal: undefined,
    warnings: [],
    modelId: 'gpt-5.4',
    includeRawChunks,
  });
}

function typesOf(chunks: StreamChunk[], includeRawChunks = false): string[] {
  const convert = converter(includeRawChunks);
  return [...chunks.flatMap((chunk) => convert.convert(chunk)), ...convert.end()].map((part) => part.type);
}

describe('createStreamConverter', () => {
  it('puts the reasoning items on a reasoning block still open at the end', () => {
    const convert = converter();
    convert.convert({ type: 'thinking', text: 'hm' });
    const parts = convert.convert({
      type: 'done',
      finishReason: 'stop',
      responseId: 'resp_1',
      outputItems: [{ type: 'reasoning', encrypted_content: 'gAAAAA1' }],
    });
    expect(parts[0]).toEqual({
      type: 'reasoning-end',
      id: '0',
      providerMetadata: {
        codetether: { reasoningItems: [{ type: 'reasoning', encrypted_content: 'gAAAAA1' }] },
      },
    });
    expect(parts.at(-1)).toMatchObject({
      type: 'finish',
      finishReason: { unified: 'stop', raw: 'stop' },
      providerMetadata: { codetether: { responseId: 'resp_1' } },
    });
    expect(convert.isFinished()).toBe(true);
  });

  it('ends an interrupted stream, and a failed one with an error part and finish reason error', () => {
    expect(typesOf([{ type: 'text', text: 'a' }])).toEqual([
      'text-start',
      'text-delta',
      'text-end',
      'finish',
    ]);
    const convert = converter();
    const parts = [
      ...convert.convert({ type: 'text', text: 'a' }),
      ...convert.convert({ type: 'error', code: 'response-failed', message: 'failed' }),
      ...convert.end(),
    ];
    expect(parts.map((part) => part.type)).toEqual([
      'text-start',
      'text-delta',
      'text-end',
      'error',
      'finish',
    ]);
    expect(parts.at(-1)).toMatchObject({ finishReason: { unified: 'error' } });
  });

  it('skips per-event parse errors and emits raw chunks when asked', () => {
    expect(typesOf([{ type: 'error', code: 'malformed-json', message: 'bad' }], true)).toEqual([
      'raw',
      'finish',
    ]);
  });
});
