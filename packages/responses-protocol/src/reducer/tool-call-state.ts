import type { StreamChunk } from '../stream-chunk.js';
import { isRecord, optionalString, type UncheckedOutputItem } from './unchecked-event.js';

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

/**
 * The tool calls of one response: their `tool-call-start` / `-delta` / `-end` chunks, with every
 * argument character emitted exactly once whether the arguments come as deltas, in `.done`, in
 * `output_item.done` or only in the final response.
 * @internal
 */
export interface ToolCallState {
  /** `response.function_call_arguments.delta` / `response.custom_tool_call_input.delta`. */
  argumentsDelta(
    itemId: string | undefined,
    outputIndex: number | undefined,
    callId: string | undefined,
    delta: string,
    out: StreamChunk[],
  ): void;
  /** `response.function_call_arguments.done` / `response.custom_tool_call_input.done`. */
  argumentsDone(
    itemId: string | undefined,
    outputIndex: number | undefined,
    callId: string | undefined,
    name: string | undefined,
    fullArguments: string | undefined,
    out: StreamChunk[],
  ): void;
  /** A tool item announced (`output_item.added`) or finished (`output_item.done`, final output). */
  recordItem(
    item: UncheckedOutputItem,
    outputIndex: number | undefined,
    isDone: boolean,
    out: StreamChunk[],
  ): void;
  /** A tool item of the final response whose call was already seen: finishes it if still open. */
  settleFinalItem(item: UncheckedOutputItem, outputIndex: number, out: StreamChunk[]): void;
  /** Ends every open call (end of the response). */
  finishAll(out: StreamChunk[]): void;
  /** Whether any call was started (the response then ends with `tool-calls`). */
  anyStarted(): boolean;
}

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

/** Creates the tool call state of one response. @internal */
export function createToolCallState(): ToolCallState {
  const byItemId = new Map<string, ToolCall>();
  const byOutputIndex = new Map<number, ToolCall>();
  const calls: ToolCall[] = [];

  function find(itemId: string | undefined, outputIndex: number | undefined): ToolCall | undefined {
    return (
      (itemId === undefined ? undefined : byItemId.get(itemId)) ??
      (outputIndex === undefined ? undefined : byOutputIndex.get(outputIndex))
    );
  }

  function callFor(
    itemId: string | undefined,
    outputIndex: number | undefined,
    callId: string | undefined,
  ): ToolCall {
    let call = find(itemId, outputIndex) ?? (callId === undefined ? undefined : byItemId.get(callId));
    if (call === undefined) {
      call = {
        key: itemId ?? callId ?? `output-${outputIndex ?? calls.length}`,
        outputIndex,
        callId: undefined,
        name: undefined,
        started: false,
        finished: false,
        received: '',
        emittedLength: 0,
      };
      calls.push(call);
      byItemId.set(call.key, call);
    }
    if (itemId !== undefined && !byItemId.has(itemId)) byItemId.set(itemId, call);
    if (outputIndex !== undefined) {
      call.outputIndex ??= outputIndex;
      if (!byOutputIndex.has(outputIndex)) byOutputIndex.set(outputIndex, call);
    }
    if (call.callId === undefined && callId !== undefined && callId !== '') call.callId = callId;
    return call;
  }

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

  function finish(call: ToolCall, out: StreamChunk[]): void {
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

  function recordItem(
    item: UncheckedOutputItem,
    outputIndex: number | undefined,
    isDone: boolean,
    out: StreamChunk[],
  ): void {
    const call = callFor(optionalString(item.id), outputIndex, optionalString(item.call_id));
    if (call.name === undefined && typeof item.name === 'string') call.name = item.name;
    if (!call.started) tryStart(call, out);
    const args = toolArgumentsOf(item);
    if (isDone) {
      reconcileArguments(call, args, out);
      finish(call, out);
    } else if (args !== undefined && args.length > 0) {
      reconcileArguments(call, args, out);
    }
  }

  return {
    argumentsDelta(itemId, outputIndex, callId, delta, out) {
      const call = callFor(itemId, outputIndex, callId);
      appendArguments(call, delta, out);
      tryStart(call, out);
    },
    argumentsDone(itemId, outputIndex, callId, name, fullArguments, out) {
      const call = callFor(itemId, outputIndex, callId);
      if (call.name === undefined && name !== undefined) call.name = name;
      tryStart(call, out);
      reconcileArguments(call, fullArguments, out);
    },
    recordItem,
    settleFinalItem(item, outputIndex, out) {
      const call = find(optionalString(item.id), outputIndex);
      if (call !== undefined && !call.finished) recordItem(item, outputIndex, true, out);
    },
    finishAll(out) {
      for (const call of calls) finish(call, out);
    },
    anyStarted() {
      return calls.some((call) => call.started);
    },
  };
}
