import { describe, expect, it } from 'vitest';
import { CodexProviderError } from './errors.js';
import {
  CHATGPT_SUPPORTED_MODELS,
  listModelsForBackend,
  validateModelForBackend,
} from './model-catalogue.js';

describe('listModelsForBackend', () => {
  it('lists only the ChatGPT-supported models for a ChatGPT login, at zero cost', () => {
    const models = listModelsForBackend('chatgpt');
    const ids = models.map((model) => model.id);
    expect(ids).toEqual([...CHATGPT_SUPPORTED_MODELS]);
    expect(ids).toContain('gpt-5.4');
    expect(ids).toContain('gpt-5-mini');
    expect(ids).toContain('gpt-5.5-fast');
    expect(ids).not.toContain('gpt-5.4-fast');
    expect(ids).not.toContain('gpt-5.4-pro');
    for (const model of models) {
      expect(model.inputCostPerMillion).toBe(0);
      expect(model.outputCostPerMillion).toBe(0);
      expect(model.backends).toContain('chatgpt');
    }
  });

  it('hides gpt-5.5 and gpt-5.5-fast from the API-key listing but keeps the pro model', () => {
    const ids = listModelsForBackend('openai').map((model) => model.id);
    expect(ids).not.toContain('gpt-5.5');
    expect(ids).not.toContain('gpt-5.5-fast');
    expect(ids).toContain('gpt-5.4-pro');
    expect(ids).toContain('gpt-5.4-fast');
  });

  it('carries the reference figures for context window, output and vision', () => {
    const byId = new Map(listModelsForBackend('openai').map((model) => [model.id, model]));
    expect(byId.get('gpt-5-mini')).toMatchObject({
      contextWindow: 264_000,
      maxOutputTokens: 64_000,
      supportsVision: false,
    });
    expect(byId.get('gpt-5.4')).toMatchObject({ contextWindow: 272_000, maxOutputTokens: 128_000 });
    expect(byId.get('o3')).toMatchObject({
      contextWindow: 200_000,
      maxOutputTokens: 100_000,
      supportsVision: true,
      supportsTools: true,
      supportsStreaming: true,
      supportsReasoning: true,
    });
    expect(byId.get('gpt-5.4-pro')?.backends).toEqual(['openai']);
    expect(byId.get('gpt-5')?.backends).toEqual(['chatgpt', 'openai']);
  });
});

describe('validateModelForBackend', () => {
  it('rejects a pro model for the ChatGPT backend with the list of supported models', () => {
    let caught: unknown;
    try {
      validateModelForBackend('gpt-5.4-pro', 'chatgpt');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CodexProviderError);
    const error = caught as CodexProviderError;
    expect(error.code).toBe('unsupported-model');
    expect(error.isRetryable).toBe(false);
    expect(error.message).toContain(
      "Model 'gpt-5.4-pro' is not supported when using Codex with a ChatGPT account",
    );
    expect(error.message).toContain(`Supported models: ${CHATGPT_SUPPORTED_MODELS.join(', ')}`);
  });

  it('accepts aliases whose base model is supported', () => {
    expect(() => validateModelForBackend('gpt-5.4-fast:high', 'chatgpt')).not.toThrow();
    expect(() => validateModelForBackend('gpt-5.5-fast:high', 'chatgpt')).not.toThrow();
    expect(() => validateModelForBackend('gpt-5.4:xhigh', 'chatgpt')).not.toThrow();
    expect(() => validateModelForBackend('gpt-5.4-fast', 'chatgpt')).not.toThrow();
  });

  it('accepts anything for the OpenAI API backend', () => {
    expect(() => validateModelForBackend('gpt-5.4-pro', 'openai')).not.toThrow();
    expect(() => validateModelForBackend('gpt-4o', 'openai')).not.toThrow();
  });

  it('rejects unknown models for the ChatGPT backend', () => {
    expect(() => validateModelForBackend('gpt-4o', 'chatgpt')).toThrow(/Supported models: gpt-5, gpt-5-mini/);
    expect(() => validateModelForBackend('gpt-5.4:turbo', 'chatgpt')).toThrow(CodexProviderError);
  });
});
