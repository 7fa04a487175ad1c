import { MALFORMED_EVENT_TYPE } from './events/control-events.js';
import type { FinishReason, StreamChunk } from './stream-chunk.js';
import { parseUsage } from './usage.js';

/** State of one tool call, keyed by item id and output index (never by call id, which can change). */
interface ToolState {
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

/** How much text of one content/summary part was emitted (its length only: text can be huge). */
interface PartState {
  emitted: number;
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function optionalIndex(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/** Internal incremental reducer: pushes chunks into a caller-owned array. @internal */
export interface EventReducer {
  /** Reduces one event (any value; non-events become `invalid-event` errors). */
  push(event: unknown, out: StreamChunk[]): void;
  /**
   * Reduces a `response.output_text.delta` event given by its fields (the SSE parser's fast path,
   * which reads them without building the event object). Same result as `push` of that event.
   */
  outputTextDelta(
    delta: string,
    outputIndex: number | undefined,
    contentIndex: number | undefined,
    itemId: string | undefined,
    out: StreamChunk[],
  ): void;
  /** `data: [DONE]`: the server says the stream is over. */
  markDone(out: StreamChunk[]): void;
  /** A non-fatal problem with one event (malformed JSON…): an error chunk, the stream goes on. */
  report(code: string, message: string, out: StreamChunk[]): void;
  /** A fatal problem: an error chunk, then nothing more. */
  fail(code: string, message: string, out: StreamChunk[]): void;
  /** End of input: an error if no terminal event was seen. */
  finish(out: StreamChunk[]): void;
}

/** Message of the error emitted when input ends without a terminal event. */
export const STREAM_CLOSED_MESSAGE =
  'stream closed before completion: the connection ended before the response finished, so the answer may be cut off. Try again.';

/**
 * Creates the Responses event → `StreamChunk` state machine. Validation is done here, cheaply: the
 * reducer dispatches on `type` and checks the type of every field it reads (a delta that is not a
 * string is an `invalid-event` error chunk); unknown event types are ignored.
 * @internal
 */
export function createEventReducer(): EventReducer {
  let terminated = false;
  const toolsByItemId = new Map<string, ToolState>();
  const toolsByOutputIndex = new Map<number, ToolState>();
  const tools: ToolState[] = [];
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
    kind: string,
    outputIndex: number | undefined,
    itemId: string | undefined,
    index: number | undefined,
  ) {
    // Parts are correlated by output index (an item id can change between deltas and `.done`); an
    // event that only names its item is mapped to the output index its item was announced with.
    const location =
      outputIndex ??
      (itemId === undefined ? undefined : outputIndexByItemId.get(itemId)) ??
      `id:${itemId ?? '?'}`;
    return `${kind}:${location}:${index ?? 0}`;
  }

  function partState(key: string): PartState {
    let state = parts.get(key);
    if (state === undefined) {
      state = { emitted: 0 };
      parts.set(key, state);
    }
    return state;
  }

  /**
   * The part a reasoning event belongs to: raw reasoning text (`response.reasoning_text.*`) by
   * `content_index`, summary paragraphs (`response.reasoning_summary_*`) by `summary_index`.
   */
  function reasoningPartKey(
    event: Json,
    outputIndex: number | undefined,
    itemId: string | undefined,
  ): string {
    return typeof event.type === 'string' && event.type.startsWith('response.reasoning_text.')
      ? partKey('r', outputIndex, itemId, optionalIndex(event.content_index))
      : partKey('s', outputIndex, itemId, optionalIndex(event.summary_index));
  }

  function noteItem(itemId: string | undefined, outputIndex: number | undefined): void {
    if (itemId !== undefined) seenItemIds.add(itemId);
    if (outputIndex !== undefined) seenOutputIndexes.add(outputIndex);
    if (itemId !== undefined && outputIndex !== undefined && !outputIndexByItemId.has(itemId)) {
      outputIndexByItemId.set(itemId, outputIndex);
    }
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

  /** Emits what a `.done` full text has beyond what deltas already emitted (never twice). */
  function reconcilePart(
    kind: 'text' | 'refusal' | 'thinking',
    key: string,
    full: string | undefined,
    out: StreamChunk[],
  ): void {
    if (full === undefined) return;
    const state = partState(key);
    if (full.length <= state.emitted) return;
    const rest = full.slice(state.emitted);
    if (kind === 'thinking') emitThinking(state, rest, out);
    else emitText(kind, state, rest, out);
  }

  function findTool(itemId: string | undefined, outputIndex: number | undefined): ToolState | undefined {
    return (
      (itemId === undefined ? undefined : toolsByItemId.get(itemId)) ??
      (outputIndex === undefined ? undefined : toolsByOutputIndex.get(outputIndex))
    );
  }

  function toolFor(
    itemId: string | undefined,
    outputIndex: number | undefined,
    callId: string | undefined,
  ): ToolState {
    let state =
      findTool(itemId, outputIndex) ?? (callId === undefined ? undefined : toolsByItemId.get(callId));
    if (state === undefined) {
      state = {
        key: itemId ?? callId ?? `output-${outputIndex ?? tools.length}`,
        outputIndex,
        callId: undefined,
        name: undefined,
        started: false,
        finished: false,
        received: '',
        emittedLength: 0,
      };
      tools.push(state);
      toolsByItemId.set(state.key, state);
    }
    if (itemId !== undefined && !toolsByItemId.has(itemId)) toolsByItemId.set(itemId, state);
    if (outputIndex !== undefined) {
      state.outputIndex ??= outputIndex;
      if (!toolsByOutputIndex.has(outputIndex)) toolsByOutputIndex.set(outputIndex, state);
    }
    if (state.callId === undefined && callId !== undefined && callId !== '') state.callId = callId;
    return state;
  }

  function tryStart(state: ToolState, out: StreamChunk[]): void {
    if (state.started || state.callId === undefined || state.name === undefined) return;
    state.started = true;
    out.push({ type: 'tool-call-start', id: state.callId, name: state.name });
    flushArguments(state, out);
  }

  function flushArguments(state: ToolState, out: StreamChunk[]): void {
    if (!state.started || state.emittedLength >= state.received.length) return;
    out.push({
      type: 'tool-call-delta',
      id: state.callId!,
      argumentsDelta: state.received.slice(state.emittedLength),
    });
    state.emittedLength = state.received.length;
  }

  function appendArguments(state: ToolState, delta: string, out: StreamChunk[]): void {
    if (delta.length === 0 || state.finished) return;
    state.received += delta;
    flushArguments(state, out);
  }

  /**
   * Reconciles full arguments (from `.done` or the final item) with the deltas received: when they
   * extend what was received, the missing rest is emitted; when they disagree and nothing was
   * emitted yet, they replace the buffered deltas; when they disagree after deltas went out, the
   * emitted deltas stand (they cannot be taken back) and nothing more is emitted.
   */
  function reconcileArguments(state: ToolState, full: string | undefined, out: StreamChunk[]): void {
    if (full === undefined || state.finished || full === state.received) return;
    if (full.startsWith(state.received)) {
      appendArguments(state, full.slice(state.received.length), out);
    } else if (state.emittedLength === 0) {
      state.received = full;
      flushArguments(state, out);
    }
  }

  function finishTool(state: ToolState, out: StreamChunk[]): void {
    if (state.finished) return;
    if (!state.started) {
      state.callId ??= state.key;
      state.name ??= '';
      tryStart(state, out);
    }
    flushArguments(state, out);
    state.finished = true;
    out.push({ type: 'tool-call-end', id: state.callId! });
  }

  function isToolItem(item: Json): boolean {
    return item.type === 'function_call' || item.type === 'custom_tool_call';
  }

  function toolArgumentsOf(item: Json): string | undefined {
    if (item.type === 'custom_tool_call') return optionalString(item.input);
    const args = item.arguments;
    if (typeof args === 'string') return args;
    if (isRecord(args)) return JSON.stringify(args);
    return undefined;
  }

  function recordToolItem(
    item: Json,
    outputIndex: number | undefined,
    isDone: boolean,
    out: StreamChunk[],
  ): void {
    const state = toolFor(optionalString(item.id), outputIndex, optionalString(item.call_id));
    if (state.name === undefined && typeof item.name === 'string') state.name = item.name;
    if (!state.started) tryStart(state, out);
    const args = toolArgumentsOf(item);
    if (isDone) {
      reconcileArguments(state, args, out);
      finishTool(state, out);
    } else if (args !== undefined && args.length > 0) {
      reconcileArguments(state, args, out);
    }
  }

  function recordFinishedItem(item: Json, outputIndex: number | undefined, out: StreamChunk[]): void {
    const itemId = optionalString(item.id);
    noteItem(itemId, outputIndex);
    if (isToolItem(item)) {
      recordToolItem(item, outputIndex, true, out);
      return;
    }
    if (item.type === 'message' && Array.isArray(item.content)) {
      item.content.forEach((part: unknown, contentIndex) => {
        if (!isRecord(part)) return;
        if (part.type === 'output_text' || part.type === 'text') {
          reconcilePart(
            'text',
            partKey('t', outputIndex, itemId, contentIndex),
            optionalString(part.text),
            out,
          );
        } else if (part.type === 'refusal') {
          reconcilePart(
            'refusal',
            partKey('t', outputIndex, itemId, contentIndex),
            optionalString(part.refusal),
            out,
          );
        }
      });
      return;
    }
    if (item.type === 'reasoning') {
      if (Array.isArray(item.summary)) {
        item.summary.forEach((part: unknown, summaryIndex) => {
          if (isRecord(part)) {
            reconcilePart(
              'thinking',
              partKey('s', outputIndex, itemId, summaryIndex),
              optionalString(part.text),
              out,
            );
          }
        });
      }
      if (Array.isArray(item.content)) {
        item.content.forEach((part: unknown, contentIndex) => {
          if (isRecord(part) && part.type === 'reasoning_text') {
            reconcilePart(
              'thinking',
              partKey('r', outputIndex, itemId, contentIndex),
              optionalString(part.text),
              out,
            );
          }
        });
      }
    }
  }

  function finishReason(incompleteReason: FinishReason | undefined): FinishReason {
    if (incompleteReason !== undefined) return incompleteReason;
    if (tools.some((tool) => tool.started)) return 'tool-calls';
    if (sawRefusal && !sawText) return 'content-filter';
    return 'stop';
  }

  function complete(
    response: Json | undefined,
    incompleteReason: FinishReason | undefined,
    out: StreamChunk[],
  ) {
    if (response !== undefined && Array.isArray(response.output)) {
      response.output.forEach((item: unknown, outputIndex) => {
        if (!isRecord(item)) return;
        const itemId = optionalString(item.id);
        const seen = (itemId !== undefined && seenItemIds.has(itemId)) || seenOutputIndexes.has(outputIndex);
        if (!seen) {
          recordFinishedItem(item, outputIndex, out);
        } else if (isToolItem(item)) {
          const state = findTool(itemId, outputIndex);
          if (state !== undefined && !state.finished) recordToolItem(item, outputIndex, true, out);
        }
      });
    }
    for (const tool of tools) finishTool(tool, out);
    const usage = response === undefined ? undefined : parseUsage(response.usage);
    const done: StreamChunk =
      usage === undefined
        ? { type: 'done', finishReason: finishReason(incompleteReason) }
        : { type: 'done', usage, finishReason: finishReason(incompleteReason) };
    out.push(done);
    terminated = true;
  }

  function fail(code: string, message: string, out: StreamChunk[]): void {
    if (terminated) return;
    terminated = true;
    out.push({ type: 'error', message, code });
  }

  function responseError(
    response: Json | undefined,
    fallbackCode: string,
    fallbackMessage: string,
    out: StreamChunk[],
  ) {
    const error = isRecord(response?.error) ? response.error : undefined;
    const message = optionalString(error?.message);
    const code = optionalString(error?.code) ?? optionalString(error?.type) ?? fallbackCode;
    fail(code, message !== undefined && message !== '' ? message : fallbackMessage, out);
  }

  function incompleteFinishReason(response: Json | undefined): FinishReason {
    const details = isRecord(response?.incomplete_details) ? response.incomplete_details : undefined;
    return details?.reason === 'content_filter' ? 'content-filter' : 'length';
  }

  function terminal(type: string, response: Json | undefined, out: StreamChunk[]): void {
    const status = optionalString(response?.status);
    if (type === 'response.failed' || status === 'failed') {
      responseError(
        response,
        'response-failed',
        'The response failed without an error message. Try again; if it keeps failing, shorten or change the request.',
        out,
      );
    } else if (type === 'response.cancelled' || status === 'cancelled') {
      responseError(response, 'response-cancelled', 'The response was cancelled before it completed.', out);
    } else if (type === 'response.incomplete' || status === 'incomplete') {
      complete(response, incompleteFinishReason(response), out);
    } else {
      complete(response, undefined, out);
    }
  }

  function invalid(type: string, field: string, out: StreamChunk[]): void {
    out.push({
      type: 'error',
      code: 'invalid-event',
      message: `The server sent a "${type}" event without a valid "${field}" field; it was skipped. The output may be incomplete.`,
    });
  }

  /** `response.output_text.delta`, the hot path: most events of a stream are these. */
  function outputTextDelta(
    delta: string,
    outputIndex: number | undefined,
    contentIndex: number | undefined,
    itemId: string | undefined,
    out: StreamChunk[],
  ): void {
    if (terminated) return;
    let state: PartState;
    if (outputIndex === undefined) {
      state = partState(partKey('t', undefined, itemId, contentIndex));
    } else if (hotPart !== undefined && outputIndex === hotOutputIndex && contentIndex === hotContentIndex) {
      state = hotPart;
    } else {
      state = partState(partKey('t', outputIndex, itemId, contentIndex));
      hotPart = state;
      hotOutputIndex = outputIndex;
      hotContentIndex = contentIndex;
    }
    if (delta.length === 0) return;
    state.emitted += delta.length;
    sawText = true;
    out.push({ type: 'text', text: delta });
  }

  function push(value: unknown, out: StreamChunk[]): void {
    if (terminated) return;
    if (!isRecord(value) || typeof value.type !== 'string') {
      out.push({
        type: 'error',
        code: 'invalid-event',
        message: 'Received a stream event that is not an object with a string "type"; it was skipped.',
      });
      return;
    }
    const event = value;
    const type = value.type;

    // Hot path: plain answer text.
    if (type === 'response.output_text.delta') {
      const delta = event.delta;
      if (typeof delta !== 'string') {
        invalid(type, 'delta', out);
        return;
      }
      outputTextDelta(
        delta,
        optionalIndex(event.output_index),
        optionalIndex(event.content_index),
        optionalString(event.item_id),
        out,
      );
      return;
    }

    const outputIndex = optionalIndex(event.output_index);
    const itemId = optionalString(event.item_id);
    switch (type) {
      case 'response.output_text.done':
        reconcilePart(
          'text',
          partKey('t', outputIndex, itemId, optionalIndex(event.content_index)),
          optionalString(event.text),
          out,
        );
        return;
      case 'response.refusal.delta': {
        const delta = event.delta;
        if (typeof delta !== 'string') {
          invalid(type, 'delta', out);
          return;
        }
        emitText(
          'refusal',
          partState(partKey('t', outputIndex, itemId, optionalIndex(event.content_index))),
          delta,
          out,
        );
        return;
      }
      case 'response.refusal.done':
        reconcilePart(
          'refusal',
          partKey('t', outputIndex, itemId, optionalIndex(event.content_index)),
          optionalString(event.refusal),
          out,
        );
        return;
      case 'response.content_part.done': {
        const part = isRecord(event.part) ? event.part : undefined;
        const key = partKey('t', outputIndex, itemId, optionalIndex(event.content_index));
        if (part?.type === 'output_text') reconcilePart('text', key, optionalString(part.text), out);
        else if (part?.type === 'refusal') reconcilePart('refusal', key, optionalString(part.refusal), out);
        return;
      }
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta': {
        const delta = event.delta;
        if (typeof delta !== 'string') {
          invalid(type, 'delta', out);
          return;
        }
        emitThinking(partState(reasoningPartKey(event, outputIndex, itemId)), delta, out);
        return;
      }
      case 'response.reasoning_summary_text.done':
      case 'response.reasoning_text.done':
        reconcilePart(
          'thinking',
          reasoningPartKey(event, outputIndex, itemId),
          optionalString(event.text),
          out,
        );
        return;
      case 'response.reasoning_summary_part.done': {
        const part = isRecord(event.part) ? event.part : undefined;
        reconcilePart(
          'thinking',
          reasoningPartKey(event, outputIndex, itemId),
          optionalString(part?.text),
          out,
        );
        return;
      }
      case 'response.function_call_arguments.delta':
      case 'response.custom_tool_call_input.delta': {
        const delta = event.delta;
        if (typeof delta !== 'string') {
          invalid(type, 'delta', out);
          return;
        }
        const state = toolFor(itemId, outputIndex, optionalString(event.call_id));
        appendArguments(state, delta, out);
        tryStart(state, out);
        return;
      }
      case 'response.function_call_arguments.done':
      case 'response.custom_tool_call_input.done': {
        const state = toolFor(itemId, outputIndex, optionalString(event.call_id));
        if (state.name === undefined && typeof event.name === 'string') state.name = event.name;
        tryStart(state, out);
        const full = type === 'response.custom_tool_call_input.done' ? event.input : event.arguments;
        reconcileArguments(state, optionalString(full), out);
        return;
      }
      case 'response.output_item.added': {
        const item = event.item;
        if (!isRecord(item)) {
          invalid(type, 'item', out);
          return;
        }
        noteItem(optionalString(item.id), outputIndex);
        if (isToolItem(item)) recordToolItem(item, outputIndex, false, out);
        return;
      }
      case 'response.output_item.done': {
        const item = event.item;
        if (!isRecord(item)) {
          invalid(type, 'item', out);
          return;
        }
        recordFinishedItem(item, outputIndex, out);
        return;
      }
      case 'response.completed':
      case 'response.failed':
      case 'response.cancelled':
      case 'response.incomplete':
        terminal(type, isRecord(event.response) ? event.response : undefined, out);
        return;
      case 'response.done': {
        const response = isRecord(event.response) ? event.response : undefined;
        const status = optionalString(response?.status);
        if (status === 'in_progress' || status === 'queued') return;
        terminal(type, response, out);
        return;
      }
      case 'error': {
        const nested = isRecord(event.error) ? event.error : undefined;
        const message = optionalString(nested?.message) ?? optionalString(event.message);
        const code =
          optionalString(nested?.code) ??
          optionalString(event.code) ??
          optionalString(nested?.type) ??
          'server-error';
        fail(
          code,
          message !== undefined && message !== ''
            ? message
            : 'The server reported an error without a message. Try again.',
          out,
        );
        return;
      }
      case MALFORMED_EVENT_TYPE: {
        // A decoder error forwarded by a transport: `buffer-limit-exceeded` ends the stream, any
        // other code concerns one event only.
        const forwardedCode = optionalString(event.code);
        const message =
          optionalString(event.message) ??
          'The server sent an event that could not be decoded; it was skipped.';
        if (forwardedCode === 'buffer-limit-exceeded') fail(forwardedCode, message, out);
        else
          out.push({
            type: 'error',
            code: forwardedCode === 'invalid-event' ? forwardedCode : 'malformed-json',
            message,
          });
        return;
      }
      default:
        // Lifecycle notices, content parts added, hosted-tool status, keepalive and unknown events.
        return;
    }
  }

  return {
    push,
    outputTextDelta,
    markDone(out) {
      if (terminated) return;
      complete(undefined, undefined, out);
    },
    report(code, message, out) {
      if (terminated) return;
      out.push({ type: 'error', message, code });
    },
    fail,
    finish(out) {
      fail('stream-closed', STREAM_CLOSED_MESSAGE, out);
    },
  };
}
