import type { StreamChunk } from '../stream-chunk.js';
import { type LastChunk, pushLastChunk } from './last-chunk.js';
import {
  ignoreUnknownEventType,
  isRecord,
  optionalString,
  reportInvalidField,
  type UncheckedEvent,
  type UncheckedOutputItem,
} from './unchecked-event.js';

/** How much text of one content/summary part was emitted (its length only: text can be huge). */
interface PartState {
  emitted: number;
}

/** Which text a part holds: message text or refusal, a reasoning summary paragraph, or raw reasoning. */
type PartKind = 'message' | 'summary' | 'reasoning';

/** The chunk a part's text goes out as (`refusal` is sent as `text` but counted apart). */
type PartTextKind = 'text' | 'refusal' | 'thinking';

const KEY_PREFIX: Record<PartKind, string> = { message: 't', summary: 's', reasoning: 'r' };

/** The events that add to or complete a message (text, refusal) or reasoning part. */
export type TextPartEvent = UncheckedEvent<
  | 'response.output_text.done'
  | 'response.refusal.delta'
  | 'response.refusal.done'
  | 'response.content_part.done'
  | 'response.reasoning_summary_text.delta'
  | 'response.reasoning_summary_text.done'
  | 'response.reasoning_summary_part.done'
  | 'response.reasoning_text.delta'
  | 'response.reasoning_text.done'
>;

/**
 * The text, refusal and reasoning parts of one response: each character is emitted once, whether
 * it comes in deltas, in a `.done` full text, in `output_item.done` or only in the final response.
 * Parts are correlated by output index (an item id can change between deltas and `.done`); an
 * event that only names its item is mapped to the output index the item was announced with.
 * @internal
 */
export class TextParts {
  private readonly parts = new Map<string, PartState>();
  private readonly seenItemIds = new Set<string>();
  private readonly seenOutputIndexes = new Set<number>();
  private readonly outputIndexByItemId = new Map<string, number>();
  private sawText = false;
  private sawRefusal = false;
  private thinkingEmitted = false;
  // The part of the last delta located by output index (deltas of one part come in a row).
  private hotPart: PartState | undefined;
  private hotKind: PartKind | undefined;
  private hotOutputIndex: number | undefined;
  private hotIndex: number | undefined;

  /**
   * `response.output_text.delta`, the hot path: most events of a stream are these. Returns its
   * chunk (none for an empty delta), not pushed (see `LastChunk`).
   */
  outputTextDelta(
    delta: string,
    outputIndex: number | undefined,
    contentIndex: number | undefined,
    itemId: string | undefined,
  ): LastChunk {
    const state = this.deltaPart('message', outputIndex, itemId, contentIndex);
    if (delta.length === 0) return undefined;
    state.emitted += delta.length;
    this.sawText = true;
    return { type: 'text', text: delta };
  }

  /** `response.refusal.delta`, given by its fields. Returns its chunk, not pushed (see `LastChunk`). */
  refusalDelta(
    delta: string,
    outputIndex: number | undefined,
    contentIndex: unknown,
    itemId: string | undefined,
  ): LastChunk {
    return this.textChunk('refusal', this.deltaPart('message', outputIndex, itemId, contentIndex), delta);
  }

  /**
   * `response.reasoning_summary_text.delta` (`kind` `summary`, `index` its `summary_index`) or
   * `response.reasoning_text.delta` (`kind` `reasoning`, `index` its `content_index`). Returns its
   * `thinking` chunk, not pushed; a paragraph break before it goes to `out` (see `LastChunk`).
   */
  reasoningDelta(
    kind: 'summary' | 'reasoning',
    delta: string,
    outputIndex: number | undefined,
    index: unknown,
    itemId: string | undefined,
    out: StreamChunk[],
  ): LastChunk {
    return this.thinkingChunk(this.deltaPart(kind, outputIndex, itemId, index), delta, out);
  }

  /** Every other text or reasoning event, located by its `output_index` and `item_id`. */
  reduceEvent(
    event: TextPartEvent,
    outputIndex: number | undefined,
    itemId: string | undefined,
    out: StreamChunk[],
  ): void {
    switch (event.type) {
      case 'response.refusal.delta':
        if (typeof event.delta !== 'string') reportInvalidField(event.type, 'delta', out);
        else pushLastChunk(out, this.refusalDelta(event.delta, outputIndex, event.content_index, itemId));
        return;
      case 'response.reasoning_summary_text.delta':
        if (typeof event.delta !== 'string') reportInvalidField(event.type, 'delta', out);
        else
          pushLastChunk(
            out,
            this.reasoningDelta('summary', event.delta, outputIndex, event.summary_index, itemId, out),
          );
        return;
      case 'response.reasoning_text.delta':
        if (typeof event.delta !== 'string') reportInvalidField(event.type, 'delta', out);
        else
          pushLastChunk(
            out,
            this.reasoningDelta('reasoning', event.delta, outputIndex, event.content_index, itemId, out),
          );
        return;
    }
    const key = this.eventPartKey(event, outputIndex, itemId);
    switch (event.type) {
      case 'response.output_text.done':
        this.reconcile('text', key, optionalString(event.text), out);
        break;
      case 'response.refusal.done':
        this.reconcile('refusal', key, optionalString(event.refusal), out);
        break;
      case 'response.content_part.done': {
        const part = isRecord(event.part) ? event.part : undefined;
        if (part?.type === 'output_text') this.reconcile('text', key, optionalString(part.text), out);
        else if (part?.type === 'refusal') this.reconcile('refusal', key, optionalString(part.refusal), out);
        break;
      }
      case 'response.reasoning_summary_text.done':
      case 'response.reasoning_text.done':
        this.reconcile('thinking', key, optionalString(event.text), out);
        break;
      case 'response.reasoning_summary_part.done':
        this.reconcile(
          'thinking',
          key,
          optionalString(isRecord(event.part) ? event.part.text : undefined),
          out,
        );
        break;
      default:
        ignoreUnknownEventType(event);
    }
  }

  /** Reconciles the text of a finished `message` or `reasoning` item with what was emitted. */
  reconcileItem(
    item: UncheckedOutputItem,
    itemId: string | undefined,
    outputIndex: number | undefined,
    out: StreamChunk[],
  ): void {
    if (item.type === 'message') {
      this.reconcileParts(item.content, 'message', itemId, outputIndex, out);
    } else if (item.type === 'reasoning') {
      this.reconcileParts(item.summary, 'summary', itemId, outputIndex, out);
      this.reconcileParts(item.content, 'reasoning', itemId, outputIndex, out);
    }
  }

  /** Records that an item was seen in the stream, and at which output index. */
  noteItem(itemId: string | undefined, outputIndex: number | undefined): void {
    if (itemId !== undefined) this.seenItemIds.add(itemId);
    if (outputIndex !== undefined) this.seenOutputIndexes.add(outputIndex);
    if (itemId !== undefined && outputIndex !== undefined && !this.outputIndexByItemId.has(itemId)) {
      this.outputIndexByItemId.set(itemId, outputIndex);
    }
  }

  /** Whether an item of the final response was already seen in the stream (by id or output index). */
  wasSeen(itemId: string | undefined, outputIndex: number): boolean {
    return (itemId !== undefined && this.seenItemIds.has(itemId)) || this.seenOutputIndexes.has(outputIndex);
  }

  /** Whether the answer is a refusal and nothing else (the response then ends with `content-filter`). */
  refusedOnly(): boolean {
    return this.sawRefusal && !this.sawText;
  }

  /** The key of one part: its kind, location and content/summary `index` (a non-number counts as 0). */
  private partKey(
    kind: PartKind,
    outputIndex: number | undefined,
    itemId: string | undefined,
    index: unknown,
  ): string {
    const location =
      outputIndex ??
      (itemId === undefined ? undefined : this.outputIndexByItemId.get(itemId)) ??
      `id:${itemId ?? '?'}`;
    return `${KEY_PREFIX[kind]}:${location}:${typeof index === 'number' ? index : 0}`;
  }

  /** Summary events are keyed by `summary_index`, raw reasoning and message events by `content_index`. */
  private eventPartKey(event: TextPartEvent, outputIndex: number | undefined, itemId: string | undefined) {
    switch (event.type) {
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_summary_text.done':
      case 'response.reasoning_summary_part.done':
        return this.partKey('summary', outputIndex, itemId, event.summary_index);
      case 'response.reasoning_text.delta':
      case 'response.reasoning_text.done':
        return this.partKey('reasoning', outputIndex, itemId, event.content_index);
      default:
        return this.partKey('message', outputIndex, itemId, event.content_index);
    }
  }

  /**
   * The state of the part a delta adds to. Consecutive deltas of one part located by output index
   * share it without building its key again (a part located by item id alone is not cached: the
   * item's output index may become known later, which changes its key).
   */
  private deltaPart(
    kind: PartKind,
    outputIndex: number | undefined,
    itemId: string | undefined,
    index: unknown,
  ): PartState {
    if (outputIndex === undefined) return this.partState(this.partKey(kind, undefined, itemId, index));
    const partIndex = typeof index === 'number' ? index : 0;
    if (
      this.hotPart !== undefined &&
      kind === this.hotKind &&
      outputIndex === this.hotOutputIndex &&
      partIndex === this.hotIndex
    ) {
      return this.hotPart;
    }
    const state = this.partState(this.partKey(kind, outputIndex, itemId, partIndex));
    this.hotPart = state;
    this.hotKind = kind;
    this.hotOutputIndex = outputIndex;
    this.hotIndex = partIndex;
    return state;
  }

  private partState(key: string): PartState {
    let state = this.parts.get(key);
    if (state === undefined) {
      state = { emitted: 0 };
      this.parts.set(key, state);
    }
    return state;
  }

  /** The chunk of `text` added to the part `state` (none for empty text), not pushed. */
  private textChunk(kind: 'text' | 'refusal', state: PartState, text: string): LastChunk {
    if (text.length === 0) return undefined;
    state.emitted += text.length;
    if (kind === 'refusal') this.sawRefusal = true;
    else this.sawText = true;
    return { type: 'text', text };
  }

  /**
   * The `thinking` chunk of `text` added to the part `state` (none for empty text), not pushed; the
   * paragraph break that starts a new reasoning part goes to `out` first.
   */
  private thinkingChunk(state: PartState, text: string, out: StreamChunk[]): LastChunk {
    if (text.length === 0) return undefined;
    if (state.emitted === 0 && this.thinkingEmitted) out.push({ type: 'thinking', text: '\n\n' });
    state.emitted += text.length;
    this.thinkingEmitted = true;
    return { type: 'thinking', text };
  }

  /** Emits what a full text has beyond what deltas of the part `key` already emitted (never twice). */
  private reconcile(kind: PartTextKind, key: string, full: string | undefined, out: StreamChunk[]): void {
    if (full === undefined) return;
    const state = this.partState(key);
    if (full.length <= state.emitted) return;
    const rest = full.slice(state.emitted);
    pushLastChunk(
      out,
      kind === 'thinking' ? this.thinkingChunk(state, rest, out) : this.textChunk(kind, state, rest),
    );
  }

  /**
   * Reconciles the parts of a finished item: a message's `output_text`/`text` and `refusal` parts,
   * a reasoning item's summary paragraphs, or its `reasoning_text` parts.
   */
  private reconcileParts(
    parts: unknown,
    kind: PartKind,
    itemId: string | undefined,
    outputIndex: number | undefined,
    out: StreamChunk[],
  ): void {
    if (!Array.isArray(parts)) return;
    parts.forEach((part: unknown, index) => {
      if (!isRecord(part)) return;
      const key = this.partKey(kind, outputIndex, itemId, index);
      if (kind === 'summary') this.reconcile('thinking', key, optionalString(part.text), out);
      else if (kind === 'reasoning') {
        if (part.type === 'reasoning_text') this.reconcile('thinking', key, optionalString(part.text), out);
      } else if (part.type === 'output_text' || part.type === 'text') {
        this.reconcile('text', key, optionalString(part.text), out);
      } else if (part.type === 'refusal') {
        this.reconcile('refusal', key, optionalString(part.refusal), out);
      }
    });
  }
}
