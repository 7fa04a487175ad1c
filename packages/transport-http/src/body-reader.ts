import type { Readable } from 'node:stream';

/** One read from a response body: a chunk, or the end of the body. */
export type BodyReadResult = { done: true; value?: unknown } | { done: false; value: Uint8Array };

/** Reads a response body chunk by chunk (a WHATWG stream reader has this shape too). */
export interface BodyReader {
  /** The next chunk; rejects when the body fails (reset, abort). */
  read(): Promise<BodyReadResult>;
  /** Stops reading and discards the rest of the body (which aborts an unfinished request). */
  cancel(): Promise<void>;
}

/** A response body that can be read once: a WHATWG `ReadableStream` or {@link createNodeBodySource}. */
export interface BodySource {
  /** Starts reading the body. */
  getReader(): BodyReader;
}

function ignoreError(): void {}

/**
 * Wraps a Node.js readable body (undici `request()`) as a {@link BodySource}, so the body is read
 * without WHATWG streams. Destroying the readable (cancel) aborts an unfinished request.
 */
export function createNodeBodySource(readable: Readable): BodySource {
  // Failures reach the reader through its iterator; this keeps a body destroyed before its first
  // read (or after a cancel) from raising an unhandled 'error' event.
  readable.on('error', ignoreError);
  return {
    getReader(): BodyReader {
      const iterator = readable[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
      return {
        // The iterator's results have the reader's shape already: handed over without another promise.
        read: () => iterator.next() as Promise<BodyReadResult>,
        async cancel() {
          if (!readable.destroyed) readable.destroy();
          await iterator.return?.();
        },
      };
    },
  };
}
