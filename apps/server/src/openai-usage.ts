import type { Usage } from '@codetether/responses-protocol';

/** The chat completions `usage` object. */
export interface OpenAiChatUsage {
  /** Input tokens, cached ones included (OpenAI's convention). */
  prompt_tokens: number;
  /** Output tokens, reasoning included. */
  completion_tokens: number;
  /** Total tokens as reported by the upstream. */
  total_tokens: number;
  /** Breakdown of the input tokens. */
  prompt_tokens_details: { cached_tokens: number };
  /** Breakdown of the output tokens. */
  completion_tokens_details: { reasoning_tokens: number };
}

/**
 * Converts the provider's usage (whose `promptTokens` excludes cached tokens) to OpenAI's chat usage
 * (whose `prompt_tokens` includes them). Missing usage becomes zeros.
 *
 * @param usage - the provider's usage, when reported
 */
export function toOpenAiChatUsage(usage: Usage | undefined): OpenAiChatUsage {
  const cached = usage?.cacheReadTokens ?? 0;
  const promptTokens = (usage?.promptTokens ?? 0) + cached;
  const completionTokens = usage?.completionTokens ?? 0;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: usage?.totalTokens ?? promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: cached },
    completion_tokens_details: { reasoning_tokens: usage?.reasoningTokens ?? 0 },
  };
}
