import { describe, expect, it } from 'vitest';
import { createModelMap, ModelMapError, parseModelMapRules } from './dialect-model-map.js';

describe('model map', () => {
  it('maps the Claude families by default and leaves other names alone', () => {
    const map = createModelMap();
    expect(map.resolve('claude-opus-4-1-20250805')).toBe('gpt-5.4:high');
    expect(map.resolve('claude-3-opus-latest')).toBe('gpt-5.4:high');
    expect(map.resolve('claude-sonnet-4-5')).toBe('gpt-5.4');
    expect(map.resolve('claude-3-5-haiku-latest')).toBe('gpt-5.4-mini');
    expect(map.resolve('gpt-5.4')).toBe('gpt-5.4');
  });

  it('tries the user rules before the defaults', () => {
    const map = createModelMap(parseModelMapRules(' claude-*sonnet*=gpt-5.4:low , llama*=gpt-5.4-mini'));
    expect(map.resolve('claude-sonnet-4-5')).toBe('gpt-5.4:low');
    expect(map.resolve('LLAMA3.2')).toBe('gpt-5.4-mini');
    expect(map.resolve('claude-haiku-4-5')).toBe('gpt-5.4-mini');
  });

  it('refuses an entry without a model', () => {
    expect(() => parseModelMapRules('claude-*')).toThrow(ModelMapError);
    expect(() => parseModelMapRules('a=')).toThrow(/pattern=model/);
  });
});
