import { describe, expect, it } from 'vitest';
import type { ModelList } from './model-catalogue.js';
import { bundledModelList } from './model-catalogue.js';
import { parseModelList } from './model-list-parser.js';
import { checkModelAgainstAvailableList, checkModelName, checkModelRequest } from './model-validation.js';

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

describe('checkModelRequest against a hostile list or name', () => {
  const listOf = (models: unknown[]): ModelList => ({
    models: parseModelList({ models }, 'chatgpt') ?? [],
    source: 'live',
    fetchedAt: 0,
  });

  it('does not let efforts this release cannot name forbid the ones it can', () => {
    const list = listOf([{ slug: 'gpt-5.4', supported_reasoning_levels: ['banana', 'ultra'] }]);
    expect(checkModelRequest('gpt-5.4:high', list, plus).id).toBe('gpt-5.4');
  });

  it('reads the efforts of the list in any case', () => {
    const list = listOf([{ slug: 'gpt-5.4', supported_reasoning_levels: ['LOW', 'High'] }]);
    expect(checkModelRequest('gpt-5.4:high', list, plus).id).toBe('gpt-5.4');
  });

  it('names at most 40 models of a huge list, and repeats at most 80 characters of the name', () => {
    const list = listOf(Array.from({ length: 1_000 }, (_unused, index) => ({ slug: `gpt-${index}` })));
    const name = `gpt-${'9'.repeat(200)}`;
    let message = '';
    try {
      checkModelRequest(name, list, plus);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('gpt-39 and 960 more.');
    expect(message).not.toContain('gpt-40,');
    expect(message).not.toContain('9'.repeat(100));
    expect(message.length).toBeLessThan(1_000);
  });

  it.each([
    ['x'.repeat(1_000_000), 'at most 256'],
    ['gpt-5.4\u0000', 'not a model name'],
    ['gpt 5.4', 'not a model name'],
    ['', 'not a model name'],
  ])('refuses a name that is no model name as invalid-request', (name, words) => {
    let error: { code?: string; status?: number; message: string } | undefined;
    try {
      checkModelName(name);
    } catch (caught) {
      error = caught as typeof error;
    }
    expect(error?.code).toBe('invalid-request');
    expect(error?.status).toBe(400);
    expect(error?.message).toContain(words);
    expect(error?.message.length).toBeLessThan(400);
  });
});

describe('checkModelAgainstAvailableList', () => {
  const bundled = bundledModelList('chatgpt');
  const cached: ModelList = { ...LIVE, source: 'cache' };

  it.each([
    ['the bundled', bundled],
    ['a cached', cached],
  ])('lets a well-formed unknown model through with %s list', (_name, list) => {
    expect(checkModelAgainstAvailableList('gpt-6', list, plus)).toBeUndefined();
    expect(checkModelAgainstAvailableList('gpt-6:high', list, plus)).toBeUndefined();
  });

  it('still checks a known model of a list that is not live', () => {
    expect(checkModelAgainstAvailableList('gpt-5.4:high', bundled, plus)?.id).toBe('gpt-5.4');
    expect(() => checkModelAgainstAvailableList('gpt-5.4:banana', bundled, plus)).toThrow(
      /not a reasoning effort/,
    );
  });

  it('refuses an unknown model when the list is the live one', () => {
    expect(() => checkModelAgainstAvailableList('gpt-6', LIVE, plus)).toThrow(/not supported/);
  });
});
