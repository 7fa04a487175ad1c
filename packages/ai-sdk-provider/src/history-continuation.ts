import type { ResponseItem } from '@codetether/responses-protocol';

/** A JSON text normalised by parsing it (whitespace and escapes aside), or the text itself. */
function normalizedJson(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The text (and image URLs) of a message item's content, in order. */
function messageContentOf(content: unknown): unknown[] {
  if (typeof content === 'string') return content === '' ? [] : [content];
  if (!Array.isArray(content)) return [];
  const parts: unknown[] = [];
  for (const part of content as Record<string, unknown>[]) {
    if (typeof part.text === 'string') {
      if (part.text !== '') parts.push(part.text);
    } else if (typeof part.image_url === 'string') parts.push({ image: part.image_url });
    else parts.push(part);
  }
  return parts;
}

/**
 * What an item means for the model, without what the server adds and the SDK drops (ids, `status`,
 * annotations, how the arguments JSON is spaced): two items with the same fingerprint say the same
 * thing. A message without content has none (the SDK never sends it back).
 */
function fingerprintOf(item: ResponseItem): string | undefined {
  switch (item.type ?? 'message') {
    case 'message': {
      const content = messageContentOf(item.content);
      return content.length === 0 ? undefined : JSON.stringify(['message', item.role, content]);
    }
    case 'function_call':
      return JSON.stringify(['function_call', item.call_id, item.name, normalizedJson(item.arguments)]);
    case 'function_call_output':
      return JSON.stringify(['function_call_output', item.call_id, item.output]);
    case 'reasoning':
      return JSON.stringify(['reasoning', item.encrypted_content ?? null, item.summary ?? null]);
    default: {
      const { id: _id, status: _status, ...rest } = item;
      return JSON.stringify(rest);
    }
  }
}

/** The fingerprints of `items` and, for each, the index of the item it came from. */
function fingerprintsOf(items: readonly ResponseItem[]): { fingerprint: string; index: number }[] {
  const result: { fingerprint: string; index: number }[] = [];
  items.forEach((item, index) => {
    const fingerprint = fingerprintOf(item);
    if (fingerprint !== undefined) result.push({ fingerprint, index });
  });
  return result;
}

/**
 * The items a prompt adds to a conversation's history: `input` (the whole prompt as Responses items)
 * must repeat `history` item by item — by meaning, see {@link fingerprintOf} — and then add at least
 * one item. The SDK's multi-step loop does exactly that: step N+1's prompt is step N's plus the
 * assistant's output plus the tool results.
 *
 * @param history - the conversation's history (its own record of what was sent and answered)
 * @param input - the prompt of this call, as Responses items
 * @returns the items after the history, or `undefined` when the prompt does not continue it (an
 *   edited or shorter history, or nothing new): the caller then starts over with the whole input
 */
export function itemsAfterHistory(
  history: readonly ResponseItem[],
  input: readonly ResponseItem[],
): ResponseItem[] | undefined {
  const known = fingerprintsOf(history);
  const given = fingerprintsOf(input);
  if (given.length <= known.length) return undefined;
  for (const [position, entry] of known.entries()) {
    if (given[position]?.fingerprint !== entry.fingerprint) return undefined;
  }
  const firstNew = given[known.length];
  return firstNew === undefined ? undefined : input.slice(firstNew.index);
}
