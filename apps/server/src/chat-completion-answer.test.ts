import type { StreamChunk } from '@codetether/responses-protocol';
import { describe, expect, it } from 'vitest';
import { createChatCompletionAnswer } from './chat-completion-answer.js';
import { GatewayError } from './openai-error.js';

const chunks: StreamChunk[] = [
  { type: 'text', text: 'Hel' },
  { type: 'text', text: 'lo' },
  {
    type: 'done',
    finishReason: 'stop',
    usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 },
  },
];

const options = {
  id: 'chatcmpl-1',
  created: 1,
  model: 'gpt-5',
  includeReasoning: false,
  includeUsage: false,
};

function dataOf(text: string): unknown[] {
  return text
    .split('\n\n')
    .filter((frame) => frame !== '')
    .map((frame) => frame.replace(/^data: /, ''))
    .map((payload) => (payload === '[DONE]' ? payload : JSON.parse(payload)));
}

describe('chat completion answer', () => {
  it('streams each chunk as its SSE frames, the role with the first delta and [DONE] after the finish', () => {
    const answer = createChatCompletionAnswer({ ...options, stream: true });
    const [first, second, last] = chunks.map((chunk) => answer.add(chunk));
    expect(dataOf(first ?? '')).toMatchObject([
      { object: 'chat.completion.chunk', choices: [{ delta: { role: 'assistant', content: '' } }] },
      { choices: [{ delta: { content: 'Hel' } }] },
    ]);
    expect(dataOf(second ?? '')).toMatchObject([{ choices: [{ delta: { content: 'lo' } }] }]);
    const final = dataOf(last ?? '');
    expect(final.at(-1)).toBe('[DONE]');
    expect(final[0]).toMatchObject({ choices: [{ finish_reason: 'stop' }] });
  });

  it('collects a request that is not streamed into one chat.completion and sends no frames', () => {
    const answer = createChatCompletionAnswer({ ...options, stream: false });
    expect(chunks.map((chunk) => answer.add(chunk))).toEqual(['', '', '']);
    expect(answer.result()).toMatchObject({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      model: 'gpt-5',
      choices: [{ message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    });
  });

  it('ends a stream with an OpenAI error body', () => {
    const answer = createChatCompletionAnswer({ ...options, stream: true });
    const error = new GatewayError(502, 'server_error', 'The upstream failed.', { code: 'upstream_error' });
    expect(dataOf(answer.errorFrame(error))).toEqual([error.toBody()]);
  });
});
