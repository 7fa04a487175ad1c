import { createId } from '../ids.js';
import type { EncryptedContentSealer } from './encrypted-content.js';
import { analyzeRequest, COMPACTION_TRIGGER } from './request-analysis.js';

/** User messages a compacted history keeps (the most recent ones). */
export const KEPT_USER_MESSAGES = 4;

/** Characters of the latest user text quoted in a compaction's sealed summary. */
const QUOTED_CHARACTERS = 200;

/**
 * One `compaction` item standing for a history: `{type:"compaction", id:"cmp_…", encrypted_content}`,
 * its content sealed by this emulator (so it is accepted back as input, and only on a compaction
 * item). Trailing `compaction_trigger` items are not part of the history.
 *
 * @param items - the history to compact
 * @param sealer - the emulator's sealer
 */
export function compactionItem(
  items: readonly unknown[],
  sealer: EncryptedContentSealer,
): Record<string, unknown> {
  const history = withoutTrailingTriggers(items);
  const latest = analyzeRequest({ input: history }).lastUserText.slice(0, QUOTED_CHARACTERS);
  const summary = `Compacted ${history.length} items. Latest user request: ${latest === '' ? '(none)' : latest}`;
  return {
    id: createId('cmp'),
    type: 'compaction',
    encrypted_content: sealer.seal({ kind: 'compaction', summary }),
  };
}

/**
 * What `POST /responses/compact` answers: a shorter history to use as the next input — the last
 * {@link KEPT_USER_MESSAGES} user messages, then exactly one `compaction` item for everything.
 *
 * @param items - the history to compact (non-empty)
 * @param sealer - the emulator's sealer
 */
export function compactHistory(
  items: readonly unknown[],
  sealer: EncryptedContentSealer,
): Array<Record<string, unknown>> {
  const userMessages = withoutTrailingTriggers(items).filter(isUserMessage).slice(-KEPT_USER_MESSAGES);
  return [...userMessages, compactionItem(items, sealer)];
}

function isUserMessage(item: unknown): item is Record<string, unknown> {
  if (typeof item !== 'object' || item === null) return false;
  const { type, role } = item as Record<string, unknown>;
  return role === 'user' && (type === undefined || type === 'message');
}

function withoutTrailingTriggers(items: readonly unknown[]): readonly unknown[] {
  let end = items.length;
  while (end > 0) {
    const item = items[end - 1];
    if (typeof item !== 'object' || item === null || (item as { type?: unknown }).type !== COMPACTION_TRIGGER)
      break;
    end -= 1;
  }
  return items.slice(0, end);
}
