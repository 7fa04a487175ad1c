import { createEventDataReducer } from './event-data-reducer.js';
import { type PendingItems, takePendingItems } from './pending-items.js';
import { createEventReducer } from './reducer/event-reducer.js';
import { pushLastChunk } from './reducer/last-chunk.js';
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
   * Feeds one event as JSON text (a WebSocket text frame) and returns the chunks it produced: the
   * same as `feed(JSON.parse(text))`, but faster (hot delta events are read without `JSON.parse`),
   * and text that is not JSON is a non-fatal `malformed-json` error chunk instead of an exception.
   * Blank text produces nothing; `[DONE]` ends the response, as over SSE.
   */
  feedJson(text: string): StreamChunk[];
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
  const pending: PendingItems<StreamChunk> = { items: [] };
  const eventData = createEventDataReducer(reducer, pending);
  return {
    feed(event) {
      reducer.push(event, pending.items);
      return takePendingItems(pending);
    },
    feedJson(text) {
      const last = eventData.onFrame(text);
      // A lone chunk (most frames give one) goes out in an array of its own without passing
      // through `pending` (see `LastChunk`).
      if (last !== undefined && pending.items.length === 0) return [last];
      pushLastChunk(pending.items, last);
      return takePendingItems(pending);
    },
    end() {
      reducer.finish(pending.items);
      return takePendingItems(pending);
    },
  };
}
