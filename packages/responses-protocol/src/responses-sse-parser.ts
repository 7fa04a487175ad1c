import { binarySlice } from './binary-text.js';
import { createEventDataReducer } from './event-data-reducer.js';
import type { PendingItems } from './pending-items.js';
import { createEventReducer } from './reducer/event-reducer.js';
import { bufferLimitError, type SseDecoderOptions } from './sse-event-decoder.js';
import {
  collectSseStream,
  createSseFramer,
  LARGE_EVENT_MIN_CHARS,
  NATIVE_SEARCH_MIN_BYTES,
} from './sse-framer.js';
import type { StreamChunk } from './stream-chunk.js';

/** Turns a Responses SSE byte (or text) stream into `StreamChunk`s. Pure: no I/O, no timers. */
export interface ResponsesSseParser {
  /** Feeds the next piece of the stream (any chunking); returns the chunks it completed. Never throws. */
  feed(input: string | Uint8Array): StreamChunk[];
  /**
   * Ends the stream: flushes a final event that lacks the trailing blank line, then returns
   * `error 'stream-closed'` if no terminal event arrived.
   */
  end(): StreamChunk[];
}

/**
 * Creates the HTTP (SSE) parser: SSE framing, UTF-8 decoding, JSON parsing, event checks and
 * reduction in one pass. Malformed JSON in one event is an `error` chunk with code
 * `malformed-json` and the stream goes on; exceeding `maxBufferBytes` (default 16 MiB) is a final
 * `error` chunk with code `buffer-limit-exceeded`.
 */
export function createResponsesSseParser(options: SseDecoderOptions = {}): ResponsesSseParser {
  const reducer = createEventReducer();
  const pending: PendingItems<StreamChunk> = { items: [] };
  const eventData = createEventDataReducer(reducer, pending);
  const framer = createSseFramer(
    {
      onData: eventData.onData,
      onDataPieces: eventData.onDataPieces,
      eventShortcut: eventData.eventShortcut,
      onBufferLimitExceeded(limit) {
        const error = bufferLimitError(limit);
        reducer.fail(error.code, error.message, pending.items);
      },
    },
    options.maxBufferBytes,
    NATIVE_SEARCH_MIN_BYTES,
    LARGE_EVENT_MIN_CHARS,
    // Its hot events are read from the text itself: binary text where the runtime allows.
    binarySlice,
  );
  return collectSseStream(framer, pending, () => reducer.finish(pending.items));
}
