import { describe, expect, it } from 'vitest';
import type { CompletionRequest } from './completion-request.js';
import { ResponsesProtocolError } from './errors.js';
import { buildResponsesRequestBody, DEFAULT_INSTRUCTIONS } from './request-body.js';

const conversation: CompletionRequest = {
  model: 'gpt-5.4-fast:high',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'developer', content: 'Use tools.' },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Weather?' },
        { type: 'image', url: 'data:image/png;base64,AAAA' },
        { type: 'file', fileData: 'data:application/pdf;base64,JVBERi0=', filename: 'report.pdf' },
        { type: 'file', fileUrl: 'https://example.com/a.pdf' },
        { type: 'file', fileId: 'file-abc', filename: 'b.pdf' },
      ],
    },
    {
      role: 'assistant',
      content: 'Checking.',
      toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' }],
    },
    { role: 'tool', toolCallId: 'call_1', content: 'sunny' },
    { role: 'tool', toolCallId: 'call_unknown', content: 'orphan' },
    { role: 'user', content: 'Thanks' },
  ],
  tools: [
    { name: 'weather', description: 'Current weather', parameters: { type: 'object', properties: {} } },
  ],
  maxOutputTokens: 500,
  temperature: 0.2,
};

describe('buildResponsesRequestBody', () => {
  it('builds the ChatGPT backend body', () => {
    const warnings: string[] = [];
    const body = buildResponsesRequestBody(conversation, {
      backend: 'chatgpt',
      sessionId: 'session-1',
      onWarning: (message) => warnings.push(message),
    });
    expect(body).toEqual({
      model: 'gpt-5.4',
      instructions: 'Be brief.\n\nUse tools.',
      input: [
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'Weather?' },
            { type: 'input_image', image_url: 'data:image/png;base64,AAAA' },
            { type: 'input_file', file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'report.pdf' },
            { type: 'input_file', file_url: 'https://example.com/a.pdf' },
            { type: 'input_file', file_id: 'file-abc', filename: 'b.pdf' },
          ],
        },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Checking.' }] },
        { type: 'function_call', call_id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'sunny' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Thanks' }] },
      ],
      stream: true,
      store: false,
      tools: [
        {
          type: 'function',
          name: 'weather',
          description: 'Current weather',
          strict: false,
          parameters: { type: 'object', properties: {} },
        },
      ],
      tool_choice: 'auto',
      parallel_tool_calls: true,
      reasoning: { effort: 'high', summary: 'auto' },
      include: ['reasoning.encrypted_content'],
      service_tier: 'priority',
      prompt_cache_key: 'session-1',
    });
    expect(body).not.toHaveProperty('max_output_tokens');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('call_unknown');
  });

  it('sends max_output_tokens to the OpenAI API backend, and temperature only to models without reasoning', () => {
    expect(buildResponsesRequestBody(conversation, { backend: 'openai' })).toMatchObject({
      max_output_tokens: 500,
    });
    expect(buildResponsesRequestBody(conversation, { backend: 'openai' })).not.toHaveProperty('temperature');
    const plain = buildResponsesRequestBody({ ...conversation, model: 'gpt-4.1' }, { backend: 'openai' });
    expect(plain).toMatchObject({ model: 'gpt-4.1', temperature: 0.2, max_output_tokens: 500 });
    expect(plain).not.toHaveProperty('reasoning');
    expect(plain).not.toHaveProperty('include');
  });

  it('falls back to the default instructions, or the given ones', () => {
    const request: CompletionRequest = { model: 'gpt-5.4', messages: [{ role: 'user', content: 'Hi' }] };
    expect(buildResponsesRequestBody(request, { backend: 'chatgpt' }).instructions).toBe(
      DEFAULT_INSTRUCTIONS,
    );
    expect(
      buildResponsesRequestBody(request, { backend: 'chatgpt', defaultInstructions: 'Custom.' }).instructions,
    ).toBe('Custom.');
    const blank: CompletionRequest = {
      ...request,
      messages: [{ role: 'system', content: '  ' }, ...request.messages],
    };
    expect(buildResponsesRequestBody(blank, { backend: 'chatgpt' }).instructions).toBe(DEFAULT_INSTRUCTIONS);
  });

  it('chooses the effort: request, then alias suffix, then default; none for models without effort', () => {
    const base = { messages: [{ role: 'user' as const, content: 'Hi' }] };
    expect(
      buildResponsesRequestBody(
        { ...base, model: 'gpt-5.4:low', reasoningEffort: 'high' },
        { backend: 'chatgpt', defaultEffort: 'medium' },
      ).reasoning,
    ).toEqual({ effort: 'high', summary: 'auto' });
    expect(
      buildResponsesRequestBody(
        { ...base, model: 'gpt-5.4:low' },
        { backend: 'chatgpt', defaultEffort: 'medium' },
      ).reasoning,
    ).toEqual({ effort: 'low', summary: 'auto' });
    expect(
      buildResponsesRequestBody(
        { ...base, model: 'gpt-5.4' },
        { backend: 'chatgpt', defaultEffort: 'medium' },
      ).reasoning,
    ).toEqual({ effort: 'medium', summary: 'auto' });
    expect(
      buildResponsesRequestBody({ ...base, model: 'gpt-5.4' }, { backend: 'chatgpt' }).reasoning,
    ).toEqual({ summary: 'auto' });
    expect(
      buildResponsesRequestBody({ ...base, model: 'gpt-4o', reasoningEffort: 'high' }, { backend: 'openai' }),
    ).not.toHaveProperty('reasoning');
  });

  it('maps a named tool choice and omits tools and the cache key when absent', () => {
    const body = buildResponsesRequestBody(
      { model: 'gpt-5.4', messages: [{ role: 'user', content: 'Hi' }], toolChoice: { name: 'weather' } },
      { backend: 'chatgpt' },
    );
    expect(body.tool_choice).toEqual({ type: 'function', name: 'weather' });
    expect(body).not.toHaveProperty('tools');
    expect(body).not.toHaveProperty('prompt_cache_key');
    expect(body).not.toHaveProperty('service_tier');
  });

  it('drops a tool result that comes before its call, and empty messages', () => {
    const warnings: string[] = [];
    const body = buildResponsesRequestBody(
      {
        model: 'gpt-5.4',
        messages: [
          { role: 'tool', toolCallId: 'call_1', content: 'early' },
          { role: 'user', content: '' },
          { role: 'assistant', toolCalls: [{ id: 'call_1', name: 'f', arguments: '{}' }] },
        ],
      },
      { backend: 'chatgpt', onWarning: (message) => warnings.push(message) },
    );
    expect(body.input).toEqual([{ type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}' }]);
    expect(warnings).toHaveLength(1);
  });

  it('rejects an empty model with a typed error', () => {
    expect(() => buildResponsesRequestBody({ model: ' ', messages: [] }, { backend: 'chatgpt' })).toThrow(
      ResponsesProtocolError,
    );
  });
});

describe('buildResponsesRequestBody structured output', () => {
  const base: CompletionRequest = { model: 'gpt-5.4', messages: [{ role: 'user', content: 'Give JSON' }] };

  it('sends a JSON Schema as text.format on both backends', () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    for (const backend of ['chatgpt', 'openai'] as const) {
      const body = buildResponsesRequestBody(
        {
          ...base,
          responseFormat: { type: 'json_schema', name: 'place', schema, strict: true, description: 'A city' },
        },
        { backend },
      );
      expect(body.text).toEqual({
        format: { type: 'json_schema', name: 'place', schema, strict: true, description: 'A city' },
      });
    }
  });

  it('sends JSON mode as text.format json_object, and nothing for plain text', () => {
    const json = buildResponsesRequestBody(
      { ...base, responseFormat: { type: 'json_object' } },
      { backend: 'chatgpt' },
    );
    expect(json.text).toEqual({ format: { type: 'json_object' } });
    const text = buildResponsesRequestBody(
      { ...base, responseFormat: { type: 'text' } },
      { backend: 'chatgpt' },
    );
    expect(text).not.toHaveProperty('text');
    expect(buildResponsesRequestBody(base, { backend: 'openai' })).not.toHaveProperty('text');
  });

  it('sends parallel_tool_calls false when the request asks for it, else true', () => {
    expect(buildResponsesRequestBody(base, { backend: 'chatgpt' }).parallel_tool_calls).toBe(true);
    expect(
      buildResponsesRequestBody({ ...base, parallelToolCalls: false }, { backend: 'chatgpt' })
        .parallel_tool_calls,
    ).toBe(false);
  });
});

describe('buildResponsesRequestBody reasoning summary and verbosity', () => {
  const base: CompletionRequest = { model: 'gpt-5.4', messages: [{ role: 'user', content: 'Hi' }] };

  it('sends reasoningSummary as reasoning.summary (default auto), reasoning models only', () => {
    const detailed = buildResponsesRequestBody(
      { ...base, reasoningEffort: 'high', reasoningSummary: 'detailed' },
      { backend: 'chatgpt' },
    );
    expect(detailed.reasoning).toEqual({ effort: 'high', summary: 'detailed' });
    const concise = buildResponsesRequestBody(
      { ...base, reasoningSummary: 'concise' },
      { backend: 'openai' },
    );
    expect(concise.reasoning).toEqual({ summary: 'concise' });
    const withoutReasoning = buildResponsesRequestBody(
      { ...base, model: 'gpt-4.1', reasoningSummary: 'detailed' },
      { backend: 'openai' },
    );
    expect(withoutReasoning).not.toHaveProperty('reasoning');
  });

  it('sends serviceTier as service_tier, over the -fast alias', () => {
    expect(
      buildResponsesRequestBody({ ...base, serviceTier: 'flex' }, { backend: 'chatgpt' }).service_tier,
    ).toBe('flex');
    const fast = buildResponsesRequestBody(
      { ...base, model: 'gpt-5.4-fast', serviceTier: 'flex' },
      { backend: 'openai' },
    );
    expect(fast.service_tier).toBe('flex');
  });

  it('sends verbosity as text.verbosity, beside a structured-output format', () => {
    expect(buildResponsesRequestBody({ ...base, verbosity: 'low' }, { backend: 'chatgpt' }).text).toEqual({
      verbosity: 'low',
    });
    const both = buildResponsesRequestBody(
      { ...base, verbosity: 'high', responseFormat: { type: 'json_object' } },
      { backend: 'openai' },
    );
    expect(both.text).toEqual({ format: { type: 'json_object' }, verbosity: 'high' });
  });
});

describe('buildResponsesRequestBody: output items carried back', () => {
  const reasoning = {
    id: 'rs_1',
    type: 'reasoning',
    summary: [{ type: 'summary_text', text: 'Plan' }],
    encrypted_content: 'gAAAAAB-sealed',
  };
  const call = { id: 'fc_1', type: 'function_call', call_id: 'call_9', name: 'lookup', arguments: '{}' };

  it('sends an assistant message with outputItems as those items, ids stripped, in order', () => {
    const body = buildResponsesRequestBody(
      {
        model: 'gpt-5.4',
        messages: [
          { role: 'user', content: 'Look it up' },
          {
            role: 'assistant',
            content: 'ignored when items are given',
            toolCalls: [{ id: 'call_9', name: 'lookup', arguments: '{}' }],
            outputItems: [reasoning, call],
          },
          { role: 'tool', toolCallId: 'call_9', content: 'found' },
        ],
      },
      { backend: 'chatgpt' },
    );
    expect(body.input).toEqual([
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Look it up' }] },
      { type: 'reasoning', summary: reasoning.summary, encrypted_content: 'gAAAAAB-sealed' },
      { type: 'function_call', call_id: 'call_9', name: 'lookup', arguments: '{}' },
      { type: 'function_call_output', call_id: 'call_9', output: 'found' },
    ]);
  });

  it('keeps a tool result whose call is in the outputItems only', () => {
    const warnings: string[] = [];
    const body = buildResponsesRequestBody(
      {
        model: 'gpt-5.4',
        messages: [
          { role: 'assistant', outputItems: [call] },
          { role: 'tool', toolCallId: 'call_9', content: 'found' },
        ],
      },
      { backend: 'chatgpt', onWarning: (message) => warnings.push(message) },
    );
    expect(body.input).toHaveLength(2);
    expect(warnings).toEqual([]);
  });

  it('sends a tool result for the call id the chunks showed under the id the server corrected it to', () => {
    // The stream started the call as `call_seen`; its `output_item.done` (so `outputItems`) says `call_final`.
    const corrected = { ...call, call_id: 'call_final' };
    const warnings: string[] = [];
    const body = buildResponsesRequestBody(
      {
        model: 'gpt-5.4',
        messages: [
          {
            role: 'assistant',
            toolCalls: [{ id: 'call_seen', name: 'lookup', arguments: '{}' }],
            outputItems: [reasoning, corrected],
          },
          { role: 'tool', toolCallId: 'call_seen', content: 'found' },
        ],
      },
      { backend: 'chatgpt', onWarning: (message) => warnings.push(message) },
    );
    expect(body.input).toEqual([
      { type: 'reasoning', summary: reasoning.summary, encrypted_content: 'gAAAAAB-sealed' },
      { type: 'function_call', call_id: 'call_final', name: 'lookup', arguments: '{}' },
      { type: 'function_call_output', call_id: 'call_final', output: 'found' },
    ]);
    expect(warnings).toEqual([]);
  });

  it('rebuilds from content and toolCalls when outputItems is empty', () => {
    const body = buildResponsesRequestBody(
      { model: 'gpt-5.4', messages: [{ role: 'assistant', content: 'Hi', outputItems: [] }] },
      { backend: 'chatgpt' },
    );
    expect(body.input).toEqual([
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hi' }] },
    ]);
  });

  it('asks for encrypted reasoning on reasoning models, on both backends', () => {
    for (const backend of ['chatgpt', 'openai'] as const) {
      const body = buildResponsesRequestBody(
        { model: 'gpt-5.4', messages: [{ role: 'user', content: 'Hi' }] },
        { backend },
      );
      expect(body.include).toEqual(['reasoning.encrypted_content']);
    }
  });

  it('sends store: true only to the OpenAI API, and only when asked', () => {
    const request = { model: 'gpt-5.4', store: true, messages: [{ role: 'user' as const, content: 'Hi' }] };
    expect(buildResponsesRequestBody(request, { backend: 'openai' }).store).toBe(true);
    expect(buildResponsesRequestBody(request, { backend: 'chatgpt' }).store).toBe(false);
    expect(buildResponsesRequestBody({ ...request, store: false }, { backend: 'openai' }).store).toBe(false);
  });

  it('sends custom tools and their calls and results as custom items, a forced custom tool as a custom choice', () => {
    const body = buildResponsesRequestBody(
      {
        model: 'gpt-5.4',
        tools: [
          { name: 'look', parameters: { type: 'object' } },
          { type: 'custom', name: 'apply_patch', description: 'Edit files', format: { type: 'text' } },
        ],
        toolChoice: { name: 'apply_patch' },
        messages: [
          { role: 'user', content: 'Fix it' },
          {
            role: 'assistant',
            toolCalls: [
              { id: 'call_1', type: 'custom', name: 'apply_patch', arguments: '*** Begin Patch' },
              { id: 'call_2', name: 'look', arguments: '{}' },
            ],
          },
          { role: 'tool', toolCallId: 'call_1', content: 'Done' },
          { role: 'tool', toolCallId: 'call_2', content: 'Seen' },
          {
            role: 'assistant',
            outputItems: [
              { type: 'custom_tool_call', id: 'ctc_1', call_id: 'call_3', name: 'apply_patch', input: 'x' },
            ],
          },
          { role: 'tool', toolCallId: 'call_3', content: 'Again' },
        ],
      },
      { backend: 'chatgpt' },
    );
    expect(body.tools).toEqual([
      { type: 'function', name: 'look', strict: false, parameters: { type: 'object' } },
      { type: 'custom', name: 'apply_patch', description: 'Edit files', format: { type: 'text' } },
    ]);
    expect(body.tool_choice).toEqual({ type: 'custom', name: 'apply_patch' });
    expect((body.input as unknown[]).slice(1)).toEqual([
      { type: 'custom_tool_call', call_id: 'call_1', name: 'apply_patch', input: '*** Begin Patch' },
      { type: 'function_call', call_id: 'call_2', name: 'look', arguments: '{}' },
      { type: 'custom_tool_call_output', call_id: 'call_1', output: 'Done' },
      { type: 'function_call_output', call_id: 'call_2', output: 'Seen' },
      { type: 'custom_tool_call', call_id: 'call_3', name: 'apply_patch', input: 'x' },
      { type: 'custom_tool_call_output', call_id: 'call_3', output: 'Again' },
    ]);
  });
});
