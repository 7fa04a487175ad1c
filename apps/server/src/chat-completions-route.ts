import { randomUUID } from 'node:crypto';
import type { StreamChunk } from '@codetether/responses-protocol';
import type { Context } from 'hono';
import { createChatCompletionAccumulator } from './chat-completion-accumulator.js';
import { createChatCompletionChunkTranslator } from './chat-completion-chunks.js';
import { toCompletionRequest } from './chat-completion-request-conversion.js';
import {
  type ChatCompletionRequestBody,
  chatCompletionRequestSchema,
} from './chat-completion-request-schema.js';
import { openChatStream } from './chat-conversation-turn.js';
import { formatSseFrame } from './frame-stream.js';
import { type GatewayContext, REASONING_HEADER } from './gateway-context.js';
import type { RouteRequest } from './gateway-routes.js';
import { GatewayError } from './openai-error.js';
import { reportRateLimits } from './rate-limit-headers.js';
import { readJsonBody } from './request-body.js';
import { SSE_HEADERS } from './sse-headers.js';
import { respondWithFrames } from './sse-response.js';
import { shutdownError, trackRequest } from './tracked-request.js';
import { findUnsupportedChatParameter } from './unsupported-chat-parameters.js';
import {
  mapProviderError,
  mapStreamErrorChunk,
  NON_FATAL_STREAM_ERROR_CODES,
} from './upstream-error-mapping.js';
import { validationErrorToGatewayError } from './validation-error.js';

function wantsReasoning(context: GatewayContext, headers: Headers, body: ChatCompletionRequestBody): boolean {
  if (context.reasoningContent !== 'auto') return context.reasoningContent === 'always';
  const header = headers.get(REASONING_HEADER)?.trim().toLowerCase();
  if (header === 'include') return true;
  if (header === 'omit') return false;
  return (
    body.reasoning_effort !== null && body.reasoning_effort !== undefined && body.reasoning_effort !== 'none'
  );
}

type ErrorChunk = Extract<StreamChunk, { type: 'error' }>;

function isFatalError(chunk: StreamChunk): chunk is ErrorChunk {
  return chunk.type === 'error' && !NON_FATAL_STREAM_ERROR_CODES.has(chunk.code ?? '');
}

function recordUsage(context: GatewayContext, chunk: StreamChunk): void {
  if (chunk.type !== 'done' || chunk.usage === undefined) return;
  const usage = chunk.usage;
  context.metrics.addTokens('prompt', usage.promptTokens + (usage.cacheReadTokens ?? 0));
  context.metrics.addTokens('completion', usage.completionTokens);
  context.metrics.addTokens('cached', usage.cacheReadTokens ?? 0);
  context.metrics.addTokens('reasoning', usage.reasoningTokens ?? 0);
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

function closeQuietly(iterator: AsyncIterator<StreamChunk>): void {
  try {
    iterator.return?.()?.catch(() => {});
  } catch {
    // Already closed.
  }
}

/**
 * Handles `POST /v1/chat/completions`: validates the body, calls the provider, and answers either
 * one `chat.completion` or an SSE stream of `chat.completion.chunk`s ending in `data: [DONE]`.
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 * @param routeRequest - when the request arrived (monotonic ms) and its route label
 */
export async function handleChatCompletions(
  context: GatewayContext,
  c: Context,
  { startedAt, route }: RouteRequest,
): Promise<Response> {
  const parsed = chatCompletionRequestSchema.safeParse(await readJsonBody(c, context.maxJsonDepth));
  if (!parsed.success) throw validationErrorToGatewayError(parsed.error);
  const unsupportedParameter = findUnsupportedChatParameter(parsed.data);
  if (unsupportedParameter !== undefined) throw unsupportedParameter;
  const body = parsed.data;
  const request = toCompletionRequest(body);
  const includeReasoning = wantsReasoning(context, c.req.raw.headers, body);
  const id = `chatcmpl-${randomUUID().replaceAll('-', '')}`;
  const created = Math.floor(context.now() / 1000);
  const tracked = trackRequest(context, c.req.raw);
  const upstream = tracked.upstream;
  let handedToStream = false;
  try {
    const iterator = (
      await openChatStream(context, request, c.req.raw.headers, {
        signal: upstream.signal,
        sessionId: tracked.sessionId,
      })
    )[Symbol.asyncIterator]();
    const fail = (error: unknown): GatewayError => {
      tracked.abort();
      closeQuietly(iterator);
      return tracked.stoppedForShutdown ? shutdownError() : mapProviderError(error, context.now());
    };

    // The first chunk decides the HTTP status: failures before any output become proper error responses.
    let first: IteratorResult<StreamChunk>;
    try {
      first = await nextChunk(context, route, iterator);
    } catch (error) {
      throw fail(error);
    }
    context.metrics.observeUpstreamLatency(route, (context.monotonicNow() - startedAt) / 1000);
    if (first.done !== true && isFatalError(first.value)) {
      throw fail(mapStreamErrorChunk(first.value.message, first.value.code));
    }

    if (body.stream !== true) {
      const accumulator = createChatCompletionAccumulator({
        id,
        created,
        model: body.model,
        includeReasoning,
      });
      let result = first;
      try {
        while (result.done !== true) {
          const chunk = result.value;
          if (isFatalError(chunk)) throw mapStreamErrorChunk(chunk.message, chunk.code);
          accumulator.add(chunk);
          recordUsage(context, chunk);
          if (chunk.type === 'done') break;
          result = await nextChunk(context, route, iterator);
        }
      } catch (error) {
        throw fail(error);
      }
      closeQuietly(iterator);
      if (!accumulator.finished) throw fail(incompleteError());
      return c.json(accumulator.result(), 200, reportRateLimits(context, undefined));
    }

    const translator = createChatCompletionChunkTranslator({
      id,
      created,
      model: body.model,
      includeReasoning,
      includeUsage: body.stream_options?.include_usage === true,
    });
    const errorFrame = (error: GatewayError): string => {
      context.metrics.recordError(route, error.code ?? error.type);
      context.logger.warn({ route, status: error.status, code: error.code }, error.message);
      return formatSseFrame(error.toBody());
    };

    async function* frames(): AsyncGenerator<string, void, undefined> {
      let firstTokenSent = false;
      let result = first;
      try {
        for (;;) {
          if (result.done === true) {
            yield errorFrame(tracked.stoppedForShutdown ? shutdownError() : incompleteError());
            return;
          }
          const chunk = result.value;
          if (isFatalError(chunk)) {
            if (upstream.signal.aborted && !tracked.stoppedForShutdown) return; // The client went away.
            yield errorFrame(
              tracked.stoppedForShutdown ? shutdownError() : mapStreamErrorChunk(chunk.message, chunk.code),
            );
            return;
          }
          recordUsage(context, chunk);
          const outgoing = translator.translate(chunk);
          // One write per upstream chunk: the role chunk and the first delta, or finish + usage + [DONE], go together.
          let text = outgoing.map((item) => formatSseFrame(item)).join('');
          if (chunk.type === 'done') text += 'data: [DONE]\n\n';
          if (text !== '') {
            if (!firstTokenSent) {
              firstTokenSent = true;
              context.metrics.observeTimeToFirstToken(route, (context.monotonicNow() - startedAt) / 1000);
            }
            yield text;
          }
          if (chunk.type === 'done') return;
          try {
            result = await nextChunk(context, route, iterator);
          } catch (error) {
            if (upstream.signal.aborted && !tracked.stoppedForShutdown) return; // The client went away.
            yield errorFrame(
              tracked.stoppedForShutdown ? shutdownError() : mapProviderError(error, context.now()),
            );
            return;
          }
        }
      } finally {
        closeQuietly(iterator);
      }
    }

    context.metrics.streamOpened();
    handedToStream = true;
    return respondWithFrames(
      c,
      frames(),
      { ...SSE_HEADERS, ...reportRateLimits(context, undefined), 'x-request-id': c.get('requestId') },
      {
        onCancel() {
          context.logger.info({ route, id }, 'client disconnected; upstream request cancelled');
          tracked.abort(new Error('The client disconnected.'));
        },
        onFinish() {
          closeQuietly(iterator);
          context.metrics.streamClosed();
          tracked.release();
        },
      },
      context.writeStreamsDirectly,
    );
  } finally {
    if (!handedToStream) tracked.release();
  }
}

function incompleteError(): GatewayError {
  return new GatewayError(
    502,
    'server_error',
    'The upstream stream ended before the response was complete. Try again.',
    {
      code: 'upstream_incomplete',
    },
  );
}
