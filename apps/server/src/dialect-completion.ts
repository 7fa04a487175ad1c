import type { CompletionRequest, StreamChunk } from '@codetether/responses-protocol';
import type { Context } from 'hono';
import {
  clientWentAway,
  openAnswerStream,
  reportStreamError,
  requestFailure,
} from './answer-stream-lifecycle.js';
import { withAuthorization } from './api-key-header.js';
import { openChatStream } from './chat-conversation-turn.js';
import type { GatewayContext } from './gateway-context.js';
import type { RouteRequest } from './gateway-routes.js';
import type { GatewayError } from './openai-error.js';
import { respondWithFrames } from './sse-response.js';
import { shutdownError, trackRequest } from './tracked-request.js';
import {
  mapStreamErrorChunk,
  NON_FATAL_STREAM_ERROR_CODES,
  upstreamIncompleteError,
} from './upstream-error-mapping.js';
import { closeUpstreamIterator } from './upstream-iterator-close.js';

/**
 * How one dialect (Anthropic Messages, Ollama…) answers: it turns the provider's chunks into its own
 * events and, for a request that is not streamed, into its own response object.
 */
export interface DialectAnswer {
  /** Takes the next chunk (never an error chunk) and returns the stream text it produces ('' for none). */
  add(chunk: StreamChunk): string;
  /** The whole answer as the dialect's JSON body (after `done`). */
  result(): unknown;
  /** The stream text that ends a stream with `error` (its own error event). */
  errorFrame(error: GatewayError): string;
}

/** What {@link runDialectCompletion} needs besides the request context. */
export interface DialectCompletionOptions {
  /** The request converted to the provider's shape. */
  request: CompletionRequest;
  /** Whether the client asked for a stream. */
  stream: boolean;
  /** The dialect's answer builder, new for this request. */
  answer: DialectAnswer;
  /** Response headers of a stream (content type…). */
  streamHeaders: Readonly<Record<string, string>>;
  /**
   * Further response headers of both the JSON and the stream answer, computed when the answer starts
   * (after the upstream replied), e.g. the account's usage windows.
   */
  answerHeaders?: () => Readonly<Record<string, string>>;
  /** The answer's id, named in the log when the client disconnects. */
  id?: string;
  /**
   * Whether the stream may be written straight to Node's response (see {@link respondWithFrames});
   * only when the route sets every header itself, as middleware cannot add any then. Default false.
   */
  writeStreamDirectly?: boolean;
}

type ErrorChunk = Extract<StreamChunk, { type: 'error' }>;

function isFatalError(chunk: StreamChunk): chunk is ErrorChunk {
  return chunk.type === 'error' && !NON_FATAL_STREAM_ERROR_CODES.has(chunk.code ?? '');
}

function recordUsage(context: GatewayContext, chunk: StreamChunk, key: string | undefined): void {
  if (chunk.type !== 'done' || chunk.usage === undefined) return;
  const usage = chunk.usage;
  context.metrics.addTokens('prompt', usage.promptTokens + (usage.cacheReadTokens ?? 0), key);
  context.metrics.addTokens('completion', usage.completionTokens, key);
  context.metrics.addTokens('cached', usage.cacheReadTokens ?? 0, key);
  context.metrics.addTokens('reasoning', usage.reasoningTokens ?? 0, key);
}

/** Reads the next chunk, skipping per-event (non-fatal) errors. */
async function nextChunk(
  context: GatewayContext,
  route: string,
  iterator: AsyncIterator<StreamChunk>,
): Promise<IteratorResult<StreamChunk>> {
  for (;;) {
    const result = await iterator.next();
    if (result.done === true) return result;
    const chunk: StreamChunk = result.value;
    if (chunk.type !== 'error' || !NON_FATAL_STREAM_ERROR_CODES.has(chunk.code ?? '')) return result;
    context.logger.warn({ route, code: chunk.code }, 'skipped an unreadable upstream event');
  }
}

/**
 * Answers a completion request in any API dialect (Chat Completions, Anthropic Messages, Ollama…)
 * through one path: continuation
 * (the conversation index, keyed by the client's key whether sent as bearer or `x-api-key`), request
 * tracking for shutdown, upstream latency, time to first token and token metrics under the route's
 * label. Failures before any output throw a {@link GatewayError} (the route's error shape answers
 * it); later ones end the stream with the dialect's error event.
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 * @param routeRequest - when the request arrived and its route label
 * @param options - the converted request and the dialect's answer builder
 */
export async function runDialectCompletion(
  context: GatewayContext,
  c: Context,
  { startedAt, route }: RouteRequest,
  options: DialectCompletionOptions,
): Promise<Response> {
  const { answer } = options;
  const tracked = trackRequest(context, c.req.raw, c.get('clientKeyName'));
  let handedToStream = false;
  try {
    // A stream's head goes once the upstream accepted the request (see below).
    let markStarted = (): void => {};
    const started = new Promise<undefined>((resolve) => {
      markStarted = () => resolve(undefined);
    });
    const iterator = (
      await openChatStream(context, options.request, withAuthorization(c.req.raw.headers), {
        signal: tracked.upstream.signal,
        sessionId: tracked.sessionId,
        ...(options.stream ? { onResponseStarted: () => markStarted() } : {}),
      })
    )[Symbol.asyncIterator]();
    // The upstream is closed before the error is answered (see closeUpstreamIterator).
    const fail = async (error: unknown): Promise<GatewayError> => {
      tracked.abort();
      await closeUpstreamIterator(iterator);
      return requestFailure(context, tracked, error);
    };

    // The first chunk decides the HTTP status — failures before any output become proper error
    // responses — unless the upstream accepted the request before it came: a stream's head then goes at
    // once (as OpenAI sends it; a client's own timeouts start with it) and a later failure is the
    // dialect's error event. (`undefined`: it started, no chunk yet.)
    const firstChunk = nextChunk(context, route, iterator);
    let first: IteratorResult<StreamChunk> | undefined;
    try {
      first = await Promise.race([firstChunk, started]);
    } catch (error) {
      throw await fail(error);
    }
    context.metrics.observeUpstreamLatency(route, (context.monotonicNow() - startedAt) / 1000);
    if (first !== undefined && first.done !== true && isFatalError(first.value)) {
      throw await fail(mapStreamErrorChunk(first.value.message, first.value.code));
    }

    if (!options.stream) {
      // (Without a stream nothing is told when the upstream started: this is the first chunk.)
      let result = first ?? (await firstChunk);
      let finished = false;
      try {
        while (result.done !== true) {
          const chunk = result.value;
          if (isFatalError(chunk)) throw mapStreamErrorChunk(chunk.message, chunk.code);
          answer.add(chunk);
          recordUsage(context, chunk, tracked.clientKey);
          if (chunk.type === 'done') {
            finished = true;
            break;
          }
          result = await nextChunk(context, route, iterator);
        }
      } catch (error) {
        throw await fail(error);
      }
      await closeUpstreamIterator(iterator);
      if (!finished) throw await fail(upstreamIncompleteError());
      return c.json(answer.result(), 200, options.answerHeaders?.());
    }

    const errorFrame = (error: GatewayError): string => {
      reportStreamError(context, route, error);
      return answer.errorFrame(error);
    };

    async function* frames(): AsyncGenerator<string, void, undefined> {
      let firstTokenSent = false;
      let result = first;
      /** The first chunk, when the head went before it. */
      let pendingFirst = first === undefined ? firstChunk : undefined;
      try {
        for (;;) {
          if (result === undefined) {
            try {
              result = await (pendingFirst ?? nextChunk(context, route, iterator));
              pendingFirst = undefined;
            } catch (error) {
              if (clientWentAway(tracked)) return;
              yield errorFrame(requestFailure(context, tracked, error));
              return;
            }
          }
          if (result.done === true) {
            yield errorFrame(tracked.wasStoppedForShutdown() ? shutdownError() : upstreamIncompleteError());
            return;
          }
          const chunk = result.value;
          if (isFatalError(chunk)) {
            if (clientWentAway(tracked)) return;
            yield errorFrame(
              tracked.wasStoppedForShutdown()
                ? shutdownError()
                : mapStreamErrorChunk(chunk.message, chunk.code),
            );
            return;
          }
          recordUsage(context, chunk, tracked.clientKey);
          const text = answer.add(chunk);
          if (text !== '') {
            if (!firstTokenSent) {
              firstTokenSent = true;
              context.metrics.observeTimeToFirstToken(route, (context.monotonicNow() - startedAt) / 1000);
            }
            yield text;
          }
          if (chunk.type === 'done') return;
          result = undefined;
        }
      } finally {
        // Awaited: the stream is over (and its request released) only once the upstream is closed.
        await closeUpstreamIterator(iterator);
      }
    }

    handedToStream = true;
    return respondWithFrames(
      c,
      frames(),
      { ...options.streamHeaders, ...options.answerHeaders?.() },
      openAnswerStream(context, tracked, {
        route,
        id: options.id,
        closeUpstream: () => closeUpstreamIterator(iterator),
      }),
      options.writeStreamDirectly === true,
      first === undefined,
    );
  } finally {
    if (!handedToStream) tracked.release();
  }
}
