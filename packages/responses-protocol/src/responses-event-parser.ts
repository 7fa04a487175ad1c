import { createEventReducer } from './reducer/event-reducer.js';
import type { StreamChunk } from './stream-chunk.js';

/** Turns decoded Responses events into `StreamChunk`s. Pure: no I/O, no timers. */
export interface ResponsesEventParser {
  /**
   * Feeds one decoded event (e.g. one WebSocket JSON frame) and returns the chunks it produced.
   * Unknown event types produce nothing; a value that is not an event object produces an
   * `invalid-event` error chunk. Chunks after a terminal event (`done`/fatal `error`) are never produced.
   */
  feed(event: unknown): StreamChunk[];
  /**
   * Ends the stream. Returns `[error 'stream-closed']` when no terminal event arrived, otherwise `[]`.
   */
  end(): StreamChunk[];
}

/**
 * Creates the parser for already-decoded Responses events (WebSocket frames, or events from
 * `createSseEventDecoder`). A decoder error forwarded as a `codetether.malformed_event` event
 * becomes an error chunk with code `malformed-json` and the stream goes on.
 */
export function createResponsesEventParser(): ResponsesEventParser {
  const reducer = createEventReducer();
  return {
    feed(event) {
      const out: StreamChunk[] = [];
      reducer.push(event, out);
      return out;
    },
    end() {
      const out: StreamChunk[] = [];
      reducer.finish(out);
      return out;
    },
  };
}
