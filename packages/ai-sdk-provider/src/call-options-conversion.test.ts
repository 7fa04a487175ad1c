import { describe, expect, it } from 'vitest';
import { convertCallOptions } from './call-options-conversion.js';

const prompt = [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'hi' }] }];

describe('convertCallOptions', () => {
  it('maps effort, tier, tools, tool choice and limits, and warns about what it cannot send', () => {
    const { request, warnings } = convertCallOptions(
      'gpt-5.4:low',
      {
        prompt,
        reasoning: 'max',
        topP: 0.5,
        maxOutputTokens: 100,
        headers: { 'user-agent': 'ai/7', 'x-extra': '1' },
        tools: [
          { type: 'function', name: 'a', inputSchema: { type: 'object' } },
          { type: 'provider', id: 'openai.web_search', name: 'web', args: {} },
        ],
        toolChoice: { type: 'tool', toolName: 'a' },
      },
      { serviceTier: 'priority', textVerbosity: 'low', reasoningSummary: 'detailed' },
    );
    expect(request).toEqual({
      model: 'gpt-5.4-fast:low',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      tools: [{ name: 'a', parameters: { type: 'object' } }],
      toolChoice: { name: 'a' },
      reasoningEffort: 'xhigh',
      maxOutputTokens: 100,
      reasoningSummary: 'detailed',
      verbosity: 'low',
    });
    expect(
      warnings.map((warning) => (warning.type === 'unsupported' ? warning.feature : warning.type)),
    ).toEqual(['topP', 'headers', 'provider tool openai.web_search']);
  });

  it('sends verbosity and the flex tier only where the model takes them', () => {
    const options = { prompt };
    const wanted = { textVerbosity: 'high', serviceTier: 'flex' } as const;
    const supported = convertCallOptions('gpt-5.4', options, wanted, {
      supportsVerbosity: true,
      serviceTiers: ['priority', 'flex'],
    });
    expect(supported.request).toMatchObject({ verbosity: 'high', serviceTier: 'flex' });
    expect(supported.warnings).toEqual([]);
    const unknown = convertCallOptions('gpt-5.4', options, wanted);
    expect(unknown.request).toMatchObject({ verbosity: 'high', serviceTier: 'flex' });
    const refused = convertCallOptions('gpt-5.1-codex', options, wanted, {
      supportsVerbosity: false,
      serviceTiers: ['priority'],
    });
    expect(refused.request).not.toHaveProperty('verbosity');
    expect(refused.request).not.toHaveProperty('serviceTier');
    expect(refused.warnings.map((warning) => warning.type === 'unsupported' && warning.feature)).toEqual([
      'textVerbosity',
      'serviceTier "flex"',
    ]);
  });

  it('lets the provider option effort win and maps JSON without a schema to json_object', () => {
    const { request } = convertCallOptions(
      'gpt-5.4',
      { prompt, reasoning: 'low', responseFormat: { type: 'json' }, toolChoice: { type: 'none' } },
      { reasoningEffort: 'high' },
    );
    expect(request).toMatchObject({
      reasoningEffort: 'high',
      responseFormat: { type: 'json_object' },
      toolChoice: 'none',
    });
    expect(
      convertCallOptions('gpt-5.4', { prompt, reasoning: 'provider-default' }, {}).request.reasoningEffort,
    ).toBe(undefined);
  });
});
