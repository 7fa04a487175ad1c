import { MALFORMED_EVENT_TYPE } from '../malformed-event.js';
import type { StreamChunk } from '../stream-chunk.js';
import {
  createStreamTermination,
  STREAM_CLOSED_MESSAGE,
  type UncheckedResponse,
} from './stream-termination.js';
import { createTextParts } from './text-parts.js';
import { createToolCallState, isToolItem } from './tool-call-state.js';
import {
  type AnyUncheckedEvent,
  isRecord,
  optionalIndex,
  optionalString,
  type UncheckedOutputItem,
} from './unchecked-event.js';

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

function invalid(type: string, field: string, out: StreamChunk[]): void {
  out.push({
    type: 'error',
    code: 'invalid-event',
    message: `The server sent a "${type}" event without a valid "${field}" field; it was skipped. The output may be incomplete.`,
  });
}

/**
 * Where an event of an unknown type ends up: ignored. Typed `never` so that every known type must
 * have its own case in the reducer's switch (a new event schema without one fails to compile).
 */
function ignoreUnknownEvent(_event: never): void {}

/**
 * Creates the Responses event → `StreamChunk` state machine: a pure function of the events pushed
 * into it. It dispatches on `type` and checks the type of every field it reads (a delta that is not
 * a string is an `invalid-event` error chunk) instead of validating whole events; unknown event
 * types are ignored. Tool calls, text parts and the end of the response each keep their own state
 * (`tool-call-state.ts`, `text-parts.ts`, `stream-termination.ts`).
 * @internal
 */
export function createEventReducer(): EventReducer {
  const text = createTextParts();
  const tools = createToolCallState();
  const termination = createStreamTermination({ settle: settleFinalOutput, finishReason });

  /** A finished output item (`output_item.done`, or one the final response adds). */
  function finishItem(item: UncheckedOutputItem, outputIndex: number | undefined, out: StreamChunk[]): void {
    const itemId = optionalString(item.id);
    text.noteItem(itemId, outputIndex);
    if (isToolItem(item)) tools.recordItem(item, outputIndex, true, out);
    else text.reconcileItem(item, itemId, outputIndex, out);
  }

  function settleFinalOutput(response: UncheckedResponse | undefined, out: StreamChunk[]): void {
    if (response !== undefined && Array.isArray(response.output)) {
      response.output.forEach((item: unknown, outputIndex) => {
        if (!isRecord(item)) return;
        if (!text.wasSeen(optionalString(item.id), outputIndex)) finishItem(item, outputIndex, out);
        else if (isToolItem(item)) tools.settleFinalItem(item, outputIndex, out);
      });
    }
    tools.finishAll(out);
  }

  function finishReason() {
    if (tools.anyStarted()) return 'tool-calls';
    return text.refusedOnly() ? 'content-filter' : 'stop';
  }

  function outputTextDelta(
    delta: string,
    outputIndex: number | undefined,
    contentIndex: number | undefined,
    itemId: string | undefined,
    out: StreamChunk[],
  ): void {
    if (!termination.ended) text.outputTextDelta(delta, outputIndex, contentIndex, itemId, out);
  }

  function push(value: unknown, out: StreamChunk[]): void {
    if (termination.ended) return;
    if (!isRecord(value) || typeof value.type !== 'string') {
      out.push({
        type: 'error',
        code: 'invalid-event',
        message: 'Received a stream event that is not an object with a string "type"; it was skipped.',
      });
      return;
    }
    // Typed as a known event so that the switch below must handle every known type; an unknown
    // type matches no case and is ignored.
    const event = value as AnyUncheckedEvent;

    // Hot path: plain answer text.
    if (event.type === 'response.output_text.delta') {
      if (typeof event.delta !== 'string') invalid(event.type, 'delta', out);
      else
        outputTextDelta(
          event.delta,
          optionalIndex(event.output_index),
          optionalIndex(event.content_index),
          optionalString(event.item_id),
          out,
        );
      return;
    }

    // Where the event belongs, read once for every type (most events carry these; others ignore them).
    const outputIndex = optionalIndex(value.output_index);
    const itemId = optionalString(value.item_id);
    switch (event.type) {
      case 'response.output_text.done':
        text.reconcile(
          'text',
          text.partKey('message', outputIndex, itemId, event.content_index),
          optionalString(event.text),
          out,
        );
        break;
      case 'response.refusal.delta':
        if (typeof event.delta !== 'string') invalid(event.type, 'delta', out);
        else
          text.appendText(
            'refusal',
            text.partKey('message', outputIndex, itemId, event.content_index),
            event.delta,
            out,
          );
        break;
      case 'response.refusal.done':
        text.reconcile(
          'refusal',
          text.partKey('message', outputIndex, itemId, event.content_index),
          optionalString(event.refusal),
          out,
        );
        break;
      case 'response.content_part.done': {
        const part = isRecord(event.part) ? event.part : undefined;
        const key = text.partKey('message', outputIndex, itemId, event.content_index);
        if (part?.type === 'output_text') text.reconcile('text', key, optionalString(part.text), out);
        else if (part?.type === 'refusal') text.reconcile('refusal', key, optionalString(part.refusal), out);
        break;
      }
      case 'response.reasoning_text.delta':
      case 'response.reasoning_summary_text.delta': {
        const key =
          event.type === 'response.reasoning_text.delta'
            ? text.partKey('reasoning', outputIndex, itemId, event.content_index)
            : text.partKey('summary', outputIndex, itemId, event.summary_index);
        if (typeof event.delta !== 'string') invalid(event.type, 'delta', out);
        else text.appendThinking(key, event.delta, out);
        break;
      }
      case 'response.reasoning_text.done':
        text.reconcile(
          'thinking',
          text.partKey('reasoning', outputIndex, itemId, event.content_index),
          optionalString(event.text),
          out,
        );
        break;
      case 'response.reasoning_summary_text.done':
        text.reconcile(
          'thinking',
          text.partKey('summary', outputIndex, itemId, event.summary_index),
          optionalString(event.text),
          out,
        );
        break;
      case 'response.reasoning_summary_part.done': {
        const part = isRecord(event.part) ? event.part : undefined;
        text.reconcile(
          'thinking',
          text.partKey('summary', outputIndex, itemId, event.summary_index),
          optionalString(part?.text),
          out,
        );
        break;
      }
      case 'response.function_call_arguments.delta':
      case 'response.custom_tool_call_input.delta':
        if (typeof event.delta !== 'string') invalid(event.type, 'delta', out);
        else tools.argumentsDelta(itemId, outputIndex, optionalString(event.call_id), event.delta, out);
        break;
      case 'response.function_call_arguments.done':
        tools.argumentsDone(
          itemId,
          outputIndex,
          optionalString(event.call_id),
          optionalString(event.name),
          optionalString(event.arguments),
          out,
        );
        break;
      case 'response.custom_tool_call_input.done':
        tools.argumentsDone(
          itemId,
          outputIndex,
          optionalString(event.call_id),
          undefined,
          optionalString(event.input),
          out,
        );
        break;
      case 'response.output_item.added':
        if (!isRecord(event.item)) {
          invalid(event.type, 'item', out);
        } else {
          text.noteItem(optionalString(event.item.id), outputIndex);
          if (isToolItem(event.item)) tools.recordItem(event.item, outputIndex, false, out);
        }
        break;
      case 'response.output_item.done':
        if (!isRecord(event.item)) invalid(event.type, 'item', out);
        else finishItem(event.item, outputIndex, out);
        break;
      case 'response.completed':
      case 'response.failed':
      case 'response.cancelled':
      case 'response.incomplete':
      case 'response.done':
        termination.terminal(event.type, event.response, out);
        break;
      case 'error':
        termination.errorEvent(event, out);
        break;
      case MALFORMED_EVENT_TYPE:
        termination.forwardedDecoderError(event, out);
        break;
      // Nothing to show: lifecycle notices, parts added, annotations, hosted tools run on the
      // server (their results show up as text), keepalives.
      case 'response.created':
      case 'response.queued':
      case 'response.in_progress':
      case 'response.content_part.added':
      case 'response.output_text.annotation.added':
      case 'response.reasoning_summary_part.added':
      case 'response.web_search_call.in_progress':
      case 'response.web_search_call.searching':
      case 'response.web_search_call.completed':
      case 'response.file_search_call.in_progress':
      case 'response.file_search_call.searching':
      case 'response.file_search_call.completed':
      case 'response.code_interpreter_call.in_progress':
      case 'response.code_interpreter_call.interpreting':
      case 'response.code_interpreter_call.completed':
      case 'response.code_interpreter_call_code.delta':
      case 'response.code_interpreter_call_code.done':
      case 'response.image_generation_call.in_progress':
      case 'response.image_generation_call.generating':
      case 'response.image_generation_call.partial_image':
      case 'response.image_generation_call.completed':
      case 'response.mcp_call.in_progress':
      case 'response.mcp_call.completed':
      case 'response.mcp_call.failed':
      case 'response.mcp_call_arguments.delta':
      case 'response.mcp_call_arguments.done':
      case 'response.mcp_list_tools.in_progress':
      case 'response.mcp_list_tools.completed':
      case 'response.mcp_list_tools.failed':
      case 'keepalive':
        break;
      default:
        ignoreUnknownEvent(event);
    }
  }

  return {
    push,
    outputTextDelta,
    markDone(out) {
      if (!termination.ended) termination.complete(out);
    },
    report(code, message, out) {
      if (!termination.ended) termination.report(code, message, out);
    },
    fail: termination.fail,
    finish(out) {
      termination.fail('stream-closed', STREAM_CLOSED_MESSAGE, out);
    },
  };
}
