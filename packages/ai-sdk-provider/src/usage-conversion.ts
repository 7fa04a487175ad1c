import type { LanguageModelV4FinishReason, LanguageModelV4Usage } from '@ai-sdk/provider';
import type { FinishReason, Usage } from '@codetether/responses-protocol';

/**
 * CodeTether usage → the SDK's usage. CodeTether's `promptTokens` excludes cached tokens, so the
 * input total is prompt + cached; reasoning tokens are part of the output total.
 */
export function toLanguageModelUsage(usage: Usage | undefined): LanguageModelV4Usage {
  if (usage === undefined) {
    return {
      inputTokens: { total: undefined, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
      outputTokens: { total: undefined, text: undefined, reasoning: undefined },
    };
  }
  const cacheRead = usage.cacheReadTokens ?? 0;
  const reasoning = usage.reasoningTokens ?? 0;
  return {
    inputTokens: {
      total: usage.promptTokens + cacheRead,
      noCache: usage.promptTokens,
      cacheRead,
      cacheWrite: undefined,
    },
    outputTokens: {
      total: usage.completionTokens,
      text: usage.completionTokens - reasoning,
      reasoning,
    },
    raw: { ...usage },
  };
}

/** CodeTether's finish reason → the SDK's (unified and raw). */
export function toLanguageModelFinishReason(finishReason: FinishReason): LanguageModelV4FinishReason {
  return { unified: finishReason, raw: finishReason };
}
