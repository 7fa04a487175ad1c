import { describe, expect, it } from 'vitest';
import { createModelMap } from './dialect-model-map.js';
import { createOllamaAnswer } from './ollama-answer.js';
import {
  ollamaChatToCompletionRequest,
  ollamaGenerateToCompletionRequest,
} from './ollama-request-conversion.js';
import { ollamaChatRequestSchema, ollamaGenerateRequestSchema } from './ollama-request-schema.js';

const modelMap = createModelMap();

describe('Ollama request conversion', () => {
  it('gives tool calls without ids made-up ids and pairs tool messages by name', () => {
    const request = ollamaChatToCompletionRequest(
      ollamaChatRequestSchema.parse({
        model: 'gpt-5.4',
        think: 'high',
        format: 'json',
        options: { temperature: 0.2, num_predict: 50, top_k: 3 },
        messages: [
          { role: 'user', content: 'Look', images: ['iVBORw0KGgo'] },
          {
            role: 'assistant',
            content: '',
            tool_calls: [
              { function: { name: 'a', arguments: { x: 1 } } },
              { function: { name: 'b', arguments: {} } },
            ],
          },
          { role: 'tool', content: 'B', tool_name: 'b' },
          { role: 'tool', content: 'A', tool_name: 'a' },
        ],
      }),
      modelMap,
    );
    expect(request).toEqual({
      model: 'gpt-5.4',
      reasoningEffort: 'high',
      responseFormat: { type: 'json_object' },
      temperature: 0.2,
      maxOutputTokens: 50,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Look' },
            { type: 'image', url: 'data:image/png;base64,iVBORw0KGgo' },
          ],
        },
        {
          role: 'assistant',
          toolCalls: [
            { id: 'call_1_0', name: 'a', arguments: '{"x":1}' },
            { id: 'call_1_1', name: 'b', arguments: '{}' },
          ],
        },
        { role: 'tool', toolCallId: 'call_1_1', content: 'B' },
        { role: 'tool', toolCallId: 'call_1_0', content: 'A' },
      ],
    });
  });

  it('turns a generate prompt into one exchange and refuses a suffix', () => {
    const body = ollamaGenerateRequestSchema.parse({ model: 'claude-haiku-4-5', system: 'S', prompt: 'P' });
    expect(ollamaGenerateToCompletionRequest(body, modelMap)).toEqual({
      model: 'gpt-5.4-mini',
      messages: [
        { role: 'system', content: 'S' },
        { role: 'user', content: 'P' },
      ],
    });
    expect(() => ollamaGenerateToCompletionRequest({ ...body, suffix: 'end' }, modelMap)).toThrow(/suffix/);
  });
});

describe('Ollama answer', () => {
  const clocks = { now: () => 0, elapsedNanoseconds: () => 1_000 };

  it('streams NDJSON lines, a tool call whole, and a done line with counts', () => {
    const answer = createOllamaAnswer({ endpoint: 'chat', model: 'm', includeThinking: true, ...clocks });
    const lines = [
      answer.add({ type: 'thinking', text: 'hm' }),
      answer.add({ type: 'text', text: 'Hi' }),
      answer.add({ type: 'tool-call-start', id: 'call_1', name: 'a' }),
      answer.add({ type: 'tool-call-delta', id: 'call_1', argumentsDelta: '{"x":1}' }),
      answer.add({ type: 'tool-call-end', id: 'call_1' }),
      answer.add({
        type: 'done',
        finishReason: 'length',
        usage: { promptTokens: 2, completionTokens: 3, totalTokens: 5 },
      }),
    ]
      .join('')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.message)).toEqual([
      { role: 'assistant', content: '', thinking: 'hm' },
      { role: 'assistant', content: 'Hi' },
      {
        role: 'assistant',
        content: '',
        tool_calls: [{ id: 'call_1', function: { index: 0, name: 'a', arguments: { x: 1 } } }],
      },
      { role: 'assistant', content: '' },
    ]);
    expect(lines.at(-1)).toMatchObject({
      done: true,
      done_reason: 'length',
      prompt_eval_count: 2,
      eval_count: 3,
    });
    expect(answer.result()).toMatchObject({
      message: { content: 'Hi', thinking: 'hm', tool_calls: [{ function: { name: 'a' } }] },
      done: true,
    });
  });
});
