import { describe, expect, it } from 'vitest';
import { parseUsage } from './usage.js';

describe('parseUsage', () => {
  it('reads Responses usage; prompt tokens exclude cached ones', () => {
    expect(
      parseUsage({
        input_tokens: 100,
        input_tokens_details: { cached_tokens: 30 },
        output_tokens: 50,
        output_tokens_details: { reasoning_tokens: 10 },
        total_tokens: 150,
      }),
    ).toEqual({
      promptTokens: 70,
      completionTokens: 50,
      totalTokens: 150,
      cacheReadTokens: 30,
      reasoningTokens: 10,
    });
  });

  it('reads Chat Completions style usage and keeps the server total as is', () => {
    expect(
      parseUsage({
        prompt_tokens: 10,
        prompt_tokens_details: { cached_tokens: 4 },
        completion_tokens: 5,
        total_tokens: 99,
      }),
    ).toEqual({ promptTokens: 6, completionTokens: 5, totalTokens: 99, cacheReadTokens: 4 });
  });

  it('computes a missing total and ignores junk', () => {
    expect(parseUsage({ input_tokens: 3, output_tokens: 4 })).toEqual({
      promptTokens: 3,
      completionTokens: 4,
      totalTokens: 7,
    });
    expect(parseUsage({ input_tokens: -1, output_tokens: 'x' })).toBeUndefined();
    expect(parseUsage(null)).toBeUndefined();
    expect(parseUsage({})).toBeUndefined();
  });
});
