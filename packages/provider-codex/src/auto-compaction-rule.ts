/**
 * The input size, in tokens, at which a conversation whose last compaction left `inputAfterCompaction`
 * tokens — still above the compaction threshold — compacts again: halfway from that size to the context
 * window. Compacting again sooner would send the same large history for the same large result before every
 * turn; waiting for this much growth still compacts before the window is full.
 *
 * @param inputAfterCompaction - the input tokens of the first turn after the last compaction
 * @param contextWindow - the model's context window, in tokens
 */
export function recompactionInputTokens(inputAfterCompaction: number, contextWindow: number): number {
  return inputAfterCompaction + Math.max(0, contextWindow - inputAfterCompaction) / 2;
}

/** What {@link isAutoCompactionDue} decides on. */
export interface AutoCompactionFacts {
  /** The input tokens (cached included) of the last completed turn. */
  inputTokens: number;
  /** The model's context window, in tokens. */
  contextWindow: number;
  /** The share of the context window at which compaction starts (0.8). */
  share: number;
  /** The input tokens of the first turn after the last compaction; `undefined` before any. */
  inputAfterCompaction: number | undefined;
}

/**
 * Whether a conversation compacts before its next turn: once the last turn's input reached `share` of
 * the context window — unless the last compaction did not bring the input under that threshold, in which
 * case only once the input reached {@link recompactionInputTokens} (so a history that compaction cannot
 * shrink enough is compacted once, not before every turn, and again when it has grown meaningfully).
 *
 * @param facts - the last input, the window, the share and what the last compaction achieved
 */
export function isAutoCompactionDue(facts: AutoCompactionFacts): boolean {
  const threshold = facts.share * facts.contextWindow;
  if (facts.inputTokens < threshold) return false;
  const after = facts.inputAfterCompaction;
  if (after === undefined || after < threshold) return true;
  return facts.inputTokens >= recompactionInputTokens(after, facts.contextWindow);
}
