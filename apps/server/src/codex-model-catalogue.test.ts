import { describe, expect, it } from 'vitest';
import { toCodexModelCatalogue } from './codex-model-catalogue.js';

describe('toCodexModelCatalogue', () => {
  it('describes a model the provider only named with defaults the Codex CLI accepts', () => {
    expect(toCodexModelCatalogue([{ id: 'gpt-x' }]).models).toEqual([
      expect.objectContaining({
        slug: 'gpt-x',
        display_name: 'gpt-x',
        description: null,
        supported_reasoning_levels: [],
        visibility: 'list',
        priority: 0,
        context_window: 272_000,
        default_verbosity: null,
        service_tiers: [],
        base_instructions: '',
      }),
    ]);
  });

  it('leaves out values the Codex CLI cannot parse and clamps the priority to 32 bits', () => {
    const [model] = toCodexModelCatalogue([
      {
        id: 'gpt-y',
        supportedReasoningEfforts: ['low', 'turbo'],
        defaultReasoningEffort: 'turbo',
        defaultVerbosity: 'loud',
        priority: Number.MAX_SAFE_INTEGER,
        visibility: 'hide',
        supportsVision: true,
        serviceTiers: ['priority'],
      },
    ]).models;
    expect(model?.supported_reasoning_levels.map((level) => level.effort)).toEqual(['low']);
    expect(model).not.toHaveProperty('default_reasoning_level');
    expect(model?.default_verbosity).toBeNull();
    expect(model?.priority).toBe(2_147_483_647);
    expect(model?.visibility).toBe('hide');
    expect(model?.input_modalities).toEqual(['text', 'image']);
    expect(model?.service_tiers).toEqual([{ id: 'priority', name: 'priority', description: '' }]);
  });
});
