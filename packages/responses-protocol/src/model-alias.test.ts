import { describe, expect, it } from 'vitest';
import {
  modelSupportsReasoningEffort,
  readDefaultEffortFromEnvironment,
  resolveModelAlias,
} from './model-alias.js';

describe('resolveModelAlias', () => {
  it('reads a :effort suffix', () => {
    expect(resolveModelAlias('gpt-5.3-codex:high')).toMatchObject({
      model: 'gpt-5.3-codex',
      reasoningEffort: 'high',
      effort: 'high',
    });
    expect(resolveModelAlias('gpt-5.5:none').reasoningEffort).toBe('none');
    expect(resolveModelAlias('gpt-5.5:XHigh').reasoningEffort).toBe('xhigh');
  });

  it('leaves names with an unknown suffix untouched', () => {
    expect(resolveModelAlias('gpt-5.3-codex:turbo')).toEqual({
      model: 'gpt-5.3-codex:turbo',
      supportsReasoningEffort: true,
    });
    expect(resolveModelAlias('gpt-5.5:minimal').model).toBe('gpt-5.5:minimal');
    expect(resolveModelAlias(':high').model).toBe(':high');
  });

  it('maps -fast aliases to the base model with the priority service tier', () => {
    expect(resolveModelAlias('gpt-5.4-fast:high')).toEqual({
      model: 'gpt-5.4',
      reasoningEffort: 'high',
      effort: 'high',
      serviceTier: 'priority',
      supportsReasoningEffort: true,
    });
    expect(resolveModelAlias('gpt-5.5-fast')).toMatchObject({ model: 'gpt-5.5', serviceTier: 'priority' });
    expect(resolveModelAlias('my-model-fast')).toEqual({
      model: 'my-model-fast',
      supportsReasoningEffort: false,
    });
  });

  it('applies the default effort only when there is no suffix and the model takes one', () => {
    expect(resolveModelAlias('gpt-5.4', { defaultEffort: 'low' }).reasoningEffort).toBe('low');
    expect(resolveModelAlias('gpt-5.4:high', { defaultEffort: 'low' }).reasoningEffort).toBe('high');
    expect(resolveModelAlias('gpt-4o:high', { defaultEffort: 'low' })).toEqual({
      model: 'gpt-4o',
      supportsReasoningEffort: false,
    });
    expect(resolveModelAlias('gpt-4.1', { defaultEffort: 'low' }).reasoningEffort).toBeUndefined();
  });

  it('knows which models take an effort', () => {
    for (const model of ['gpt-5', 'gpt-5.4-codex', 'o1-mini', 'o3', 'O4-mini'])
      expect(modelSupportsReasoningEffort(model)).toBe(true);
    for (const model of ['gpt-4o', 'gpt-4.1', 'claude', 'o2'])
      expect(modelSupportsReasoningEffort(model)).toBe(false);
  });
});

describe('readDefaultEffortFromEnvironment', () => {
  it('prefers the thinking-level variable, then the reasoning-effort one', () => {
    expect(
      readDefaultEffortFromEnvironment({
        CODETETHER_OPENAI_CODEX_THINKING_LEVEL: 'high',
        CODETETHER_OPENAI_CODEX_REASONING_EFFORT: 'low',
      }),
    ).toBe('high');
    expect(readDefaultEffortFromEnvironment({ CODETETHER_OPENAI_CODEX_REASONING_EFFORT: ' Medium ' })).toBe(
      'medium',
    );
    expect(
      readDefaultEffortFromEnvironment({
        CODETETHER_OPENAI_CODEX_THINKING_LEVEL: '',
        CODETETHER_OPENAI_CODEX_REASONING_EFFORT: 'low',
      }),
    ).toBe('low');
  });

  it('ignores missing and invalid values', () => {
    expect(readDefaultEffortFromEnvironment({})).toBeUndefined();
    expect(
      readDefaultEffortFromEnvironment({ CODETETHER_OPENAI_CODEX_THINKING_LEVEL: 'max' }),
    ).toBeUndefined();
  });
});
