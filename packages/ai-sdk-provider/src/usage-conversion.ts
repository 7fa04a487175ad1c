import type { LanguageModelV4FinishReason, LanguageModelV4Usage } from '@ai-sdk/provider';
import type { FinishReason, Usage } from '@codetether/responses-protocol';

/** A count as the SDK expects it: a safe integer (a huge figure from a broken upstream is capped). */
function safeCount(count: number): number {
  return Math.min(count, Number.MAX_SAFE_INTEGER);
}

/**
 * CodeTether usage → the SDK's usage. CodeTether's `promptTokens` excludes cached tokens, so the
 * input total is prompt + cached; reasoning tokens are part of the output total (an upstream claiming
 * more reasoning than output has all of its output counted as reasoning, never negative text tokens).
 * Every count is a non-negative safe integer, the sums included.
 */
export function toLanguageModelUsage(usage: Usage | undefined): LanguageModelV4Usage {
  if (usage === undefined) {
    return {
      inputTokens: { total: undefined, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
      outputTokens: { total: undefined, text: undefined, reasoning: undefined },
    };
  }
  const promptTokens = safeCount(usage.promptTokens);
  const cacheRead = safeCount(usage.cacheReadTokens ?? 0);
  const completionTokens = safeCount(usage.completionTokens);
  const reasoning = Math.min(usage.reasoningTokens ?? 0, completionTokens);
  return {
    inputTokens: {
      total: safeCount(promptTokens + cacheRead),
      noCache: promptTokens,
      cacheRead,
      cacheWrite: undefined,
    },
    outputTokens: {
      total: completionTokens,
      text: completionTokens - reasoning,
      reasoning,
    },
    raw: { ...usage },
  };
}

/** CodeTether's finish reason → the SDK's (unified and raw). */
export function toLanguageModelFinishReason(finishReason: FinishReason): LanguageModelV4FinishReason {
  return { unified: finishReason, raw: finishReason };
}
