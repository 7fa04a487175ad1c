import type { Usage } from './stream-chunk.js';

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

/**
 * Parses a Responses (`input_tokens`, `output_tokens`, `input_tokens_details.cached_tokens`,
 * `output_tokens_details.reasoning_tokens`) or Chat Completions style (`prompt_tokens`, …) usage
 * object. `promptTokens` excludes cached tokens. `totalTokens` is the server's figure (not
 * validated against the parts). Returns `undefined` when `raw` holds no token counts at all.
 */
export function parseUsage(raw: unknown): Usage | undefined {
  const usage = record(raw);
  if (usage === undefined) return undefined;
  const input = count(usage.input_tokens) ?? count(usage.prompt_tokens);
  const output = count(usage.output_tokens) ?? count(usage.completion_tokens);
  const total = count(usage.total_tokens);
  if (input === undefined && output === undefined && total === undefined) return undefined;
  const cached =
    count(record(usage.input_tokens_details)?.cached_tokens) ??
    count(record(usage.prompt_tokens_details)?.cached_tokens);
  const reasoning =
    count(record(usage.output_tokens_details)?.reasoning_tokens) ??
    count(record(usage.completion_tokens_details)?.reasoning_tokens);
  const promptTokens = Math.max(0, (input ?? 0) - (cached ?? 0));
  const completionTokens = output ?? 0;
  const result: Usage = {
    promptTokens,
    completionTokens,
    totalTokens: total ?? (input ?? 0) + completionTokens,
  };
  if (cached !== undefined) result.cacheReadTokens = cached;
  if (reasoning !== undefined) result.reasoningTokens = reasoning;
  return result;
}
