import type { Context } from 'hono';
import { z } from 'zod';
import {
  clientWentAway,
  openAnswerStream,
  reportStreamError,
  requestFailure,
} from './answer-stream-lifecycle.js';
import { handleBackgroundResponse } from './background-response-route.js';
import { openConversationResponseStream } from './conversation-response-stream.js';
import { FinalResponseAssembly, TERMINAL_RESPONSE_EVENT_TYPES } from './final-response-assembly.js';
import { formatSseFrame } from './frame-stream.js';
import type { GatewayContext } from './gateway-context.js';
import type { GatewayResponseStream } from './gateway-provider.js';
import type { RouteRequest } from './gateway-routes.js';
import { isRecord } from './is-record.js';
import type { GatewayError } from './openai-error.js';
import { reportRateLimits } from './rate-limit-headers.js';
import {
  errorEventToGatewayError,
  nextRelayedEvent,
  type ResponsesEvent,
} from './relayed-response-events.js';
import { readJsonBody } from './request-body.js';
import { metadataSchema } from './request-metadata.js';
import { recordResponseUsage } from './response-usage-metrics.js';
import { SSE_HEADERS } from './sse-headers.js';
import { respondWithFrames } from './sse-response.js';
import { trackRequest } from './tracked-request.js';
import { mapStreamErrorChunk, upstreamIncompleteError } from './upstream-error-mapping.js';
import { closeUpstreamIterator } from './upstream-iterator-close.js';
import { validationErrorToGatewayError } from './validation-error.js';

/** The fields of a Responses body the gateway checks; everything else is forwarded as is. */
export const responsesRequestSchema = z.looseObject({
  model: z.string().min(1),
  stream: z.boolean().nullish(),
  input: z.union([z.string(), z.array(z.unknown())]).optional(),
  conversation: z
    .union([z.string(), z.looseObject({ id: z.string() })])
    .nullish()
    .describe(
      "A Conversations API conversation of the same key (`conv_…` or `{id}`): the model gets its items before `input`, and the response's input and output items are added to it. Not with `previous_response_id`.",
    ),
  metadata: metadataSchema
    .nullish()
    .describe(
      "At most 16 string pairs (keys of at most 64 characters, values of at most 512), echoed in the response objects as OpenAI's are (the ChatGPT backend is not sent them).",
    ),
  background: z
    .boolean()
    .nullish()
    .describe(
      '`true`: the gateway runs the response itself, whether or not a client reads it (kept in its memory; retrieve, resume its stream with `stream=true&starting_after=N`, or cancel it by id). Not with `store: false`.',
    ),
});

export { TERMINAL_RESPONSE_EVENT_TYPES };

function failedResponseToGatewayError(response: unknown): GatewayError {
  const error = isRecord(response) && isRecord(response.error) ? response.error : {};
  const message =
    typeof error.message === 'string' ? error.message : 'The upstream response failed. Try again.';
  return mapStreamErrorChunk(message, typeof error.code === 'string' ? error.code : 'response_failed');
}

/**
 * Reads the upstream events up to the terminal one and returns the final response object (its
 * `output` rebuilt from the items when the ChatGPT backend left it empty); an `error` event, a failed
 * response or an early end is thrown as a gateway error.
 */
async function collectFinalResponse(
  context: GatewayContext,
  events: AsyncIterator<unknown>,
  key: string | undefined,
): Promise<Record<string, unknown>> {
  const assembly = new FinalResponseAssembly();
  for (;;) {
    const event = await nextRelayedEvent(events);
    if (event === undefined) break;
    if (event.type === 'error') throw errorEventToGatewayError(event);
    assembly.observe(event);
    if (!TERMINAL_RESPONSE_EVENT_TYPES.has(event.type)) continue;
    if (event.type === 'response.failed') throw failedResponseToGatewayError(event.response);
    recordResponseUsage(context, event.response, key);
    return assembly.result() ?? {};
  }
  throw upstreamIncompleteError();
}

/**
 * Handles `POST /v1/responses`: forwards the body with the account's credentials and relays the
 * Responses events, either as SSE (`event: <type>` + `data: <json>`) or, without `stream: true`, as
 * the final response object.
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 * @param routeRequest - when the request arrived (monotonic ms) and its route label
 */
export async function handleResponses(
  context: GatewayContext,
  c: Context,
  routeRequest: RouteRequest,
): Promise<Response> {
  const { startedAt, route } = routeRequest;
  const raw = await readJsonBody(c, context.maxJsonDepth);
  const parsed = responsesRequestSchema.safeParse(raw);
  if (!parsed.success) throw validationErrorToGatewayError(parsed.error);
  if (parsed.data.background === true) return handleBackgroundResponse(context, c, parsed.data, routeRequest);
  const wantsStream = parsed.data.stream === true;
  const tracked = trackRequest(context, c.req.raw, c.get('clientKeyName'));
  const upstream = tracked.upstream;
  let handedToStream = false;
  let iterator: AsyncIterator<unknown> | undefined;
  // The upstream is closed before the error is answered (see closeUpstreamIterator).
  const fail = async (error: unknown): Promise<GatewayError> => {
    tracked.abort();
    await closeUpstreamIterator(iterator);
    return requestFailure(context, tracked, error);
  };
  try {
    let response: GatewayResponseStream;
    try {
      response = await openConversationResponseStream(context, raw, c.req.raw.headers, {
        signal: upstream.signal,
        sessionId: tracked.sessionId,
      });
      iterator = response.events[Symbol.asyncIterator]();
    } catch (error) {
      throw await fail(error);
    }
    context.metrics.observeUpstreamLatency(route, (context.monotonicNow() - startedAt) / 1000);
    const events = iterator;

    if (!wantsStream) {
      try {
        const final = await collectFinalResponse(context, events, tracked.clientKey);
        await closeUpstreamIterator(events);
        return c.json(final, 200, reportRateLimits(context, response.rateLimits));
      } catch (error) {
        throw await fail(error);
      }
    }

    // The first relayed event is read before answering: a failure before it is an HTTP error, and the
    // usage windows of a WebSocket upstream (its `codex.rate_limits` event comes first) make the headers —
    // unless the upstream accepted the request while holding its events back (see `accepted`): then the
    // head goes at once and the stream reads its first event itself.
    const headFirst = response.accepted === true;
    let first: ResponsesEvent | undefined;
    if (!headFirst) {
      try {
        first = await nextRelayedEvent(events);
      } catch (error) {
        throw await fail(error);
      }
    }

    let sequenceNumber = 0;
    const errorFrame = (error: GatewayError): string => {
      reportStreamError(context, route, error);
      return formatSseFrame(
        {
          type: 'error',
          code: error.code,
          message: error.message,
          param: error.param,
          sequence_number: sequenceNumber,
        },
        'error',
      );
    };

    async function* frames(): AsyncGenerator<string, void, undefined> {
      let firstTokenSent = false;
      let event = first;
      /** The next event is to be read (the first one too when the head went before it). */
      let readNext = headFirst;
      try {
        for (;;) {
          if (readNext) {
            try {
              event = await nextRelayedEvent(events);
            } catch (error) {
              if (clientWentAway(tracked)) return;
              yield errorFrame(requestFailure(context, tracked, error));
              return;
            }
          }
          readNext = true;
          if (event === undefined) return;
          if (typeof event.sequence_number === 'number') sequenceNumber = event.sequence_number + 1;
          if (!firstTokenSent && event.type.endsWith('.delta')) {
            firstTokenSent = true;
            context.metrics.observeTimeToFirstToken(route, (context.monotonicNow() - startedAt) / 1000);
          }
          if (event.type === 'error') context.metrics.recordError(route, 'upstream_error_event');
          if (TERMINAL_RESPONSE_EVENT_TYPES.has(event.type))
            recordResponseUsage(context, event.response, tracked.clientKey);
          yield formatSseFrame(event, event.type);
          if (TERMINAL_RESPONSE_EVENT_TYPES.has(event.type)) return;
        }
      } finally {
        // Awaited: the stream is over (and its request released) only once the upstream is closed.
        await closeUpstreamIterator(events);
      }
    }

    handedToStream = true;
    return respondWithFrames(
      c,
      frames(),
      {
        ...SSE_HEADERS,
        ...reportRateLimits(context, response.rateLimits),
        'x-request-id': c.get('requestId'),
      },
      openAnswerStream(context, tracked, { route, closeUpstream: () => closeUpstreamIterator(events) }),
      context.writeStreamsDirectly,
      headFirst,
    );
  } finally {
    if (!handedToStream) tracked.release();
  }
}
