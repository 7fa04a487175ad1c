import { describe, expect, it } from 'vitest';
import { createAnthropicMessageAnswer } from './anthropic-message-answer.js';
import { anthropicMessagesRequestSchema } from './anthropic-messages-schema.js';
import { anthropicToCompletionRequest } from './anthropic-request-conversion.js';
import { createModelMap } from './dialect-model-map.js';
import { GatewayError } from './openai-error.js';

const modelMap = createModelMap();

function convert(body: unknown) {
  return anthropicToCompletionRequest(anthropicMessagesRequestSchema.parse(body), modelMap);
}

function eventsOf(text: string): { event: string; data: Record<string, unknown> }[] {
  return text
    .split('\n\n')
    .filter((frame) => frame !== '')
    .map((frame) => {
      const [eventLine, dataLine] = frame.split('\n');
      return { event: eventLine?.slice(7) ?? '', data: JSON.parse(dataLine?.slice(6) ?? '{}') };
    });
}

describe('Anthropic request conversion', () => {
  it('converts system, images, tool uses and tool results', () => {
    const request = convert({
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      system: [{ type: 'text', text: 'Be brief.' }],
      tool_choice: { type: 'any' },
      tools: [{ name: 'get_weather', input_schema: { type: 'object' } }],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hmm', signature: 'x' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_1', content: [{ type: 'text', text: 'Sunny' }] },
            { type: 'text', text: 'And tomorrow?' },
          ],
        },
      ],
    });
    expect(request).toEqual({
      model: 'gpt-5.4-mini',
      maxOutputTokens: 100,
      toolChoice: 'required',
      tools: [{ name: 'get_weather', parameters: { type: 'object' } }],
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', url: 'data:image/png;base64,AAAA' },
          ],
        },
        {
          role: 'assistant',
          content: 'Checking.',
          toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
        },
        { role: 'tool', toolCallId: 'call_1', content: 'Sunny' },
        { role: 'user', content: 'And tomorrow?' },
      ],
    });
  });

  it('converts document blocks: a base64 PDF and a PDF URL to file parts, plain text to text', () => {
    const request = convert({
      model: 'gpt-5.4',
      max_tokens: 100,
      messages: [
        {
          role: 'user',
          content: [
            {
              type: 'document',
              source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' },
              title: 'report.pdf',
            },
            { type: 'document', source: { type: 'url', url: 'https://example.test/a.pdf' } },
            {
              type: 'document',
              source: { type: 'text', media_type: 'text/plain', data: 'Notes.' },
              title: 'Notes',
            },
            { type: 'text', text: 'Summarise.' },
          ],
        },
      ],
    });
    expect(request.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'file', fileData: 'data:application/pdf;base64,JVBERi0=', filename: 'report.pdf' },
          { type: 'file', fileUrl: 'https://example.test/a.pdf' },
          { type: 'text', text: 'Notes:\n\nNotes.' },
          { type: 'text', text: 'Summarise.' },
        ],
      },
    ]);
  });

  it.each([
    ['a base64 document that is not a PDF', { type: 'base64', media_type: 'application/zip', data: 'AAAA' }],
    ['a base64 PDF whose data is not base64', { type: 'base64', media_type: 'application/pdf', data: '<x>' }],
    ['a document URL that is not http(s)', { type: 'url', url: 'file:///etc/passwd' }],
  ])('refuses %s', (_name, source) => {
    expect(() =>
      convert({
        model: 'gpt-5.4',
        max_tokens: 10,
        messages: [{ role: 'user', content: [{ type: 'document', source }] }],
      }),
    ).toThrow();
  });

  it('maps thinking budgets and output effort, and refuses stop sequences', () => {
    const base = { model: 'gpt-5.4', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] };
    expect(convert({ ...base, thinking: { type: 'enabled', budget_tokens: 2000 } }).reasoningEffort).toBe(
      'low',
    );
    expect(convert({ ...base, output_config: { effort: 'max' } }).reasoningEffort).toBe('xhigh');
    expect(() => convert({ ...base, stop_sequences: ['END'] })).toThrow(GatewayError);
  });
});

describe('Anthropic message answer', () => {
  it("streams Anthropic's event sequence and builds the same message", () => {
    const answer = createAnthropicMessageAnswer({ model: 'claude-sonnet-4-6', includeThinking: true });
    const text = [
      answer.add({ type: 'thinking', text: 'Plan.' }),
      answer.add({ type: 'text', text: 'Let me ' }),
      answer.add({ type: 'text', text: 'check.' }),
      answer.add({ type: 'tool-call-start', id: 'call_1', name: 'get_weather' }),
      answer.add({ type: 'tool-call-delta', id: 'call_1', argumentsDelta: '{"city":' }),
      answer.add({ type: 'tool-call-delta', id: 'call_1', argumentsDelta: '"Paris"}' }),
      answer.add({ type: 'tool-call-end', id: 'call_1' }),
      answer.add({
        type: 'done',
        finishReason: 'tool-calls',
        usage: { promptTokens: 5, completionTokens: 7, totalTokens: 12, cacheReadTokens: 3 },
      }),
    ].join('');
    const events = eventsOf(text);
    expect(
      events.map(
        ({ event, data }) =>
          `${event}${data.delta ? `:${(data.delta as { type?: string }).type ?? ''}` : ''}`,
      ),
    ).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      'content_block_delta:thinking_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta:text_delta',
      'content_block_delta:text_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta:input_json_delta',
      'content_block_delta:input_json_delta',
      'content_block_stop',
      'message_delta:',
      'message_stop',
    ]);
    expect(events.at(-2)?.data).toMatchObject({
      delta: { stop_reason: 'tool_use' },
      usage: { input_tokens: 5, output_tokens: 7, cache_read_input_tokens: 3 },
    });
    expect(answer.result()).toMatchObject({
      type: 'message',
      model: 'claude-sonnet-4-6',
      stop_reason: 'tool_use',
      content: [
        { type: 'thinking', thinking: 'Plan.' },
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
      ],
    });
  });

  it('leaves thinking out unless asked, and ends a stream with an Anthropic error event', () => {
    const answer = createAnthropicMessageAnswer({ model: 'm', includeThinking: false });
    expect(answer.add({ type: 'thinking', text: 'x' })).not.toContain('thinking_delta');
    const error = answer.errorFrame(new GatewayError(429, 'rate_limit_error', 'Slow down.'));
    expect(error).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"rate_limit_error","message":"Slow down."}}\n\n',
    );
  });
});
