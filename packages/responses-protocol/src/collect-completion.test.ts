import { describe, expect, it } from 'vitest';
import { collectCompletion } from './collect-completion.js';
import { ResponsesStreamError } from './errors.js';
import type { StreamChunk } from './stream-chunk.js';

async function* fromArray(chunks: StreamChunk[]): AsyncGenerator<StreamChunk> {
  for (const chunk of chunks) yield chunk;
}

describe('collectCompletion', () => {
  const chunks: StreamChunk[] = [
    { type: 'thinking', text: 'Hmm. ' },
    { type: 'text', text: 'Hello' },
    { type: 'error', code: 'malformed-json', message: 'skipped' },
    { type: 'tool-call-start', id: 'call_a', name: 'a' },
    { type: 'tool-call-start', id: 'call_b', name: 'b' },
    { type: 'tool-call-delta', id: 'call_b', argumentsDelta: '{"y"' },
    { type: 'tool-call-delta', id: 'call_a', argumentsDelta: '{"x":1}' },
    { type: 'tool-call-delta', id: 'call_b', argumentsDelta: ':2}' },
    { type: 'tool-call-end', id: 'call_a' },
    { type: 'tool-call-end', id: 'call_b' },
    { type: 'text', text: ' world' },
    {
      type: 'done',
      finishReason: 'tool-calls',
      usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 },
    },
  ];

  it('collects text, thinking, tool calls in start order, usage and finish reason', async () => {
    const expected = {
      text: 'Hello world',
      thinking: 'Hmm. ',
      toolCalls: [
        { id: 'call_a', name: 'a', arguments: '{"x":1}' },
        { id: 'call_b', name: 'b', arguments: '{"y":2}' },
      ],
      usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 },
      finishReason: 'tool-calls',
    };
    await expect(collectCompletion(chunks)).resolves.toEqual(expected);
    await expect(collectCompletion(fromArray(chunks))).resolves.toEqual(expected);
  });

  it('throws a ResponsesStreamError with the code and message of a fatal error chunk', async () => {
    const error = await collectCompletion([
      { type: 'text', text: 'partial' },
      { type: 'error', code: 'context_length_exceeded', message: 'Too long.' },
    ]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ResponsesStreamError);
    expect(error).toMatchObject({ code: 'context_length_exceeded', message: 'Too long.' });
    await expect(collectCompletion([{ type: 'error', message: 'No code.' }])).rejects.toMatchObject({
      code: 'stream-error',
    });
  });

  it('throws stream-closed when the chunks end without done', async () => {
    await expect(collectCompletion([{ type: 'text', text: 'cut' }])).rejects.toMatchObject({
      code: 'stream-closed',
      message: expect.stringContaining('stream closed before completion'),
    });
  });

  it('keeps the response id and output items of the done chunk', async () => {
    const items = [{ id: 'rs_1', type: 'reasoning', summary: [], encrypted_content: 'gAAAAAB' }];
    const completion = await collectCompletion([
      { type: 'done', finishReason: 'stop', responseId: 'resp_1', outputItems: items },
    ]);
    expect(completion.responseId).toBe('resp_1');
    expect(completion.outputItems).toEqual(items);
  });
});
