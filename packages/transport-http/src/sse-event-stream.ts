import {
  createSseEventDecoder,
  type DecodedSseItem,
  type ResponsesStreamEvent,
} from '@codetether/responses-protocol';
import { HttpTransportError } from './http-transport-error.js';
import { redactSecrets } from './secret-redaction.js';

/** What the event stream needs from the request that produced it. */
export interface SseEventStreamContext {
  /** The 2xx response body. */
  body: ReadableStream<Uint8Array> | null;
  /** Longest wait for bytes between events (ms); 0 disables. */
  idleTimeoutMs: number;
  /** Cap on buffered unfinished SSE text, when set. */
  maxBufferBytes: number | undefined;
  /** Aborts the underlying HTTP request (destroys the socket). */
  abortRequest(reason: unknown): void;
  /** Marks that output has started (no retry, no fallback from now on). */
  onFirstEvent(): void;
  /** Turns a failed body read into a typed error (abort, close or network). */
  classifyReadFailure(error: unknown, idleTimedOut: boolean): HttpTransportError;
  /** Credential values to scrub from messages. */
  secrets: readonly string[];
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
  return new HttpTransportError(
    'protocol',
    `The response is not a valid Responses event stream: ${redactSecrets(item.error.message, secrets)}`,
    { cause: item.error, isRetryable: false, errorCode: item.error.code, fallbackSafe: !outputStarted },
  );
}

interface ReadOutcome {
  result?: Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>>;
  error?: unknown;
  idleTimedOut: boolean;
}

async function readWithIdleTimeout(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  context: SseEventStreamContext,
): Promise<ReadOutcome> {
  let idleTimedOut = false;
  const timer =
    context.idleTimeoutMs > 0
      ? setTimeout(() => {
          idleTimedOut = true;
          context.abortRequest(new IdleTimeoutReason(context.idleTimeoutMs));
        }, context.idleTimeoutMs)
      : undefined;
  try {
    return { result: await reader.read(), idleTimedOut };
  } catch (error) {
    return { error, idleTimedOut };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/**
 * Reads SSE bytes from `context.body` and yields each Responses event as soon as its frame is
 * complete. A decoder error item ends the stream with a `protocol` error; a stall longer than
 * `idleTimeoutMs` with `timeout-idle`. Returning early (a `break` in `for await`) aborts the
 * request so the socket is not left half-read.
 */
export async function* streamSseEvents(context: SseEventStreamContext): AsyncGenerator<ResponsesStreamEvent> {
  const reader = context.body?.getReader();
  const decoder = createSseEventDecoder(
    context.maxBufferBytes === undefined ? {} : { maxBufferBytes: context.maxBufferBytes },
  );
  let finished = reader === undefined;
  let firstEventSeen = false;
  try {
    while (reader !== undefined) {
      const outcome = await readWithIdleTimeout(reader, context);
      if (outcome.error !== undefined || outcome.result === undefined) {
        throw context.classifyReadFailure(outcome.error, outcome.idleTimedOut);
      }
      const items = outcome.result.done ? decoder.end() : decoder.feed(outcome.result.value);
      if (outcome.result.done) finished = true;
      for (const item of items) {
        if (item.kind === 'error') throw protocolError(item, context.secrets, firstEventSeen);
        if (item.kind === 'done') return;
        if (!firstEventSeen) {
          firstEventSeen = true;
          context.onFirstEvent();
        }
        yield item.event as ResponsesStreamEvent;
      }
      if (finished) return;
    }
  } finally {
    if (!finished) {
      context.abortRequest(new Error('The event stream was closed before the response ended.'));
      reader?.cancel().catch(() => {});
    }
    context.release();
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
      return generator.next();
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
