/** What {@link drained} waits on: a Node writable (a response, a socket) and its 'drain' and 'close' events. */
export interface DrainableWritable {
  once(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
}

/**
 * Resolves once `writable` can take more data (its 'drain'), or is closed — what a writer awaits after a
 * write that returned `false` (or while `writableNeedDrain`), so an answer goes out only as fast as the
 * client reads it instead of piling up in memory.
 *
 * @param writable - the response or socket written to
 */
export function drained(writable: DrainableWritable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      writable.off('drain', done);
      writable.off('close', done);
      resolve();
    };
    writable.once('drain', done);
    writable.once('close', done);
  });
}
