import type { Usage } from '@codetether/responses-protocol';
import type { Colors } from '../terminal.js';
import { groupThousands } from './token-count.js';

/** What {@link renderUsageSummary} reports about one answer. */
export interface UsageSummaryInput {
  /** The model that answered (as requested, alias included). */
  model: string;
  /** The token usage, when the server reported it. */
  usage?: Usage | undefined;
  /** How long the answer took, in milliseconds. */
  elapsedMs: number;
}

/**
 * The one-line summary printed on standard error after an answer, e.g.
 * `gpt-5.4 · 1,234 in (512 cached) · 87 out (40 reasoning) · 1.4 s`.
 *
 * @param input - model, usage and timing
 * @param colors - colours for standard error
 */
export function renderUsageSummary(input: UsageSummaryInput, colors: Colors): string {
  const number = groupThousands;
  const parts = [input.model];
  const { usage } = input;
  if (usage === undefined) {
    parts.push('no usage reported');
  } else {
    const cached = usage.cacheReadTokens ?? 0;
    parts.push(`${number(usage.promptTokens + cached)} in (${number(cached)} cached)`);
    const reasoning =
      usage.reasoningTokens === undefined ? '' : ` (${number(usage.reasoningTokens)} reasoning)`;
    parts.push(`${number(usage.completionTokens)} out${reasoning}`);
  }
  parts.push(`${(input.elapsedMs / 1000).toFixed(1)} s`);
  return colors.dim(parts.join(' · '));
}
