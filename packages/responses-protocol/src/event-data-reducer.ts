import { type DeltaEventHead, DeltaEventReader, FrequentDeltaHead } from './delta-event-fast-path.js';
import { skippedEventMessage } from './malformed-event.js';
import type { PendingItems } from './pending-items.js';
import type { EventReducer } from './reducer/event-reducer.js';
import { type LastChunk, pushLastChunk } from './reducer/last-chunk.js';
import { decodeEventData, decodeEventDataPieces, type EventDataSink } from './sse-event-decoder.js';
import { type EventNameReader, LARGE_EVENT_MIN_CHARS, type SseEventShortcut } from './sse-framer.js';
import type { StreamChunk } from './stream-chunk.js';

/** How long the slices of a large event given in one string are (see `onData`). */
const SLICE_CHARS = 16 * 1024;

/** `text` in slices of {@link SLICE_CHARS} characters (views of it: no copies of a flat string). */
function slicesOf(text: string): string[] {
  const slices: string[] = [];
  for (let start = 0; start < text.length; start += SLICE_CHARS)
    slices.push(text.slice(start, start + SLICE_CHARS));
  return slices;
}

/** Reduces the JSON text of events into chunks. @internal */
export interface EventDataReducer {
  /** Reduces one SSE event's JSON text. */
  onData(data: string, readEventName?: EventNameReader): void;
  /**
   * Reduces one event's JSON text (a WebSocket frame); the last chunk of a delta event is returned,
   * not pushed (see `LastChunk`).
   */
  onFrame(text: string): LastChunk;
  /** Reduces one large SSE event's data given in pieces (see `SseFramerCallbacks.onDataPieces`). */
  onDataPieces(pieces: readonly string[], readEventName: EventNameReader): void;
  /** Reduces whole SSE events carrying hot delta events straight from the framed text. */
  readonly eventShortcut: SseEventShortcut;
}

/**
 * Creates the step shared by the SSE parser and the event parser's `feedJson`: the JSON text of one
 * event → the reducer, whose chunks go to `pending.items`. Hot delta events in the server's compact
 * shape are read by a `DeltaEventReader` (no `JSON.parse`, same fields) — over SSE, whole events of
 * that shape through the framer's shortcut; everything else goes through `decodeEventData` (`[DONE]` ends the
 * response, a bad event is a non-fatal error chunk).
 * @internal
 */
export function createEventDataReducer(
  reducer: EventReducer,
  pending: PendingItems<StreamChunk>,
): EventDataReducer {
  const sink: EventDataSink = {
    event(event) {
      reducer.push(event, pending.items);
    },
    done() {
      reducer.markDone(pending.items);
    },
    error(error) {
      reducer.report(error.code, skippedEventMessage(error.message), pending.items);
    },
  };
  // Both readers see the same heads (an SSE event cut by the end of a network chunk is read from its data).
  const frequentHead = new FrequentDeltaHead();
  const textReader = new DeltaEventReader('text', frequentHead);
  const sseReader = new DeltaEventReader('sse', frequentHead);
  const pushDelta = (head: DeltaEventHead, delta: string) =>
    pushLastChunk(pending.items, reducer.pushDelta(head, delta, pending.items));
  const eventShortcut = {
    stoppedInUnfinishedEvent: false,
    readEvents(text: string, position: number, binary: boolean): number {
      // Delta events come in runs: read the run here rather than one event per framer step.
      sseReader.binary = binary;
      const end = sseReader.readRun(text, position, pushDelta);
      eventShortcut.stoppedInUnfinishedEvent = sseReader.stoppedInUnfinishedEvent;
      return end;
    },
  };
  /** One event's JSON text: the last chunk of a delta event is returned (see `LastChunk`). */
  const reduceData = (data: string, readEventName: EventNameReader | undefined): LastChunk => {
    if (data.length >= LARGE_EVENT_MIN_CHARS) {
      // A large event in one string (a WebSocket frame, or a whole event in one network chunk):
      // read in slices, so that its long strings are not copied into flat strings of their own.
      decodeEventDataPieces(slicesOf(data), readEventName, sink);
      return undefined;
    }
    const delta = textReader.read(data, 0);
    if (delta !== undefined) return reducer.pushDelta(textReader.head, delta, pending.items);
    decodeEventData(data, readEventName, sink);
    return undefined;
  };
  return {
    onData(data, readEventName) {
      pushLastChunk(pending.items, reduceData(data, readEventName));
    },
    onFrame: (text) => reduceData(text, undefined),
    onDataPieces(pieces, readEventName) {
      decodeEventDataPieces(pieces, readEventName, sink);
    },
    eventShortcut,
  };
}
