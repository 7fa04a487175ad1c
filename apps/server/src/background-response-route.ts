import type { Context } from 'hono';
import { reportStreamError, requestFailure } from './answer-stream-lifecycle.js';
import { authorizationOf } from './api-key-header.js';
import type { BackgroundResponse } from './background-responses.js';
import { clientTagOf } from './conversation-index.js';
import { openConversationResponseStream } from './conversation-response-stream.js';
import type { GatewayContext } from './gateway-context.js';
import type { RouteRequest } from './gateway-routes.js';
import { isRecord } from './is-record.js';
import { GatewayError } from './openai-error.js';
import { reportRateLimits } from './rate-limit-headers.js';
import { errorEventToGatewayError, nextRelayedEvent } from './relayed-response-events.js';
import { recordResponseUsage } from './response-usage-metrics.js';
import { SSE_HEADERS } from './sse-headers.js';
import { respondWithFrames } from './sse-response.js';
import { rebuildResponse } from './stored-response.js';
import { type TrackedRequest, trackRequest } from './tracked-request.js';
import { upstreamIncompleteError } from './upstream-error-mapping.js';
import { closeUpstreamIterator } from './upstream-iterator-close.js';

/** Refuses what a background response cannot be: one that is not stored (OpenAI's rule too). */
function refuseUnstoredBackground(body: Record<string, unknown>): void {
  if (body.store !== false) return;
  throw new GatewayError(
    400,
    'invalid_request_error',
    'Background responses must be stored: they are retrieved, streamed and cancelled by id afterwards. Send `store: true` (or leave `store` out), or leave `background` out.',
    { param: 'store', code: 'invalid_value' },
  );
}

/**
 * Reads the rest of a background response's upstream events into it, whoever reads it meanwhile; ends
 * it as the upstream ends (a failure is its `error` event; a cancel stops quietly), then closes the
 * upstream and releases the request.
 */
async function runInBackground(
  context: GatewayContext,
  background: BackgroundResponse,
  events: AsyncIterator<unknown>,
  tracked: TrackedRequest,
  route: string,
): Promise<void> {
  /** Ends the response `failed` with `failure` (its readers get it as an `error` event), counted and logged. */
  const fail = (failure: GatewayError): void => {
    reportStreamError(context, route, failure);
    background.finish('failed', context.now(), failure);
  };
  try {
    while (!background.ended) {
      let event: Awaited<ReturnType<typeof nextRelayedEvent>>;
      try {
        event = await nextRelayedEvent(events);
      } catch (error) {
        // A cancel ended it first: its upstream's abort is no failure.
        if (!background.ended) fail(requestFailure(context, tracked, error));
        break;
      }
      if (event === undefined) {
        fail(upstreamIncompleteError());
        break;
      }
      if (event.type === 'error') context.metrics.recordError(route, 'upstream_error_event');
      background.push(event, context.now());
      if (background.ended && isRecord(event.response))
        recordResponseUsage(context, event.response, tracked.clientKey);
    }
  } finally {
    await closeUpstreamIterator(events);
    tracked.release();
  }
}

/**
 * Streams a background response's events after `startingAfter` to the client that asked (SSE); the
 * client leaving ends its stream only, never the response.
 */
function streamBackgroundResponse(
  context: GatewayContext,
  c: Context,
  background: BackgroundResponse,
  startingAfter: number,
  headers: Readonly<Record<string, string>>,
): Response {
  const reader = new AbortController();
  // Counted in flight, so a shutdown lets it write the end of its response (which the shutdown stops
  // too, when it runs) before closing the connection; it ends by itself.
  const unregister = context.streams.add({ stop() {} });
  context.metrics.streamOpened();
  return respondWithFrames(
    c,
    background.framesAfter(startingAfter, reader.signal),
    { ...SSE_HEADERS, ...headers, 'x-request-id': c.get('requestId') },
    {
      onCancel() {
        context.logger.info(
          { route: c.req.path, id: background.id },
          'client left a background response stream; the response goes on',
        );
        reader.abort();
      },
      onFinish() {
        reader.abort();
        context.metrics.streamClosed();
        unregister();
      },
    },
    context.writeStreamsDirectly,
  );
}

/**
 * Handles `POST /v1/responses` with `background: true`: the gateway sends the request upstream itself
 * and keeps reading it whether or not a client does (the Codex backend runs no background responses),
 * in this process's {@link BackgroundResponseRegistry}. Answers, once the upstream created the
 * response, its response object (`background: true`, `in_progress`) or, with `stream: true`, its
 * events as they come; then `GET /v1/responses/{id}` retrieves it (also `stream=true&starting_after=N`
 * to resume its events) and `POST /v1/responses/{id}/cancel` stops it. A failure before the upstream
 * created the response is answered as an error and leaves nothing behind.
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 * @param body - the client's Responses body (`background: true`)
 * @param routeRequest - the route label
 */
export async function handleBackgroundResponse(
  context: GatewayContext,
  c: Context,
  body: Record<string, unknown>,
  { route }: RouteRequest,
): Promise<Response> {
  refuseUnstoredBackground(body);
  const registry = context.backgroundResponses;
  registry.checkCapacity();
  const headers = c.req.raw.headers;
  // Not linked to the client's request: the client leaving does not stop a background response (a
  // `Request` made without a signal has one that never aborts). Shutdown and cancel still stop it.
  const tracked = trackRequest(
    context,
    new Request(c.req.url, { method: 'POST', headers }),
    c.get('clientKeyName'),
  );
  let iterator: AsyncIterator<unknown> | undefined;
  let background: BackgroundResponse;
  let rateLimitHeaders: Record<string, string>;
  try {
    const stream = await openConversationResponseStream(context, body, headers, {
      signal: tracked.upstream.signal,
      sessionId: tracked.sessionId,
    });
    iterator = stream.events[Symbol.asyncIterator]();
    const first = await nextRelayedEvent(iterator);
    if (first === undefined) throw upstreamIncompleteError();
    if (first.type === 'error') throw errorEventToGatewayError(first);
    if (!isRecord(first.response) || typeof first.response.id !== 'string' || first.response.id === '')
      throw new GatewayError(
        502,
        'server_error',
        `The upstream began the response with a \`${first.type}\` event that names no response. Try again.`,
        { code: 'upstream_invalid_event' },
      );
    // Checked again: another background request may have started while this one waited upstream.
    registry.checkCapacity();
    const events = iterator;
    background = registry.start(clientTagOf(authorizationOf(headers)), first.response, (reason) =>
      tracked.abort(reason),
    );
    background.push(first, context.now());
    rateLimitHeaders = reportRateLimits(context, stream.rateLimits);
    const running = background;
    // Nothing awaits it: a failure of the gateway's own (never expected) ends the response, logged,
    // instead of becoming an unhandled rejection.
    runInBackground(context, running, events, tracked, route).catch((error: unknown) => {
      context.logger.error(
        { route, id: running.id, error: error instanceof Error ? error.name : typeof error },
        'a background response failed in the gateway',
      );
      running.finish('failed', context.now(), {
        code: 'server_error',
        message: 'The gateway failed while running this background response. Create it again.',
      });
    });
  } catch (error) {
    tracked.abort();
    await closeUpstreamIterator(iterator);
    tracked.release();
    throw error instanceof GatewayError ? error : requestFailure(context, tracked, error);
  }
  if (body.stream !== true) return c.json(background.response, 200, rateLimitHeaders);
  return streamBackgroundResponse(context, c, background, -1, rateLimitHeaders);
}

/**
 * The response object of a background response as it is now: while it runs, with the output so far
 * (when the conversation index follows it); else as it ended.
 */
function currentResponse(context: GatewayContext, background: BackgroundResponse): Record<string, unknown> {
  if (background.ended) return background.response;
  const streaming = context.conversations?.streamingResponse(background.clientTag, background.id);
  return streaming === undefined ? background.response : { ...rebuildResponse(streaming), background: true };
}

/** The `starting_after` of a streamed retrieve: a whole number ≥ -1 (-1, or none: from the first event). */
function startingAfterOf(c: Context): number {
  const value = c.req.query('starting_after');
  if (value === undefined || value === '') return -1;
  const number = Number(value);
  if (!/^-?\d{1,15}$/.test(value) || number < -1)
    throw new GatewayError(
      400,
      'invalid_request_error',
      "Invalid 'starting_after': send the sequence number of the last event received (a whole number), or leave it out to stream from the first event.",
      { param: 'starting_after', code: 'invalid_value' },
    );
  return number;
}

/**
 * Answers `GET /v1/responses/{id}` for a background response: its response object as it is now, or
 * with `stream=true` its events after `starting_after` (all of them without), then the rest as they
 * come; 400 when the events asked for are no longer kept (see `DEFAULT_MAX_BACKGROUND_EVENT_BYTES`).
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 * @param background - the key's background response the path names
 * @param streamed - whether the retrieve asks for its events (`stream=true`)
 */
export function retrieveBackgroundResponse(
  context: GatewayContext,
  c: Context,
  background: BackgroundResponse,
  streamed: boolean,
): Response {
  if (!streamed) return c.json(currentResponse(context, background));
  const startingAfter = startingAfterOf(c);
  if (!background.canResumeAfter(startingAfter))
    throw new GatewayError(
      400,
      'invalid_request_error',
      `The events of background response '${background.id}' up to the one after sequence number ${startingAfter} are no longer kept (it kept its newest events only). Resume from a later event, or retrieve the response without \`stream\`.`,
      { param: 'starting_after', code: 'events_expired' },
    );
  return streamBackgroundResponse(context, c, background, startingAfter, {});
}

/**
 * Answers `POST /v1/responses/{id}/cancel` for a background response: stops it (its upstream request
 * is aborted; what it produced so far is kept) and answers its response object, `cancelled`; an ended
 * one's as it ended (cancelling is idempotent).
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 * @param background - the key's background response the path names
 */
export function cancelBackgroundResponse(
  context: GatewayContext,
  c: Context,
  background: BackgroundResponse,
): Response {
  const snapshot = background.ended ? undefined : currentResponse(context, background);
  return c.json(background.cancel(snapshot, context.now()));
}
