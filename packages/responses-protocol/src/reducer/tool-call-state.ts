import type { StreamChunk } from '../stream-chunk.js';
import {
  ignoreUnknownEventType,
  isRecord,
  optionalString,
  reportInvalidField,
  type UncheckedEvent,
  type UncheckedOutputItem,
} from './unchecked-event.js';

/** State of one tool call, keyed by item id and output index (never by call id, which can change). */
interface ToolCall {
  readonly key: string;
  outputIndex: number | undefined;
  /** The call id reported in `tool-call-start` (first one seen wins). */
  callId: string | undefined;
  name: string | undefined;
  started: boolean;
  finished: boolean;
  /** Every argument character accepted so far (emitted or waiting for the start). */
  received: string;
  /** How much of `received` went out as `tool-call-delta`. */
  emittedLength: number;
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

function flushArguments(call: ToolCall, out: StreamChunk[]): void {
  if (!call.started || call.emittedLength >= call.received.length) return;
  out.push({
    type: 'tool-call-delta',
    id: call.callId!,
    argumentsDelta: call.received.slice(call.emittedLength),
  });
  call.emittedLength = call.received.length;
}

function appendArguments(call: ToolCall, delta: string, out: StreamChunk[]): void {
  if (delta.length === 0 || call.finished) return;
  call.received += delta;
  flushArguments(call, out);
}

/**
 * Reconciles full arguments (from `.done` or the final item) with the deltas received: when they
 * extend what was received, the missing rest is emitted; when they disagree and nothing was
 * emitted yet, they replace the buffered deltas; when they disagree after deltas went out, the
 * emitted deltas stand (they cannot be taken back) and nothing more is emitted.
 */
function reconcileArguments(call: ToolCall, full: string | undefined, out: StreamChunk[]): void {
  if (full === undefined || call.finished || full === call.received) return;
  if (full.startsWith(call.received)) {
    appendArguments(call, full.slice(call.received.length), out);
  } else if (call.emittedLength === 0) {
    call.received = full;
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
        const call = this.callFor(itemId, outputIndex, optionalString(event.call_id));
        appendArguments(call, event.delta, out);
        tryStart(call, out);
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
        received: '',
        emittedLength: 0,
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
