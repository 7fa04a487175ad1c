import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** Default cap on buffered, not yet complete SSE data: 16 MiB. */
export const DEFAULT_MAX_BUFFER_BYTES = 16 * 1024 * 1024;

/** Callbacks of the internal SSE framer. */
export interface SseFramerCallbacks {
  /** One complete SSE event's data (multi-line data joined with `\n`) and its `event:` name. */
  onData(data: string, eventName: string | undefined): void;
  /** The buffer cap was exceeded; the framer refuses further input. */
  onBufferLimitExceeded(limit: number): void;
}

/** The internal SSE framer shared by the public decoders. */
export interface SseFramer {
  /** Feeds bytes or text; complete events are reported through the callbacks. */
  feed(input: string | Uint8Array): void;
  /** Flushes the UTF-8 decoder and the last event even without a trailing blank line. */
  end(): void;
  /** Whether the buffer cap was exceeded (all later input is ignored). */
  readonly failed: boolean;
}

/**
 * Bytes or strings → SSE event data. UTF-8 is decoded with streaming semantics (a character split
 * across chunks is kept whole), a leading BOM is dropped, framing (CR, LF, CRLF, comments,
 * multi-line data) is done by eventsource-parser. Never throws.
 */
export function createSseFramer(
  callbacks: SseFramerCallbacks,
  maxBufferBytes = DEFAULT_MAX_BUFFER_BYTES,
): SseFramer {
  const limit =
    Number.isFinite(maxBufferBytes) && maxBufferBytes > 0
      ? Math.floor(maxBufferBytes)
      : DEFAULT_MAX_BUFFER_BYTES;
  const textDecoder = new TextDecoder('utf-8');
  let failed = false;
  let ended = false;
  let atStart = true;

  const parser = createParser({
    onEvent(message: EventSourceMessage) {
      callbacks.onData(message.data, message.event);
    },
    onError(error) {
      // Unknown fields and bad `retry` values are ignored, as an EventSource would.
      if (error.type === 'max-buffer-size-exceeded' && !failed) {
        failed = true;
        callbacks.onBufferLimitExceeded(limit);
      }
    },
    maxBufferSize: limit,
  });

  function feedText(text: string): void {
    if (text.length === 0 || failed) return;
    if (atStart) {
      atStart = false;
      if (text.charCodeAt(0) === 0xfeff) {
        text = text.slice(1);
        if (text.length === 0) return;
      }
    }
    parser.feed(text);
  }

  return {
    feed(input) {
      if (failed || ended) return;
      if (typeof input === 'string') {
        feedText(input);
      } else {
        // TextDecoder drops a leading BOM itself (also when split across chunks).
        if (atStart && input.length > 0) atStart = false;
        feedText(textDecoder.decode(input, { stream: true }));
      }
    },
    end() {
      if (ended) return;
      ended = true;
      if (failed) return;
      feedText(textDecoder.decode());
      // A blank line completes a pending line (a lone trailing CR included) and dispatches the event.
      if (!failed) parser.feed('\n\n');
    },
    get failed() {
      return failed;
    },
  };
}

/** The `feed`/`end` pair of a framer-based decoder. @internal */
export interface CollectingSseStream<Item> {
  /** Feeds the next piece of the stream; returns the items the framer's callbacks produced meanwhile. */
  feed(input: string | Uint8Array): Item[];
  /** Ends the stream (flushes the framer, then runs `onEnd`); returns the items produced meanwhile. */
  end(): Item[];
}

/**
 * Wraps a framer whose callbacks push into `pending` into the public `feed`/`end` shape: every call
 * hands over (and empties) what was pushed during it. `onEnd` runs after the framer flushed, before
 * the hand-over. Shared by `createSseEventDecoder` and `createResponsesSseParser`.
 * @internal
 */
export function collectSseStream<Item>(
  framer: SseFramer,
  pending: Item[],
  onEnd?: () => void,
): CollectingSseStream<Item> {
  return {
    feed(input) {
      framer.feed(input);
      return pending.splice(0);
    },
    end() {
      framer.end();
      onEnd?.();
      return pending.splice(0);
    },
  };
}
