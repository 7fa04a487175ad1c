/** Callbacks of {@link createFrameStream}. */
export interface FrameStreamCallbacks {
  /** Called once when the client cancels the stream (it should abort the upstream). */
  onCancel(): void;
  /** Called exactly once when the stream is over for any reason: finished, failed or cancelled. */
  onFinish(): void;
}

/**
 * Wraps an async generator of text frames (SSE lines) in a byte stream for a `Response` body. Frames are
 * produced on demand (backpressure); when the client goes away the stream is cancelled, `onCancel`
 * runs (it aborts the upstream) and the generator is closed. `onFinish` releases resources in every
 * case, even when the generator never started.
 *
 * @param frames - the frames to send, in order
 * @param callbacks - cancel and finish hooks
 */
export function createFrameStream(
  frames: AsyncGenerator<string, void, undefined>,
  callbacks: FrameStreamCallbacks,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cancelled = false;
  const finish = once(callbacks.onFinish);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let result: IteratorResult<string, void>;
        try {
          result = await frames.next();
        } catch (error) {
          finish();
          if (!cancelled) controller.error(error);
          return;
        }
        if (cancelled) return;
        if (result.done === true) {
          finish();
          controller.close();
        } else controller.enqueue(encoder.encode(result.value));
      },
      async cancel() {
        cancelled = true;
        callbacks.onCancel();
        await frames.return(undefined).catch(() => {});
        finish();
      },
    },
    { highWaterMark: 0 },
  );
}

/** Formats one SSE frame: `data: <json>` with an optional `event:` line. */
export function formatSseFrame(data: unknown, event?: string): string {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  return event === undefined ? `data: ${payload}\n\n` : `event: ${event}\ndata: ${payload}\n\n`;
}

/**
 * Wraps `callback` so that only its first call runs.
 *
 * @param callback - what to run once
 */
export function once(callback: () => void): () => void {
  let called = false;
  return () => {
    if (called) return;
    called = true;
    callback();
  };
}
