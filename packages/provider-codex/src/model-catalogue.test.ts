import { describe, expect, it } from 'vitest';
import { CodexProviderError } from './errors.js';
import { bundledModelList, listedModels, type ModelList } from './model-catalogue.js';
import { parseModelList } from './model-list-parser.js';
import { checkModelRequest, withSupportedVerbosity } from './model-validation.js';

function liveList(models: unknown[]): ModelList {
  return { models: parseModelList({ models }, 'chatgpt') ?? [], source: 'live', fetchedAt: 0 };
}

const LIVE = liveList([
  {
    slug: 'gpt-5.4',
    display_name: 'GPT-5.4',
    description: 'Flagship.',
    default_reasoning_level: 'medium',
    supported_reasoning_levels: [{ effort: 'low' }, { effort: 'medium' }, { effort: 'high' }],
    visibility: 'list',
    priority: 2,
    context_window: 272000,
    supports_reasoning_summaries: true,
    support_verbosity: true,
    service_tiers: ['priority'],
  },
  {
    slug: 'gpt-5.2',
    priority: 1,
    supported_reasoning_levels: ['low', 'high'],
    support_verbosity: false,
    service_tiers: [],
  },
  { slug: 'codex-hidden', visibility: 'hide', priority: 3 },
  { slug: 'brand-new', priority: 4 },
]);

describe('parseModelList', () => {
  it('reads the backend fields, sorts by priority and keeps hidden models (unlisted)', () => {
    expect(LIVE.models.map((model) => model.id)).toEqual(['gpt-5.2', 'gpt-5.4', 'codex-hidden', 'brand-new']);
    expect(listedModels(LIVE).map((model) => model.id)).toEqual(['gpt-5.2', 'gpt-5.4', 'brand-new']);
    expect(LIVE.models[1]).toMatchObject({
      name: 'GPT-5.4',
      description: 'Flagship.',
      defaultReasoningEffort: 'medium',
      supportedReasoningEfforts: ['low', 'medium', 'high'],
      supportsReasoningSummaries: true,
      supportsVerbosity: true,
      serviceTiers: ['priority'],
      contextWindow: 272_000,
    });
  });

  it('fills a model without metadata from the bundled list, else defaults', () => {
    expect(LIVE.models[0]).toMatchObject({ name: 'GPT-5.2', contextWindow: 400_000 });
    expect(LIVE.models[3]).toMatchObject({
      name: 'brand-new',
      contextWindow: 272_000,
      supportedReasoningEfforts: [],
    });
  });

  it('never crashes on missing or odd fields', () => {
    const odd = parseModelList(
      {
        models: [
          null,
          42,
          'gpt-5',
          {},
          { slug: '' },
          {
            slug: 'ok',
            display_name: 7,
            context_window: 'big',
            priority: 'first',
            supported_reasoning_levels: [null, 3, { effort: 5 }, 'high'],
            service_tiers: 'priority',
            visibility: null,
          },
          { slug: 'ok', display_name: 'duplicate' },
        ],
      },
      'chatgpt',
    );
    expect(odd).toHaveLength(1);
    expect(odd?.[0]).toMatchObject({
      id: 'ok',
      name: 'ok',
      contextWindow: 272_000,
      supportedReasoningEfforts: ['high'],
      visibility: 'list',
    });
    expect(odd?.[0]?.serviceTiers).toBeUndefined();
    expect(parseModelList({ models: 'nope' }, 'chatgpt')).toBeUndefined();
    expect(parseModelList(null, 'chatgpt')).toBeUndefined();
    expect(parseModelList([], 'chatgpt')).toBeUndefined();
  });

  it('keeps only text models of an OpenAI API list', () => {
    const ids = parseModelList(
      {
        data: [
          { id: 'gpt-5.4' },
          { id: 'whisper-1' },
          { id: 'gpt-4o-realtime-preview' },
          { id: 'o3' },
          { id: 'text-embedding-3-small' },
        ],
      },
      'openai',
    )?.map((model) => model.id);
    expect(ids).toEqual(['gpt-5.4', 'o3']);
  });
});

describe('bundledModelList', () => {
  it('offers the ChatGPT models the backend serves, not o3/o4-mini', () => {
    const ids = bundledModelList('chatgpt').models.map((model) => model.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'gpt-5-codex',
        'gpt-5.1-codex-max',
        'gpt-5.2-codex',
        'gpt-5.4-mini',
        'gpt-5.5',
      ]),
    );
    expect(ids).not.toContain('o3');
    expect(ids).not.toContain('o4-mini');
    expect(bundledModelList('openai').models.map((model) => model.id)).toContain('o3');
  });
});

describe('checkModelRequest', () => {
  const plus = { planType: 'plus' };

  it('accepts listed and hidden models and their aliases', () => {
    expect(checkModelRequest('gpt-5.4', LIVE, plus).id).toBe('gpt-5.4');
    expect(checkModelRequest('gpt-5.4-fast:high', LIVE, plus).id).toBe('gpt-5.4');
    expect(checkModelRequest('codex-hidden', LIVE, plus).id).toBe('codex-hidden');
    expect(checkModelRequest('brand-new:xhigh', LIVE, plus).id).toBe('brand-new');
  });

  it('names the plan and the models it can use for an unknown model', () => {
    let caught: unknown;
    try {
      checkModelRequest('o3', LIVE, plus);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CodexProviderError);
    const error = caught as CodexProviderError;
    expect(error.code).toBe('unsupported-model');
    expect(error.message).toContain("Model 'o3' is not supported when using Codex with a ChatGPT plus plan");
    expect(error.message).toContain('Supported models: gpt-5.2, gpt-5.4, brand-new.');
    expect(error.message).not.toContain('codex-hidden');
  });

  it('refuses an effort the model does not list, and -fast without a priority tier', () => {
    expect(() => checkModelRequest('gpt-5.4:xhigh', LIVE, plus)).toThrow(
      "Model 'gpt-5.4' does not support reasoning effort 'xhigh'. Use one of: low, medium, high",
    );
    expect(() => checkModelRequest('gpt-5.2-fast', LIVE, plus)).toThrow(/has no priority tier/);
  });
});

describe('withSupportedVerbosity', () => {
  it('drops text.verbosity where the model does not support it, with a warning', () => {
    const warnings: string[] = [];
    const gpt52 = LIVE.models[0];
    const body = { model: 'gpt-5.2', text: { verbosity: 'low' } };
    expect(withSupportedVerbosity(body, gpt52, (message) => warnings.push(message))).toEqual({
      model: 'gpt-5.2',
    });
    expect(warnings).toHaveLength(1);
    const kept = { model: 'gpt-5.4', text: { verbosity: 'low', format: { type: 'text' } } };
    expect(withSupportedVerbosity(kept, LIVE.models[1], undefined)).toBe(kept);
    expect(
      withSupportedVerbosity({ text: { verbosity: 'low', format: { type: 'text' } } }, gpt52, undefined),
    ).toEqual({ text: { format: { type: 'text' } } });
  });
});
