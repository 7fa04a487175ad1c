/**
 * Response headers of every server-sent-events stream the gateway sends. `transfer-encoding: chunked`
 * makes `@hono/node-server` send the headers and first event at once: without it, it probes the body
 * for a few reads (waiting a timer tick) to see whether it could send a `content-length` instead.
 */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'transfer-encoding': 'chunked',
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
};
