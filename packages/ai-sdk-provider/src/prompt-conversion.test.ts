import { UnsupportedFunctionalityError } from '@ai-sdk/provider';
import { describe, expect, it } from 'vitest';
import { convertPrompt } from './prompt-conversion.js';

describe('convertPrompt', () => {
  it('maps system, user text and images, and tool results of every output type', () => {
    const { messages, warnings } = convertPrompt([
      { role: 'system', content: 'Be terse.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'look' },
          { type: 'file', mediaType: 'image/png', data: { type: 'data', data: new Uint8Array([1, 2, 3]) } },
          {
            type: 'file',
            mediaType: 'image/jpeg',
            data: { type: 'url', url: new URL('https://x.test/a.jpg') },
          },
          { type: 'file', mediaType: 'text/plain', data: { type: 'text', text: 'inline doc' } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'calling' },
          { type: 'tool-call', toolCallId: 'call_1', toolName: 'a', input: { x: 1 } },
        ],
      },
      {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: 'call_1',
            toolName: 'a',
            output: { type: 'json', value: { ok: true } },
          },
          {
            type: 'tool-result',
            toolCallId: 'call_2',
            toolName: 'a',
            output: { type: 'execution-denied', reason: 'no' },
          },
          {
            type: 'tool-result',
            toolCallId: 'call_3',
            toolName: 'a',
            output: {
              type: 'content',
              value: [
                { type: 'text', text: 'part' },
                { type: 'file', mediaType: 'image/png', data: { type: 'data', data: 'AAAA' } },
              ],
            },
          },
        ],
      },
    ]);
    expect(messages).toEqual([
      { role: 'system', content: 'Be terse.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'look' },
          { type: 'image', url: 'data:image/png;base64,AQID' },
          { type: 'image', url: 'https://x.test/a.jpg' },
          { type: 'text', text: 'inline doc' },
        ],
      },
      {
        role: 'assistant',
        content: 'calling',
        toolCalls: [{ id: 'call_1', name: 'a', arguments: '{"x":1}' }],
      },
      { role: 'tool', toolCallId: 'call_1', content: '{"ok":true}' },
      { role: 'tool', toolCallId: 'call_2', content: 'Tool execution denied: no' },
      { role: 'tool', toolCallId: 'call_3', content: 'part' },
    ]);
    expect(warnings).toEqual([
      { type: 'unsupported', feature: 'tool result file parts', details: 'dropped' },
    ]);
  });

  it('sends an assistant message with reasoning items as output items, reasoning first', () => {
    const reasoningItem = { type: 'reasoning', summary: [], encrypted_content: 'gAAAAAx' };
    const { messages } = convertPrompt([
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'thought' },
          { type: 'text', text: 'answer' },
          { type: 'tool-call', toolCallId: 'call_1', toolName: 'a', input: {} },
          {
            type: 'reasoning',
            text: '',
            providerOptions: { codetether: { reasoningItems: [reasoningItem] } },
          },
        ],
      },
    ]);
    expect(messages[0]).toMatchObject({
      role: 'assistant',
      outputItems: [
        reasoningItem,
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'answer' }] },
        { type: 'function_call', call_id: 'call_1', name: 'a', arguments: '{}' },
      ],
    });
  });

  it('sends documents (PDFs) as file parts: bytes or base64 inline with their filename, URLs and OpenAI file ids by reference', () => {
    const { messages } = convertPrompt([
      {
        role: 'user',
        content: [
          {
            type: 'file',
            mediaType: 'application/pdf',
            filename: 'report.pdf',
            data: { type: 'data', data: new Uint8Array([37, 80, 68, 70]) },
          },
          { type: 'file', mediaType: 'application/pdf', data: { type: 'data', data: 'JVBERg==' } },
          {
            type: 'file',
            mediaType: 'application/pdf',
            data: { type: 'url', url: new URL('https://x.test/a.pdf') },
          },
          {
            type: 'file',
            mediaType: 'application/pdf',
            data: { type: 'reference', reference: { openai: 'file-abc' } },
          },
        ],
      },
    ]);
    expect(messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'file', fileData: 'data:application/pdf;base64,JVBERg==', filename: 'report.pdf' },
          { type: 'file', fileData: 'data:application/pdf;base64,JVBERg==', filename: 'document.pdf' },
          { type: 'file', fileUrl: 'https://x.test/a.pdf' },
          { type: 'file', fileId: 'file-abc' },
        ],
      },
    ]);
  });

  it.each([
    ['audio', { type: 'file', mediaType: 'audio/wav', data: { type: 'data', data: 'AA' } }],
    ['video', { type: 'file', mediaType: 'video/mp4', data: { type: 'data', data: 'AA' } }],
    [
      'a reference of another provider',
      {
        type: 'file',
        mediaType: 'application/pdf',
        data: { type: 'reference', reference: { anthropic: 'f' } },
      },
    ],
  ] as const)('refuses %s files', (_name, part) => {
    expect(() => convertPrompt([{ role: 'user', content: [part as never] }])).toThrow(
      UnsupportedFunctionalityError,
    );
  });
});
