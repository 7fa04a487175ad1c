import { ResponsesProtocolError } from './errors.js';
import type { ResponsesStreamEvent, UnknownResponsesEvent } from './events/stream-event.js';
import { parseJsonPieces } from './json-pieces.js';
import type { PendingItems } from './pending-items.js';
import { collectSseStream, createSseFramer, type EventNameReader } from './sse-framer.js';

/** One item out of {@link createSseEventDecoder}. */
export type DecodedSseItem =
  | { kind: 'event'; event: ResponsesStreamEvent | UnknownResponsesEvent }
  | { kind: 'done' }
  | { kind: 'error'; error: ResponsesProtocolError };

/** Options of {@link createSseEventDecoder} and `createResponsesSseParser`. */
export interface SseDecoderOptions {
  /**
   * Cap on buffered, not yet complete SSE input (an unterminated line plus the data of an unfinished
   * event): in UTF-16 code units of decoded text or bytes of text not decoded yet (each at most the
   * UTF-8 byte count) — in bytes for `createResponsesSseParser` in Node and Bun, which frames byte
   * input undecoded (see `binary-text.ts`). Default 16 MiB.
   */
  maxBufferBytes?: number;
}

/** An incremental SSE decoder: bytes or strings in, Responses events out. */
export interface SseEventDecoder {
  /** Feeds the next piece of the stream (any chunking); returns the items it completed. Never throws. */
  feed(input: string | Uint8Array): DecodedSseItem[];
  /** Ends the stream; returns the items still pending (the last event, even without a trailing blank line). */
  end(): DecodedSseItem[];
}

const PREVIEW_LENGTH = 120;

/** A short, single-line preview of event data for error messages. */
export function previewData(data: string): string {
  const flat = data.length > PREVIEW_LENGTH ? `${data.slice(0, PREVIEW_LENGTH)}…` : data;
  return JSON.stringify(flat);
}

/** Receives the outcome of {@link decodeEventData}. @internal */
export interface EventDataSink {
  /** A decoded event object (known or unknown type). */
  event(event: UnknownResponsesEvent): void;
  /** `data: [DONE]`. */
  done(): void;
  /** The data was not a valid event (what the stream does next is the consumer's choice). */
  error(error: ResponsesProtocolError): void;
}

/**
 * Parses one SSE event's data (or one WebSocket text frame). `[DONE]` → `done`; blank data →
 * nothing; invalid JSON → `malformed-json`; JSON that is not an object with a string `type` →
 * `invalid-event`, each message saying what was wrong and nothing about the stream (when the SSE `event:` name is present and `type` is missing, the name is used as
 * the type; `readEventName` is only called then).
 * @internal
 */
export function decodeEventData(
  data: string,
  readEventName: EventNameReader | undefined,
  sink: EventDataSink,
): void {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch (cause) {
    const trimmed = data.trim();
    if (trimmed === '') return;
    if (trimmed === '[DONE]') {
      sink.done();
      return;
    }
    sink.error(
      new ResponsesProtocolError(
        'malformed-json',
        `The server sent an event whose data is not valid JSON (${previewData(data)}); if this repeats, the endpoint is probably not a Responses API stream.`,
        { cause },
      ),
    );
    return;
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    if (typeof record.type === 'string') {
      sink.event(record as UnknownResponsesEvent);
      return;
    }
    const eventName = record.type === undefined ? readEventName?.() : undefined;
    if (eventName !== undefined && eventName !== '') {
      record.type = eventName;
      sink.event(record as UnknownResponsesEvent);
      return;
    }
  }
  sink.error(
    new ResponsesProtocolError(
      'invalid-event',
      `The server sent an event that is not an object with a string "type" (${previewData(data)}).`,
    ),
  );
}

/**
 * {@link decodeEventData} for data given in pieces (their concatenation is the data, see
 * `SseFramerCallbacks.onDataPieces`): an event object is read without joining them (see
 * `parseJsonPieces`); anything else — invalid JSON, `[DONE]`, an object without a string `type` —
 * is decoded from the joined text, with the same outcome.
 * @internal
 */
export function decodeEventDataPieces(
  pieces: readonly string[],
  readEventName: EventNameReader | undefined,
  sink: EventDataSink,
): void {
  const value = parseJsonPieces(pieces)?.value;
  // (A JSON array has no `type` property.)
  if (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>).type === 'string'
  )
    sink.event(value as UnknownResponsesEvent);
  else decodeEventData(pieces.join(''), readEventName, sink);
}

/** Error item for an exceeded buffer cap. @internal */
export function bufferLimitError(limit: number): ResponsesProtocolError {
  return new ResponsesProtocolError(
    'buffer-limit-exceeded',
    `An SSE event grew beyond the buffer limit of ${limit} bytes without ending, so the stream was stopped to bound memory. If the server legitimately sends events this large, raise maxBufferBytes.`,
  );
}

/**
 * Creates an incremental SSE decoder for Responses streams (used by HTTP transports). Malformed JSON
 * in one event yields a `kind: 'error'` item and the stream goes on; exceeding the buffer cap yields
 * one `buffer-limit-exceeded` error item, after which all input is refused (ignored).
 */
export function createSseEventDecoder(options: SseDecoderOptions = {}): SseEventDecoder {
  const pending: PendingItems<DecodedSseItem> = { items: [] };
  const sink: EventDataSink = {
    event(event) {
      pending.items.push({ kind: 'event', event });
    },
    done() {
      pending.items.push({ kind: 'done' });
    },
    error(error) {
      pending.items.push({ kind: 'error', error });
    },
  };
  const framer = createSseFramer(
    {
      onData(data, readEventName) {
        decodeEventData(data, readEventName, sink);
      },
      onDataPieces(pieces, readEventName) {
        decodeEventDataPieces(pieces, readEventName, sink);
      },
      onBufferLimitExceeded(limit) {
        pending.items.push({ kind: 'error', error: bufferLimitError(limit) });
      },
    },
    options.maxBufferBytes,
  );
  return collectSseStream(framer, pending);
}
