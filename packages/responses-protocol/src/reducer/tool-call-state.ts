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

/**
 * State of one tool call, keyed by item id and output index (never by call id, which can change).
 * @internal
 */
export interface ToolCall {
  readonly key: string;
  outputIndex: number | undefined;
  /** The call id reported in `tool-call-start` (first one seen wins). */
  callId: string | undefined;
  name: string | undefined;
  started: boolean;
  finished: boolean;
  /**
   * The argument characters received before the call started (its id and name known), waiting to
   * go out, in pieces: the deltas as they came, every {@link PARTS_PER_BATCH} of them joined into
   * one string, all joined only when they go out or are reconciled (see `receivedText`) — so a long
   * argument buffered in many deltas costs linear time, and the pieces kept do not hold on to the
   * (much larger) network text they were cut from. Empty once the call started: what went out is
   * not kept (see `lastDelta`).
   */
  receivedParts: string[];
  /** Where the deltas not yet joined into a batch start in `receivedParts`. */
  batchStart: number;
  /**
   * How many argument characters were received. Once the call started every one of them went out
   * as `tool-call-delta` (the waiting ones first, then each delta as it comes); before, none did.
   */
  receivedLength: number;
  /**
   * The last `tool-call-delta` that went out: full arguments longer than what went out are taken to
   * extend it only when they have this text where it ended (see `reconcileArguments`).
   */
  lastDelta: string;
}

/** The events that stream or complete the arguments of a function or custom tool call. */
export type ToolCallEvent = UncheckedEvent<
  | 'response.function_call_arguments.delta'
  | 'response.function_call_arguments.done'
  | 'response.custom_tool_call_input.delta'
  | 'response.custom_tool_call_input.done'
>;

/** Whether an output item is a function or custom tool call. */
export function isToolItem(item: UncheckedOutputItem): boolean {
  return item.type === 'function_call' || item.type === 'custom_tool_call';
}

function toolArgumentsOf(item: UncheckedOutputItem): string | undefined {
  if (item.type === 'custom_tool_call') return optionalString(item.input);
  const args = item.arguments;
  if (typeof args === 'string') return args;
  if (isRecord(args)) return JSON.stringify(args);
  return undefined;
}

/** Emits `tool-call-start` once the call id and name are known, then the arguments waiting. */
function tryStart(call: ToolCall, out: StreamChunk[]): void {
  if (call.started || call.callId === undefined || call.name === undefined) return;
  call.started = true;
  out.push({ type: 'tool-call-start', id: call.callId, name: call.name });
  flushArguments(call, out);
}

/** How many argument deltas are joined into one piece of `receivedParts`. */
const PARTS_PER_BATCH = 64;

/** The arguments received and not gone out yet, as one string (joined once, then kept joined). */
function receivedText(call: ToolCall): string {
  const parts = call.receivedParts;
  if (parts.length === 1) return parts[0] as string;
  const text = parts.join('');
  setReceived(call, text);
  return text;
}

function setReceived(call: ToolCall, text: string): void {
  call.receivedParts = [text];
  call.batchStart = 1;
  call.receivedLength = text.length;
}

/** Emits the arguments waiting for the start (once the call started); they are then no longer kept. */
function flushArguments(call: ToolCall, out: StreamChunk[]): void {
  if (!call.started || call.receivedParts.length === 0) return;
  const waiting = receivedText(call);
  call.receivedParts = [];
  call.batchStart = 0;
  if (waiting.length === 0) return;
  out.push({ type: 'tool-call-delta', id: call.callId!, argumentsDelta: waiting });
  call.lastDelta = waiting;
}

/**
 * The `tool-call-delta` of arguments received once the call started (none for an empty delta or a
 * finished call), not pushed (see `LastChunk`). Everything before this delta went out: it goes out
 * as it is, and is not kept (keeping every delta cost more than reading it, and memory for as long
 * as the call streams).
 */
export function startedCallDelta(call: ToolCall, delta: string): LastChunk {
  if (delta.length === 0 || call.finished) return undefined;
  call.receivedLength += delta.length;
  call.lastDelta = delta;
  return { type: 'tool-call-delta', id: call.callId!, argumentsDelta: delta };
}

/** Adds received arguments: they go out once the call started, else wait for it to start. */
function appendArguments(call: ToolCall, delta: string, out: StreamChunk[]): void {
  if (call.started) {
    pushLastChunk(out, startedCallDelta(call, delta));
    return;
  }
  if (delta.length === 0 || call.finished) return;
  call.receivedLength += delta.length;
  const parts = call.receivedParts;
  parts.push(delta);
  if (parts.length - call.batchStart >= PARTS_PER_BATCH) {
    parts.push(parts.splice(call.batchStart).join(''));
    call.batchStart = parts.length;
  }
}

/**
 * Reconciles full arguments (from `.done` or the final item) with the deltas received. Before any
 * went out: full arguments that extend the ones received add the rest; different ones replace them.
 * Once deltas went out they stand (they cannot be taken back): full arguments longer than them,
 * with the last delta's text where it ended, add the rest (checked like that rather than against
 * every character that went out, which would have to be kept: the same trust as text parts, which
 * are reconciled by length); anything else adds nothing.
 */
function reconcileArguments(call: ToolCall, full: string | undefined, out: StreamChunk[]): void {
  if (full === undefined || call.finished) return;
  // Deltas went out (then every received one did).
  if (call.started && call.receivedLength > 0) {
    const emitted = call.receivedLength;
    const last = call.lastDelta;
    if (full.length > emitted && full.startsWith(last, emitted - last.length))
      appendArguments(call, full.slice(emitted), out);
    return;
  }
  const received = receivedText(call);
  if (full === received) return;
  if (full.startsWith(received)) {
    // (Slicing would copy the full arguments into one flat string even when nothing was received.)
    appendArguments(call, received.length === 0 ? full : full.slice(received.length), out);
  } else {
    setReceived(call, full);
    flushArguments(call, out);
  }
}

/** Emits `tool-call-end` (starting the call first, with its item id and no name, if it never started). */
function finishCall(call: ToolCall, out: StreamChunk[]): void {
  if (call.finished) return;
  if (!call.started) {
    call.callId ??= call.key;
    call.name ??= '';
    tryStart(call, out);
  }
  flushArguments(call, out);
  call.finished = true;
  out.push({ type: 'tool-call-end', id: call.callId! });
}

/**
 * The tool calls of one response: their `tool-call-start` / `-delta` / `-end` chunks, with every
 * argument character emitted exactly once whether the arguments come as deltas, in `.done`, in
 * `output_item.done` or only in the final response.
 * @internal
 */
export class ToolCallState {
  private readonly byItemId = new Map<string, ToolCall>();
  private readonly byOutputIndex = new Map<number, ToolCall>();
  private readonly calls: ToolCall[] = [];
  // The last lookup of `callFor` (argument deltas of one call come in a row): its arguments and result.
  private lastItemId: string | undefined;
  private lastOutputIndex: number | undefined;
  private lastCallId: string | undefined;
  private lastCall: ToolCall | undefined;

  /** An argument (or custom tool input) delta or `.done` event, located by `output_index` and `item_id`. */
  reduceEvent(
    event: ToolCallEvent,
    outputIndex: number | undefined,
    itemId: string | undefined,
    out: StreamChunk[],
  ): void {
    switch (event.type) {
      case 'response.function_call_arguments.delta':
      case 'response.custom_tool_call_input.delta': {
        if (typeof event.delta !== 'string') {
          reportInvalidField(event.type, 'delta', out);
          break;
        }
        pushLastChunk(
          out,
          this.argumentsDelta(event.delta, outputIndex, itemId, optionalString(event.call_id), out),
        );
        break;
      }
      case 'response.function_call_arguments.done':
      case 'response.custom_tool_call_input.done': {
        const call = this.callFor(itemId, outputIndex, optionalString(event.call_id));
        if (call.name === undefined && typeof event.name === 'string') call.name = event.name;
        tryStart(call, out);
        const full = event.type === 'response.custom_tool_call_input.done' ? event.input : event.arguments;
        reconcileArguments(call, optionalString(full), out);
        break;
      }
      default:
        ignoreUnknownEventType(event);
    }
  }

  /**
   * An argument (or custom tool input) delta, given by its fields. Once the call started, returns
   * its chunk, not pushed (see `LastChunk`); before, its chunks (if it starts the call) go to `out`.
   */
  argumentsDelta(
    delta: string,
    outputIndex: number | undefined,
    itemId: string | undefined,
    callId: string | undefined,
    out: StreamChunk[],
  ): LastChunk {
    const call = this.callFor(itemId, outputIndex, callId);
    if (call.started) return startedCallDelta(call, delta);
    appendArguments(call, delta, out);
    tryStart(call, out);
    return undefined;
  }

  /**
   * Called right after `argumentsDelta`: the call that delta went to, if it has started and was
   * found by an item id or an output index (`callFor` remembers no other) — every later delta
   * located the same way goes to it (its map entries are set once), through {@link startedCallDelta}.
   */
  lastStartedCall(): ToolCall | undefined {
    const call = this.lastCall;
    return call?.started ? call : undefined;
  }

  /** A tool item announced (`output_item.added`) or finished (`output_item.done`, final output). */
  recordItem(
    item: UncheckedOutputItem,
    outputIndex: number | undefined,
    isDone: boolean,
    out: StreamChunk[],
  ): void {
    const call = this.callFor(optionalString(item.id), outputIndex, optionalString(item.call_id));
    if (call.name === undefined && typeof item.name === 'string') call.name = item.name;
    if (!call.started) tryStart(call, out);
    const args = toolArgumentsOf(item);
    if (isDone) {
      reconcileArguments(call, args, out);
      finishCall(call, out);
    } else if (args !== undefined && args.length > 0) {
      reconcileArguments(call, args, out);
    }
  }

  /** A tool item of the final response whose call was already seen: finishes it if still open. */
  settleFinalItem(item: UncheckedOutputItem, outputIndex: number, out: StreamChunk[]): void {
    const call = this.find(optionalString(item.id), outputIndex);
    if (call !== undefined && !call.finished) this.recordItem(item, outputIndex, true, out);
  }

  /** Ends every open call (end of the response). */
  finishAll(out: StreamChunk[]): void {
    for (const call of this.calls) finishCall(call, out);
  }

  /** Whether any call was started (the response then ends with `tool-calls`). */
  anyStarted(): boolean {
    return this.calls.some((call) => call.started);
  }

  private find(itemId: string | undefined, outputIndex: number | undefined): ToolCall | undefined {
    return (
      (itemId === undefined ? undefined : this.byItemId.get(itemId)) ??
      (outputIndex === undefined ? undefined : this.byOutputIndex.get(outputIndex))
    );
  }

  /** The call an event or item belongs to, created on first sight (by item id, output index or call id). */
  private callFor(
    itemId: string | undefined,
    outputIndex: number | undefined,
    callId: string | undefined,
  ): ToolCall {
    // The same lookup again finds the same call and changes nothing (every map entry and field it
    // sets is set only once), so the last result stands — unless it has no key at all (then every
    // lookup makes a new call, and none is remembered).
    if (
      this.lastCall !== undefined &&
      itemId === this.lastItemId &&
      outputIndex === this.lastOutputIndex &&
      callId === this.lastCallId
    ) {
      return this.lastCall;
    }
    const call = this.lookUpOrCreate(itemId, outputIndex, callId);
    const keyed = itemId !== undefined || outputIndex !== undefined || callId !== undefined;
    this.lastItemId = itemId;
    this.lastOutputIndex = outputIndex;
    this.lastCallId = callId;
    this.lastCall = keyed ? call : undefined;
    return call;
  }

  private lookUpOrCreate(
    itemId: string | undefined,
    outputIndex: number | undefined,
    callId: string | undefined,
  ): ToolCall {
    let call =
      this.find(itemId, outputIndex) ?? (callId === undefined ? undefined : this.byItemId.get(callId));
    if (call === undefined) {
      call = {
        key: itemId ?? callId ?? `output-${outputIndex ?? this.calls.length}`,
        outputIndex,
        callId: undefined,
        name: undefined,
        started: false,
        finished: false,
        receivedParts: [],
        batchStart: 0,
        receivedLength: 0,
        lastDelta: '',
      };
      this.calls.push(call);
      this.byItemId.set(call.key, call);
    }
    if (itemId !== undefined && !this.byItemId.has(itemId)) this.byItemId.set(itemId, call);
    if (outputIndex !== undefined) {
      call.outputIndex ??= outputIndex;
      if (!this.byOutputIndex.has(outputIndex)) this.byOutputIndex.set(outputIndex, call);
    }
    if (call.callId === undefined && callId !== undefined && callId !== '') call.callId = callId;
    return call;
  }
}
