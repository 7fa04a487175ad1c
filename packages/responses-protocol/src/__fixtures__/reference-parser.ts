// The parser as it was before the hand-written framer and the delta fast path: TextDecoder +
// eventsource-parser for the SSE framing, JSON.parse for every event. The property tests use it as
// the oracle the fast parser must agree with, for any input cut at any points.

import { createParser } from 'eventsource-parser';
import { skippedEventMessage } from '../malformed-event.js';
import { createEventReducer } from '../reducer/event-reducer.js';
import { bufferLimitError, decodeEventData, type EventDataSink } from '../sse-event-decoder.js';
import type { StreamChunk } from '../stream-chunk.js';

/** One event as the reference framing dispatches it: its data and its `event:` name. */
export interface FramedEvent {
  /** The data lines joined with `\n`. */
  data: string;
  /** The `event:` name, `undefined` when absent or empty. */
  eventName: string | undefined;
}

/** What the reference framing reports: the events, and whether it stopped at the buffer limit. */
export interface ReferenceFraming {
  /** Feeds bytes or text. */
  feed(input: string | Uint8Array): void;
  /** Ends the stream (flushes the last line and event). */
  end(): void;
  /** The events dispatched so far. */
  readonly events: FramedEvent[];
  /** Whether the buffer limit was exceeded. */
  readonly failed: boolean;
}

/**
 * The reference SSE framing: UTF-8 decoded with streaming semantics (a leading BOM dropped, also a
 * leading U+FEFF of text input), lines framed by eventsource-parser, the last event flushed at the
 * end. `maxBufferBytes` is eventsource-parser's `maxBufferSize` (UTF-16 code units).
 */
export function createReferenceFraming(maxBufferBytes = 16 * 1024 * 1024): ReferenceFraming {
  const textDecoder = new TextDecoder('utf-8');
  const events: FramedEvent[] = [];
  let failed = false;
  let atStart = true;
  const parser = createParser({
    onEvent(message) {
      events.push({ data: message.data, eventName: message.event });
    },
    onError(error) {
      if (error.type === 'max-buffer-size-exceeded') failed = true;
    },
    maxBufferSize: maxBufferBytes,
  });
  const feedText = (text: string) => {
    if (text.length === 0 || failed) return;
    if (atStart) {
      atStart = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.length === 0) return;
    }
    parser.feed(text);
  };
  return {
    events,
    // biome-ignore lint/plugin: a test fixture, one per test; its state dying young does not matter.
    get failed() {
      return failed;
    },
    feed(input) {
      if (failed) return;
      if (typeof input === 'string') feedText(input);
      else {
        if (atStart && input.length > 0) atStart = false;
        feedText(textDecoder.decode(input, { stream: true }));
      }
    },
    end() {
      if (failed) return;
      feedText(textDecoder.decode());
      if (!failed) parser.feed('\n\n');
    },
  };
}

/**
 * The reference parser: reference framing, `decodeEventData` (JSON.parse) for every event, and the
 * reducer's generic `push`. Returns every chunk for `pieces` fed in order, then ended.
 */
export function referenceParse(
  pieces: readonly (string | Uint8Array)[],
  maxBufferBytes?: number,
): StreamChunk[] {
  const reducer = createEventReducer();
  const out: StreamChunk[] = [];
  const sink: EventDataSink = {
    event: (event) => reducer.push(event, out),
    done: () => reducer.markDone(out),
    error: (error) => reducer.report(error.code, skippedEventMessage(error.message), out),
  };
  const framing = createReferenceFraming(maxBufferBytes);
  let delivered = 0;
  let stopped = false;
  const deliver = () => {
    for (; delivered < framing.events.length; delivered += 1) {
      const event = framing.events[delivered]!;
      decodeEventData(event.data, () => event.eventName, sink);
    }
    if (framing.failed && !stopped) {
      stopped = true;
      const error = bufferLimitError(maxBufferBytes ?? 16 * 1024 * 1024);
      reducer.fail(error.code, error.message, out);
    }
  };
  for (const piece of pieces) {
    framing.feed(piece);
    deliver();
  }
  framing.end();
  deliver();
  reducer.finish(out);
  return out;
}
