import type { ResponseObject } from '../events/shared-schemas.js';
import type { FinishReason, StreamChunk } from '../stream-chunk.js';
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
}

/**
 * The end of one response: terminal events (`completed`, `incomplete`, `failed`, `cancelled`,
 * `done`, `[DONE]`) and `error` events become the last chunk, `done` (with usage) or `error`;
 * nothing is emitted after it.
 * @internal
 */
export interface StreamTermination {
  /** Whether the last chunk went out: every later input is ignored. */
  readonly ended: boolean;
  /** A terminal lifecycle event (an in-progress `response.done` is ignored). */
  terminal(type: TerminalEventType, response: unknown, out: StreamChunk[]): void;
  /** `[DONE]` or the end of a response without its final object: `done` without usage. */
  complete(out: StreamChunk[]): void;
  /** An `error` event, flat (`code`, `message`) or nested (`error: { code, type, message }`). */
  errorEvent(event: UncheckedEvent<'error'>, out: StreamChunk[]): void;
  /** A decoder error forwarded as a `codetether.malformed_event` event. */
  forwardedDecoderError(event: UncheckedEvent<'codetether.malformed_event'>, out: StreamChunk[]): void;
  /** A problem with one event: an error chunk, the stream goes on. */
  report(code: string, message: string, out: StreamChunk[]): void;
  /** A fatal problem: an error chunk, then nothing more. */
  fail(code: string, message: string, out: StreamChunk[]): void;
}

function incompleteFinishReason(response: UncheckedResponse | undefined): FinishReason {
  const details = isRecord(response?.incomplete_details) ? response.incomplete_details : undefined;
  return details?.reason === 'content_filter' ? 'content-filter' : 'length';
}

/** Creates the termination of one response; `output` settles what the final response carries. @internal */
export function createStreamTermination(output: FinalOutput): StreamTermination {
  const termination: StreamTermination & { ended: boolean } = {
    ended: false,
    terminal(type, value, out) {
      const response: UncheckedResponse | undefined = isRecord(value) ? value : undefined;
      const status = optionalString(response?.status);
      if (type === 'response.done' && (status === 'in_progress' || status === 'queued')) return;
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
        done(response, incompleteFinishReason(response), out);
      } else {
        done(response, undefined, out);
      }
    },
    complete(out) {
      done(undefined, undefined, out);
    },
    errorEvent(event, out) {
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
    },
    forwardedDecoderError(event, out) {
      // `buffer-limit-exceeded` ends the stream, any other code concerns one event only.
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
    },
    report(code, message, out) {
      out.push({ type: 'error', message, code });
    },
    fail,
  };

  function fail(code: string, message: string, out: StreamChunk[]): void {
    if (termination.ended) return;
    termination.ended = true;
    out.push({ type: 'error', message, code });
  }

  function responseError(
    response: UncheckedResponse | undefined,
    fallbackCode: string,
    fallbackMessage: string,
    out: StreamChunk[],
  ): void {
    const error = isRecord(response?.error) ? response.error : undefined;
    const message = optionalString(error?.message);
    const code = optionalString(error?.code) ?? optionalString(error?.type) ?? fallbackCode;
    fail(code, message !== undefined && message !== '' ? message : fallbackMessage, out);
  }

  function done(
    response: UncheckedResponse | undefined,
    incompleteReason: FinishReason | undefined,
    out: StreamChunk[],
  ): void {
    output.settle(response, out);
    const usage = response === undefined ? undefined : parseUsage(response.usage);
    const finishReason = incompleteReason ?? output.finishReason();
    out.push(usage === undefined ? { type: 'done', finishReason } : { type: 'done', usage, finishReason });
    termination.ended = true;
  }

  return termination;
}
