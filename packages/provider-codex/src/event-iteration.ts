import { raceAbort, type TransportResponse } from '@codetether/responses-protocol';
import { abortedError } from './errors.js';
import { withoutSecretsInEvent } from './event-secret-redaction.js';

/** Stops a transport event iterator, ignoring a transport that already closed. */
export function closeIteratorQuietly(iterator: AsyncIterator<unknown>): void {
  try {
    const result = iterator.return?.();
    if (result !== undefined) result.catch(() => {});
  } catch {
    // The transport already closed; nothing to release.
  }
}

/** Waits for `promise`, or rejects with `aborted` as soon as `signal` aborts (a late value is passed to `discard`). */
export function raceCallerAbort<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  discard?: (lateValue: T) => void,
): Promise<T> {
  return raceAbort(promise, signal, { abortError: abortedError, discardLateValue: discard });
}

/** An event iterator that stops with `aborted` once the caller's signal aborts. */
export interface AbortAwareIterator {
  /** The next event; rejects with `aborted` when the signal aborted before or while waiting. */
  next(): Promise<IteratorResult<unknown>>;
  /** Releases the transport stream (once) and the abort listener. */
  close(): void;
  /** Removes the abort listener without releasing the transport stream. */
  dispose(): void;
}

/**
 * Guards a transport event iterator with ONE abort listener for the whole stream (not one per event):
 * on abort the transport stream is released at once, which ends a pending `next()` (both transports
 * also end their iterators on their request signal), and every `next()` checks the signal.
 */
export function guardIterator(
  iterator: AsyncIterator<unknown>,
  signal: AbortSignal | undefined,
): AbortAwareIterator {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    closeIteratorQuietly(iterator);
  };
  const dispose = (): void => {
    signal?.removeEventListener('abort', release);
  };
  signal?.addEventListener('abort', release, { once: true });
  return {
    async next() {
      if (signal?.aborted) throw abortedError(signal.reason);
      let result: IteratorResult<unknown>;
      try {
        result = await iterator.next();
      } catch (error) {
        if (signal?.aborted) throw abortedError(signal.reason);
        throw error;
      }
      // An event that arrives after the abort is dropped, as the caller no longer wants it.
      if (signal?.aborted) throw abortedError(signal.reason);
      return result;
    },
    close() {
      dispose();
      release();
    },
    dispose,
  };
}

/**
 * Waits for the first event so failures before any output (WebSocket closed early, usage limit as an
 * error frame) surface as pre-stream errors, then hands back the response with an iterable that
 * replays it.
 */
export async function primeResponse(
  response: TransportResponse,
  signal: AbortSignal | undefined,
): Promise<TransportResponse> {
  const iterator = response.events[Symbol.asyncIterator]();
  let first: IteratorResult<unknown>;
  try {
    first = await raceCallerAbort(iterator.next(), signal);
  } catch (error) {
    closeIteratorQuietly(iterator);
    throw error;
  }
  let replayed = false;
  const events = {
    [Symbol.asyncIterator]() {
      return {
        next(): Promise<IteratorResult<unknown>> {
          if (!replayed) {
            replayed = true;
            return Promise.resolve(first);
          }
          return iterator.next();
        },
        return(value?: unknown): Promise<IteratorResult<unknown>> {
          replayed = true;
          return iterator.return?.(value) ?? Promise.resolve({ done: true, value: undefined });
        },
      };
    },
  };
  return { ...response, events: events as TransportResponse['events'] };
}

/**
 * The response with its events guarded for a caller that reads them itself (the passthrough of
 * `createResponseStream`): the caller's abort stops the stream, a failure is thrown as
 * `toError(error)` after the transport stream is released, and the server's error text in events
 * is scrubbed of `secrets` (see {@link withoutSecretsInEvent}).
 */
export function guardResponseEvents(
  response: TransportResponse,
  signal: AbortSignal | undefined,
  toError: (error: unknown) => Error,
  secrets: readonly string[] = [],
): TransportResponse {
  const source = response.events;
  const events = {
    [Symbol.asyncIterator]() {
      const iterator = guardIterator(source[Symbol.asyncIterator](), signal);
      return {
        async next() {
          try {
            const result = await iterator.next();
            if (result.done === true) {
              iterator.dispose();
              return result;
            }
            return { done: false as const, value: withoutSecretsInEvent(result.value, secrets) };
          } catch (error) {
            iterator.close();
            throw toError(error);
          }
        },
        async return(value?: unknown) {
          iterator.close();
          return { done: true as const, value };
        },
      };
    },
  };
  return { ...response, events: events as TransportResponse['events'] };
}
