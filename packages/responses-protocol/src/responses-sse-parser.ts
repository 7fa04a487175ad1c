import { matchOutputTextDelta, type OutputTextDeltaFields } from './output-text-delta-fast-path.js';
import { createEventReducer } from './reducer/event-reducer.js';
import {
  bufferLimitError,
  decodeEventData,
  type EventDataSink,
  type SseDecoderOptions,
} from './sse-event-decoder.js';
import { collectSseStream, createSseFramer } from './sse-framer.js';
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
 * Creates the HTTP (SSE) parser: SSE framing, streaming UTF-8 decoding, JSON parsing, event
 * validation and reduction in one pass. Malformed JSON in one event is an `error` chunk with code
 * `malformed-json` and the stream goes on; exceeding `maxBufferBytes` (default 16 MiB) is a final
 * `error` chunk with code `buffer-limit-exceeded`.
 */
export function createResponsesSseParser(options: SseDecoderOptions = {}): ResponsesSseParser {
  const reducer = createEventReducer();
  const fields: OutputTextDeltaFields = { delta: '', outputIndex: 0, contentIndex: 0 };
  const out: StreamChunk[] = [];
  const sink: EventDataSink = {
    event(event) {
      reducer.push(event, out);
    },
    done() {
      reducer.markDone(out);
    },
    error(error) {
      reducer.report(error.code, error.message, out);
    },
  };
  const framer = createSseFramer(
    {
      onData(data, eventName) {
        if (matchOutputTextDelta(data, fields)) {
          reducer.outputTextDelta(fields.delta, fields.outputIndex, fields.contentIndex, undefined, out);
        } else {
          decodeEventData(data, eventName, sink);
        }
      },
      onBufferLimitExceeded(limit) {
        const error = bufferLimitError(limit);
        reducer.fail(error.code, error.message, out);
      },
    },
    options.maxBufferBytes,
  );
  return collectSseStream(framer, out, () => reducer.finish(out));
}
