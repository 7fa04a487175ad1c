import type { ResponseObject } from '../events/shared-schemas.js';
import { skippedEventMessage } from '../malformed-event.js';
import type { DoneChunk, FinishReason, ResponseItem, StreamChunk } from '../stream-chunk.js';
import { parseUsage } from '../usage.js';
import { isRecord, optionalString, type Unchecked, type UncheckedEvent } from './unchecked-event.js';

/** The `response` object of a lifecycle event, not validated. */
export type UncheckedResponse = Unchecked<ResponseObject>;

/** Message of the error emitted when input ends without a terminal event. */
export const STREAM_CLOSED_MESSAGE =
  'stream closed before completion: the connection ended before the response finished, so the answer may be cut off. Try again.';

/** The event types that end a response (with `done` or with a fatal `error`). */
export type TerminalEventType =
  | 'response.completed'
  | 'response.failed'
  | 'response.cancelled'
  | 'response.incomplete'
  | 'response.done';

/** What termination needs from the rest of the reducer to write the `done` chunk. */
export interface FinalOutput {
  /** Reconciles the final response's `output` with what streamed, then ends every open tool call. */
  settle(response: UncheckedResponse | undefined, out: StreamChunk[]): void;
  /** Why a response that was not cut short ended: `tool-calls`, `content-filter` or `stop`. */
  finishReason(): FinishReason;
  /** The response's whole output items, in output order (undefined when there are none). */
  items(): ResponseItem[] | undefined;
}

function incompleteFinishReason(response: UncheckedResponse | undefined): FinishReason {
  const details = isRecord(response?.incomplete_details) ? response.incomplete_details : undefined;
  return details?.reason === 'content_filter' ? 'content-filter' : 'length';
}

/**
 * The end of one response: terminal events (`completed`, `incomplete`, `failed`, `cancelled`,
 * `done`, `[DONE]`) and `error` events become the last chunk, `done` (with usage, the response id
 * and the output items) or `error`; nothing is emitted after it.
 * @internal
 */
export class StreamTermination {
  private lastChunkSent = false;
  private responseId: string | undefined;

  /** Ends the response whose final output `output` settles. */
  constructor(private readonly output: FinalOutput) {}

  /** Whether the last chunk went out: every later input is ignored. */
  get ended(): boolean {
    return this.lastChunkSent;
  }

  /**
   * A lifecycle event before the end (`response.created`, `.queued`, `.in_progress`): remembers the
   * response id, for a terminal event (or `[DONE]`) that does not repeat it.
   */
  started(value: unknown): void {
    const id = isRecord(value) ? optionalString(value.id) : undefined;
    if (id !== undefined && id !== '') this.responseId = id;
  }

  /** A terminal lifecycle event (an in-progress `response.done` is ignored). */
  terminal(type: TerminalEventType, value: unknown, out: StreamChunk[]): void {
    const response: UncheckedResponse | undefined = isRecord(value) ? value : undefined;
    const status = optionalString(response?.status);
    if (type === 'response.done' && (status === 'in_progress' || status === 'queued')) {
      this.started(response);
      return;
    }
    if (type === 'response.failed' || status === 'failed') {
      this.responseError(
        response,
        'response-failed',
        'The response failed without an error message. Try again; if it keeps failing, shorten or change the request.',
        out,
      );
    } else if (type === 'response.cancelled' || status === 'cancelled') {
      this.responseError(
        response,
        'response-cancelled',
        'The response was cancelled before it completed.',
        out,
      );
    } else if (type === 'response.incomplete' || status === 'incomplete') {
      this.done(response, incompleteFinishReason(response), out);
    } else {
      this.done(response, undefined, out);
    }
  }

  /** `[DONE]` without a terminal event: `done` without usage. */
  complete(out: StreamChunk[]): void {
    this.done(undefined, undefined, out);
  }

  /** An `error` event, flat (`code`, `message`) or nested (`error: { code, type, message }`). */
  errorEvent(event: UncheckedEvent<'error'>, out: StreamChunk[]): void {
    const nested = isRecord(event.error) ? event.error : undefined;
    const message = optionalString(nested?.message) ?? optionalString(event.message);
    const code =
      optionalString(nested?.code) ??
      optionalString(event.code) ??
      optionalString(nested?.type) ??
      'server-error';
    this.fail(
      code,
      message !== undefined && message !== ''
        ? message
        : 'The server reported an error without a message. Try again.',
      out,
    );
  }

  /**
   * A decoder error forwarded as a `codetether.malformed_event` event: `buffer-limit-exceeded` ends
   * the stream, any other code concerns one event only.
   */
  forwardedDecoderError(event: UncheckedEvent<'codetether.malformed_event'>, out: StreamChunk[]): void {
    const forwardedCode = optionalString(event.code);
    const message = optionalString(event.message) ?? 'The server sent an event that could not be decoded.';
    if (forwardedCode === 'buffer-limit-exceeded') this.fail(forwardedCode, message, out);
    else
      out.push({
        type: 'error',
        code: forwardedCode === 'invalid-event' ? forwardedCode : 'malformed-json',
        message: skippedEventMessage(message),
      });
  }

  /** A problem with one event: an error chunk, the stream goes on. */
  report(code: string, message: string, out: StreamChunk[]): void {
    out.push({ type: 'error', message, code });
  }

  /** A fatal problem: an error chunk, then nothing more. */
  fail(code: string, message: string, out: StreamChunk[]): void {
    if (this.lastChunkSent) return;
    this.lastChunkSent = true;
    out.push({ type: 'error', message, code });
  }

  private responseError(
    response: UncheckedResponse | undefined,
    fallbackCode: string,
    fallbackMessage: string,
    out: StreamChunk[],
  ): void {
    const error = isRecord(response?.error) ? response.error : undefined;
    const message = optionalString(error?.message);
    const code = optionalString(error?.code) ?? optionalString(error?.type) ?? fallbackCode;
    this.fail(code, message !== undefined && message !== '' ? message : fallbackMessage, out);
  }

  private done(
    response: UncheckedResponse | undefined,
    incompleteReason: FinishReason | undefined,
    out: StreamChunk[],
  ): void {
    this.output.settle(response, out);
    const usage = response === undefined ? undefined : parseUsage(response.usage);
    const finishReason = incompleteReason ?? this.output.finishReason();
    const chunk: DoneChunk =
      usage === undefined ? { type: 'done', finishReason } : { type: 'done', usage, finishReason };
    this.started(response);
    if (this.responseId !== undefined) chunk.responseId = this.responseId;
    const items = this.output.items();
    if (items !== undefined) chunk.outputItems = items;
    out.push(chunk);
    this.lastChunkSent = true;
  }
}
