/**
 * An upstream event stream the test drives by hand: events are pushed when the test wants, and a
 * pending `next()` waits until then. It ignores the request signal; `return()` ends it (and a pending
 * `next()`), as the real transports do. `released` resolves once the consumer let go of it.
 */
export interface ControlledEvents extends AsyncIterable<unknown> {
  /** Queues an event (or wakes a pending `next()` with it). */
  push(event: unknown): void;
  /** Ends the stream (a pending `next()` resolves `done`). */
  end(): void;
  /** Fails the stream with `error`. */
  fail(error: Error): void;
  /** Resolves once the consumer called `return()`. */
  released: Promise<void>;
  /** Resolves once a `next()` waits for an event. */
  waiting(): Promise<void>;
}

type Settle = { resolve: (result: IteratorResult<unknown>) => void; reject: (error: Error) => void };

/** Creates a {@link ControlledEvents} stream, optionally starting with `initial` events queued. */
export function controlledEvents(initial: unknown[] = []): ControlledEvents {
  const queued: Array<{ event: unknown } | { error: Error } | { end: true }> = initial.map((event) => ({
    event,
  }));
  let pending: Settle | undefined;
  let onWaiting: (() => void) | undefined;
  let markReleased: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    markReleased = resolve;
  });
  let finished = false;
  const deliver = (entry: { event: unknown } | { error: Error } | { end: true }): void => {
    if (pending === undefined) {
      queued.push(entry);
      return;
    }
    const settle = pending;
    pending = undefined;
    if ('error' in entry) settle.reject(entry.error);
    else if ('end' in entry) settle.resolve({ done: true, value: undefined });
    else settle.resolve({ done: false, value: entry.event });
  };
  return {
    push: (event) => deliver({ event }),
    end: () => deliver({ end: true }),
    fail: (error) => deliver({ error }),
    released,
    waiting: () =>
      pending !== undefined
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            onWaiting = resolve;
          }),
    [Symbol.asyncIterator]() {
      return {
        next(): Promise<IteratorResult<unknown>> {
          if (finished) return Promise.resolve({ done: true, value: undefined });
          const entry = queued.shift();
          if (entry !== undefined) {
            if ('error' in entry) return Promise.reject(entry.error);
            if ('end' in entry) return Promise.resolve({ done: true, value: undefined });
            return Promise.resolve({ done: false, value: entry.event });
          }
          return new Promise((resolve, reject) => {
            pending = { resolve, reject };
            const wake = onWaiting;
            onWaiting = undefined;
            wake?.();
          });
        },
        return(): Promise<IteratorResult<unknown>> {
          finished = true;
          markReleased();
          const settle = pending;
          pending = undefined;
          settle?.resolve({ done: true, value: undefined });
          return Promise.resolve({ done: true, value: undefined });
        },
      };
    },
  };
}
