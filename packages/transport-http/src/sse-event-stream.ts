import {
  createSseEventDecoder,
  type DecodedSseItem,
  isTerminalEventType,
  type ResponsesStreamEvent,
  redactSecrets,
} from '@codetether/responses-protocol';
import type { BodyReader, BodyReadResult, BodySource } from './body-reader.js';
import { redactErrorChainInPlace } from './error-redaction.js';
import { HttpTransportError } from './http-transport-error.js';
import { createIdleWatchdog, type IdleWatchdog } from './idle-watchdog.js';

/** How long the rest of a body may take to end after the terminal event before the socket is dropped. */
export const TRAILING_BODY_GRACE_MS = 1_000;
/** Bytes after the terminal event read (and discarded) before the socket is dropped instead. */
const TRAILING_BODY_LIMIT_BYTES = 64 * 1024;

/** What the event stream needs from the request that produced it. */
export interface SseEventStreamContext {
  /** The 2xx response body. */
  body: BodySource | null;
  /** Longest wait for the next complete event (ms); 0 disables. */
  idleTimeoutMs: number;
  /** Cap on buffered unfinished SSE text, when set. */
  maxBufferBytes: number | undefined;
  /** Aborts the underlying HTTP request (destroys the socket). */
  abortRequest(reason: unknown): void;
  /** Marks that output has started (no retry, no fallback from now on). */
  onFirstEvent(): void;
  /** Turns a failed body read into a typed error (abort, close or network). */
  classifyReadFailure(error: unknown, idleTimedOut: boolean): HttpTransportError;
  /** The error for a body that ended (or sent `[DONE]`) before a terminal event. */
  endedBeforeCompletion(outputStarted: boolean): HttpTransportError;
  /** How long the rest of the body may take after the terminal event (ms); default 1 s. */
  trailingBodyGraceMs?: number;
  /** Credential values to scrub from messages. */
  secrets: readonly string[];
  /**
   * The terminal event arrived: the response is complete, so the caller's abort no longer reaches
   * the request (the rest of the body is read under its own grace period and keeps its socket).
   */
  onTerminalEvent(): void;
  /** Releases listeners when the stream is finished, however it finished. */
  release(): void;
}

/** The reason given to the request's controller when the idle timer fires. */
export class IdleTimeoutReason extends Error {
  /** Creates the reason for a stall of `idleTimeoutMs`. */
  constructor(idleTimeoutMs: number) {
    super(`No data arrived for ${idleTimeoutMs} ms.`);
    this.name = 'IdleTimeoutReason';
  }
}

function protocolError(
  item: Extract<DecodedSseItem, { kind: 'error' }>,
  secrets: readonly string[],
  outputStarted: boolean,
): HttpTransportError {
  // The decoder's message quotes the event data, which a hostile server may fill with a credential;
  // its cause (a SyntaxError) quotes it too, so the cause is a redacted copy without a chain.
  const message = redactSecrets(item.error.message, secrets);
  const cause = Object.assign(new Error(message), { name: item.error.name, code: item.error.code });
  return new HttpTransportError(
    'protocol',
    // The decoder would read on past a bad event; a transport stops, as a skipped event may have
    // carried part of the answer (a buffer overflow's message says itself that the stream stopped).
    `The response is not a valid Responses event stream: ${message}${item.error.code === 'buffer-limit-exceeded' ? '' : ' The stream was stopped there rather than go on without that event (it may have carried part of the answer).'}`,
    {
      cause,
      isRetryable: false,
      errorCode: item.error.code,
      fallbackSafe: !outputStarted,
    },
  );
}

interface ReadBatch {
  /** Items the decoder completed (at least one unless the body ended). */
  items: DecodedSseItem[];
  /** True when the body ended. */
  ended: boolean;
}

/**
 * Reads until the decoder completes at least one item (an event, `[DONE]` or an error) or the body
 * ends. The idle watchdog spans the whole wait, so bytes that never complete an event (SSE comments,
 * a trickled partial line) do not keep a stalled stream alive. It only counts while the consumer is
 * waiting for an event.
 */
async function readNextItems(
  reader: BodyReader,
  decoder: ReturnType<typeof createSseEventDecoder>,
  context: SseEventStreamContext,
  watchdog: IdleWatchdog,
): Promise<ReadBatch> {
  watchdog.startWaiting();
  try {
    for (;;) {
      let result: BodyReadResult;
      try {
        result = await reader.read();
      } catch (error) {
        throw context.classifyReadFailure(error, watchdog.hasFired());
      }
      if (result.done) return { items: decoder.end(), ended: true };
      const items = decoder.feed(result.value);
      if (items.length > 0) return { items, ended: false };
    }
  } finally {
    watchdog.stopWaiting();
  }
}

/**
 * Reads what is left of a body after its terminal event, so a server that ends the body right away
 * gets its keep-alive socket reused. A body that does not end within the grace period, or that keeps
 * sending (events after `response.completed`), has its request aborted instead. Never throws.
 */
async function finishTrailingBody(reader: BodyReader, context: SseEventStreamContext): Promise<void> {
  let timedOut = false;
  const graceMs = context.trailingBodyGraceMs ?? TRAILING_BODY_GRACE_MS;
  const timer = setTimeout(() => {
    timedOut = true;
    context.abortRequest(new Error('The body did not end after the terminal event.'));
    reader.cancel().catch(() => {});
  }, graceMs);
  let received = 0;
  let ended = false;
  try {
    while (!timedOut) {
      const { done, value } = await reader.read();
      if (done) {
        ended = true;
        break;
      }
      received += value.byteLength;
      if (received > TRAILING_BODY_LIMIT_BYTES) break;
    }
  } catch {
    // Aborted (close(), grace period) or reset: the socket is gone either way. (The caller's abort no
    // longer reaches a request whose terminal event arrived: see `onTerminalEvent`.)
  } finally {
    clearTimeout(timer);
  }
  if (!ended) {
    context.abortRequest(new Error('The body did not end after the terminal event.'));
    reader.cancel().catch(() => {});
  }
}

/**
 * Reads SSE bytes from `context.body` and yields each Responses event as soon as its frame is
 * complete, up to and including the terminal event (`response.completed`, `.failed`, `.incomplete`,
 * `error`…); the iterator ends there even if the server keeps the connection open (a server that does
 * so cannot make the iterator hang), and events after it are dropped. A decoder error item ends the stream with a `protocol` error; a body that ends
 * before a terminal event with `closed-before-completion`; no complete event within `idleTimeoutMs`
 * (while the consumer waits) with `timeout-idle`. Returning early (a `break` in `for await`) aborts the request so the socket is not
 * left half-read.
 */
export async function* streamSseEvents(context: SseEventStreamContext): AsyncGenerator<ResponsesStreamEvent> {
  const reader = context.body?.getReader();
  const decoder = createSseEventDecoder(
    context.maxBufferBytes === undefined ? {} : { maxBufferBytes: context.maxBufferBytes },
  );
  let finished = false;
  let completed = false;
  let firstEventSeen = false;
  const watchdog = createIdleWatchdog(context.idleTimeoutMs, () =>
    context.abortRequest(new IdleTimeoutReason(context.idleTimeoutMs)),
  );
  try {
    if (reader === undefined) {
      finished = true;
      throw context.endedBeforeCompletion(false);
    }
    for (;;) {
      const batch = await readNextItems(reader, decoder, context, watchdog);
      if (batch.ended) finished = true;
      for (const item of batch.items) {
        if (item.kind === 'error') throw protocolError(item, context.secrets, firstEventSeen);
        if (item.kind === 'done') throw context.endedBeforeCompletion(firstEventSeen);
        if (!firstEventSeen) {
          firstEventSeen = true;
          context.onFirstEvent();
        }
        // Set before the yield: a consumer that stops at the terminal event still lets the body finish.
        if (isTerminalEventType(item.event.type)) {
          completed = true;
          context.onTerminalEvent();
        }
        yield item.event as ResponsesStreamEvent;
        if (completed) {
          // The consumer asked for more: let the body end first, so the socket is reusable when
          // the iteration ends (a body that does not end in time has its request aborted).
          if (!finished) await finishTrailingBody(reader, context);
          finished = true;
          return;
        }
      }
      if (finished) throw context.endedBeforeCompletion(firstEventSeen);
    }
  } finally {
    watchdog.stop();
    if (reader !== undefined && !finished && completed) {
      void finishTrailingBody(reader, context).then(() => context.release());
    } else {
      if (!finished) {
        context.abortRequest(new Error('The event stream was closed before the response ended.'));
        reader?.cancel().catch(() => {});
      }
      context.release();
    }
  }
}

/**
 * Wraps {@link streamSseEvents} so that stopping an iterator that was never started (`return()`
 * before the first `next()`) still aborts the request and releases its listeners. Single use:
 * every `[Symbol.asyncIterator]()` call returns the same iterator.
 */
export function createSseEventIterable(
  context: SseEventStreamContext,
): AsyncIterableIterator<ResponsesStreamEvent> {
  const generator = streamSseEvents(context);
  let started = false;
  const releaseUnstarted = (): void => {
    if (started) return;
    started = true;
    context.abortRequest(new Error('The event stream was closed before it was read.'));
    context.release();
  };
  const iterator: AsyncIterableIterator<ResponsesStreamEvent> = {
    next() {
      started = true;
      return generator.next().catch((error: unknown) => {
        throw error instanceof Error ? redactErrorChainInPlace(error, context.secrets) : error;
      });
    },
    return(value?: unknown) {
      releaseUnstarted();
      return generator.return(value as undefined);
    },
    throw(error?: unknown) {
      releaseUnstarted();
      return generator.throw(error);
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
