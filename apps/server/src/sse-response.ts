import { ServerResponse } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Context } from 'hono';
import { createFrameStream, type FrameStreamCallbacks, once } from './frame-stream.js';
import { currentProfileHeaders } from './profile-scope.js';
import { drained } from './writable-drained.js';

/** The marker a route returns after writing its stream to the Node response itself. */
export const STREAM_WRITTEN_DIRECTLY: Response = RESPONSE_ALREADY_SENT;

/** Writes the frames to the Node response as they come, with backpressure; see {@link respondWithFrames}. */
async function writeFrames(
  outgoing: ServerResponse,
  frames: AsyncGenerator<string, void, undefined>,
  headers: Readonly<Record<string, string>>,
  callbacks: FrameStreamCallbacks,
  sendHeadAtOnce: boolean,
): Promise<void> {
  let cancelled = false;
  const finish = once(callbacks.onFinish);
  const cancel = (): void => {
    cancelled = true;
    callbacks.onCancel();
    frames.return(undefined).then(finish, finish);
  };
  // A client that left while the upstream was still being waited for is gone before the stream
  // starts: its 'close' has been emitted already, and no write would ever drain.
  if (outgoing.destroyed) {
    cancel();
    return;
  }
  outgoing.once('close', () => {
    if (outgoing.writableFinished) return;
    cancel();
  });
  // No separate flush unless asked for: the head leaves with the first frame, in one write.
  outgoing.writeHead(200, headers);
  if (sendHeadAtOnce) outgoing.flushHeaders();
  try {
    for (;;) {
      const result = await frames.next();
      if (cancelled) return;
      if (result.done === true) {
        outgoing.end();
        break;
      }
      if (!outgoing.write(result.value)) await drained(outgoing);
      if (cancelled) return;
    }
  } catch (error) {
    outgoing.destroy(error instanceof Error ? error : new Error(String(error)));
  }
  finish();
}

/**
 * Answers with a server-sent-events stream of `frames`. Behind `@hono/node-server` (the listening
 * gateway) the frames are written straight to Node's response — the head together with the first
 * frame, each frame in one write, the end with the last — instead of through a web `ReadableStream`,
 * which costs a promise chain and a copy per frame; the route then returns a marker telling the adapter
 * the answer is already sent. Elsewhere (`gateway.fetch`, tests) it is a `Response` with a byte
 * stream. Either way `onCancel` runs when the client goes away and `onFinish` exactly once.
 *
 * @param c - the Hono context (its `env.outgoing` is Node's response behind `@hono/node-server`)
 * @param frames - the SSE frames to send, in order
 * @param headers - the response headers
 * @param callbacks - cancel and finish hooks
 * @param writeDirectly - false to always answer with a web stream (e.g. when middleware adds headers)
 * @param sendHeadAtOnce - send the head now rather than with the first frame (the first frame may be
 *   long in coming: the upstream accepted the request but has produced nothing yet)
 */
export function respondWithFrames(
  c: Context,
  frames: AsyncGenerator<string, void, undefined>,
  headers: Readonly<Record<string, string>>,
  callbacks: FrameStreamCallbacks,
  writeDirectly = true,
  sendHeadAtOnce = false,
): Response {
  // The request's login profile (`x-codetether-profile`) goes into every stream's head.
  headers = { ...headers, ...currentProfileHeaders() };
  const outgoing = (c.env as { outgoing?: unknown } | undefined)?.outgoing;
  if (writeDirectly && outgoing instanceof ServerResponse && !outgoing.headersSent) {
    void writeFrames(outgoing, frames, headers, callbacks, sendHeadAtOnce);
    return STREAM_WRITTEN_DIRECTLY;
  }
  return new Response(createFrameStream(frames, callbacks), { status: 200, headers });
}
