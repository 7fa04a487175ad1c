import { describe, expect, it } from 'vitest';
import type { ModelList } from './model-catalogue.js';
import { parseModelList } from './model-list-parser.js';
import { checkModelRequest } from './model-validation.js';

const LIVE: ModelList = {
  models:
    parseModelList(
      {
        models: [
          {
            slug: 'gpt-5.4',
            priority: 1,
            supported_reasoning_levels: ['low', 'medium', 'high', 'xhigh'],
            service_tiers: ['priority'],
          },
          { slug: 'gpt-5.4-mini', priority: 2, supported_reasoning_levels: [] },
        ],
      },
      'chatgpt',
    ) ?? [],
  source: 'live',
  fetchedAt: 0,
};
const plus = { planType: 'plus' };

function errorOf(model: string): { code?: string; message: string } {
  try {
    checkModelRequest(model, LIVE, plus);
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error(`${model} was accepted.`);
}

describe('checkModelRequest with a misspelt effort suffix', () => {
  it.each([
    ['gpt-5.4:banana', "'banana'"],
    ['gpt-5.4-fast:banana', "'banana'"],
    ['gpt-5.4:', "''"],
  ])('names the bad effort of %s, not an unsupported model', (model, effort) => {
    const error = errorOf(model);
    expect(error.code).toBe('invalid-request');
    expect(error.message).toBe(
      `${effort} after ':' in '${model}' is not a reasoning effort. Use one of: low, medium, high, xhigh (e.g. gpt-5.4:xhigh).`,
    );
  });

  it('still calls an unknown model with any suffix unsupported', () => {
    expect(errorOf('gpt-9:banana').code).toBe('unsupported-model');
    expect(errorOf(':high').code).toBe('unsupported-model');
  });

  it('accepts the efforts in any case', () => {
    expect(checkModelRequest('gpt-5.4:HIGH', LIVE, plus).id).toBe('gpt-5.4');
  });
});
