import type { StreamChunk } from '../stream-chunk.js';
import { isRecord, optionalString, type UncheckedOutputItem } from './unchecked-event.js';

/** How much text of one content/summary part was emitted (its length only: text can be huge). */
interface PartState {
  emitted: number;
}

/** Which text a part holds: message text or refusal, a reasoning summary paragraph, or raw reasoning. */
export type PartKind = 'message' | 'summary' | 'reasoning';

/** The chunk a part's text goes out as (`refusal` is sent as `text` but counted apart). */
export type PartTextKind = 'text' | 'refusal' | 'thinking';

const KEY_PREFIX: Record<PartKind, string> = { message: 't', summary: 's', reasoning: 'r' };

/**
 * The text, refusal and reasoning parts of one response: each character is emitted once, whether
 * it comes in deltas, in a `.done` full text, in `output_item.done` or only in the final response.
 * Parts are correlated by output index (an item id can change between deltas and `.done`).
 * @internal
 */
export interface TextParts {
  /**
   * The key of one part: its kind, output index and content/summary `index` (a non-number counts
   * as 0). An event that only names its item is mapped to the output index the item was announced with.
   */
  partKey(
    kind: PartKind,
    outputIndex: number | undefined,
    itemId: string | undefined,
    index: unknown,
  ): string;
  /** `response.output_text.delta`, the hot path: most events of a stream are these. */
  outputTextDelta(
    delta: string,
    outputIndex: number | undefined,
    contentIndex: number | undefined,
    itemId: string | undefined,
    out: StreamChunk[],
  ): void;
  /** More text or refusal of the part `key`. */
  appendText(kind: 'text' | 'refusal', key: string, delta: string, out: StreamChunk[]): void;
  /** More reasoning of the part `key` (a new part starts a new paragraph). */
  appendThinking(key: string, delta: string, out: StreamChunk[]): void;
  /** Emits what a full text has beyond what deltas of the part `key` already emitted (never twice). */
  reconcile(kind: PartTextKind, key: string, full: string | undefined, out: StreamChunk[]): void;
  /** Reconciles the text of a finished `message` or `reasoning` item with what was emitted. */
  reconcileItem(
    item: UncheckedOutputItem,
    itemId: string | undefined,
    outputIndex: number | undefined,
    out: StreamChunk[],
  ): void;
  /** Records that an item was seen in the stream, and at which output index. */
  noteItem(itemId: string | undefined, outputIndex: number | undefined): void;
  /** Whether an item of the final response was already seen in the stream (by id or output index). */
  wasSeen(itemId: string | undefined, outputIndex: number): boolean;
  /** Whether the answer is a refusal and nothing else (the response then ends with `content-filter`). */
  refusedOnly(): boolean;
}

/** Creates the text part state of one response. @internal */
export function createTextParts(): TextParts {
  const parts = new Map<string, PartState>();
  const seenItemIds = new Set<string>();
  const seenOutputIndexes = new Set<number>();
  const outputIndexByItemId = new Map<string, number>();
  let sawText = false;
  let sawRefusal = false;
  let thinkingEmitted = false;
  // Hot path cache for consecutive output_text.delta events of the same part (by output index).
  let hotPart: PartState | undefined;
  let hotOutputIndex: number | undefined;
  let hotContentIndex: number | undefined;

  function partKey(
    kind: PartKind,
    outputIndex: number | undefined,
    itemId: string | undefined,
    index: unknown,
  ): string {
    const location =
      outputIndex ??
      (itemId === undefined ? undefined : outputIndexByItemId.get(itemId)) ??
      `id:${itemId ?? '?'}`;
    return `${KEY_PREFIX[kind]}:${location}:${typeof index === 'number' ? index : 0}`;
  }

  function partState(key: string): PartState {
    let state = parts.get(key);
    if (state === undefined) {
      state = { emitted: 0 };
      parts.set(key, state);
    }
    return state;
  }

  function emitText(kind: 'text' | 'refusal', state: PartState, text: string, out: StreamChunk[]): void {
    if (text.length === 0) return;
    state.emitted += text.length;
    if (kind === 'refusal') sawRefusal = true;
    else sawText = true;
    out.push({ type: 'text', text });
  }

  function emitThinking(state: PartState, text: string, out: StreamChunk[]): void {
    if (text.length === 0) return;
    // A new reasoning part starts a new paragraph.
    if (state.emitted === 0 && thinkingEmitted) out.push({ type: 'thinking', text: '\n\n' });
    state.emitted += text.length;
    thinkingEmitted = true;
    out.push({ type: 'thinking', text });
  }

  function reconcile(kind: PartTextKind, key: string, full: string | undefined, out: StreamChunk[]): void {
    if (full === undefined) return;
    const state = partState(key);
    if (full.length <= state.emitted) return;
    const rest = full.slice(state.emitted);
    if (kind === 'thinking') emitThinking(state, rest, out);
    else emitText(kind, state, rest, out);
  }

  function reconcileMessage(
    content: unknown[],
    itemId: string | undefined,
    outputIndex: number | undefined,
    out: StreamChunk[],
  ): void {
    content.forEach((part: unknown, contentIndex) => {
      if (!isRecord(part)) return;
      const key = partKey('message', outputIndex, itemId, contentIndex);
      if (part.type === 'output_text' || part.type === 'text') {
        reconcile('text', key, optionalString(part.text), out);
      } else if (part.type === 'refusal') {
        reconcile('refusal', key, optionalString(part.refusal), out);
      }
    });
  }

  function reconcileReasoning(
    item: UncheckedOutputItem,
    itemId: string | undefined,
    outputIndex: number | undefined,
    out: StreamChunk[],
  ): void {
    if (Array.isArray(item.summary)) {
      item.summary.forEach((part: unknown, summaryIndex) => {
        if (!isRecord(part)) return;
        reconcile(
          'thinking',
          partKey('summary', outputIndex, itemId, summaryIndex),
          optionalString(part.text),
          out,
        );
      });
    }
    if (Array.isArray(item.content)) {
      item.content.forEach((part: unknown, contentIndex) => {
        if (!isRecord(part) || part.type !== 'reasoning_text') return;
        reconcile(
          'thinking',
          partKey('reasoning', outputIndex, itemId, contentIndex),
          optionalString(part.text),
          out,
        );
      });
    }
  }

  return {
    partKey,
    outputTextDelta(delta, outputIndex, contentIndex, itemId, out) {
      let state: PartState;
      if (outputIndex === undefined) {
        state = partState(partKey('message', undefined, itemId, contentIndex));
      } else if (
        hotPart !== undefined &&
        outputIndex === hotOutputIndex &&
        contentIndex === hotContentIndex
      ) {
        state = hotPart;
      } else {
        state = partState(partKey('message', outputIndex, itemId, contentIndex));
        hotPart = state;
        hotOutputIndex = outputIndex;
        hotContentIndex = contentIndex;
      }
      if (delta.length === 0) return;
      state.emitted += delta.length;
      sawText = true;
      out.push({ type: 'text', text: delta });
    },
    appendText(kind, key, delta, out) {
      emitText(kind, partState(key), delta, out);
    },
    appendThinking(key, delta, out) {
      emitThinking(partState(key), delta, out);
    },
    reconcile,
    reconcileItem(item, itemId, outputIndex, out) {
      if (item.type === 'message' && Array.isArray(item.content)) {
        reconcileMessage(item.content, itemId, outputIndex, out);
      } else if (item.type === 'reasoning') {
        reconcileReasoning(item, itemId, outputIndex, out);
      }
    },
    noteItem(itemId, outputIndex) {
      if (itemId !== undefined) seenItemIds.add(itemId);
      if (outputIndex !== undefined) seenOutputIndexes.add(outputIndex);
      if (itemId !== undefined && outputIndex !== undefined && !outputIndexByItemId.has(itemId)) {
        outputIndexByItemId.set(itemId, outputIndex);
      }
    },
    wasSeen(itemId, outputIndex) {
      return (itemId !== undefined && seenItemIds.has(itemId)) || seenOutputIndexes.has(outputIndex);
    },
    refusedOnly() {
      return sawRefusal && !sawText;
    },
  };
}
