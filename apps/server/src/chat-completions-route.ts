import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import { authorizationOf } from './api-key-header.js';
import { createChatCompletionAnswer } from './chat-completion-answer.js';
import { toCompletionRequest } from './chat-completion-request-conversion.js';
import {
  type ChatCompletionRequestBody,
  chatCompletionRequestSchema,
} from './chat-completion-request-schema.js';
import { clientTagOf } from './conversation-index.js';
import { runDialectCompletion } from './dialect-completion.js';
import { dialectValidationError } from './dialect-validation-error.js';
import { type GatewayContext, REASONING_HEADER } from './gateway-context.js';
import type { RouteRequest } from './gateway-routes.js';
import { isRecord } from './is-record.js';
import { reportRateLimits } from './rate-limit-headers.js';
import { readJsonBody } from './request-body.js';
import { readMetadata } from './request-metadata.js';
import { SSE_HEADERS } from './sse-headers.js';
import { findUnsupportedChatParameter } from './unsupported-chat-parameters.js';

function wantsReasoning(context: GatewayContext, headers: Headers, body: ChatCompletionRequestBody): boolean {
  if (context.reasoningContent !== 'auto') return context.reasoningContent === 'always';
  const header = headers.get(REASONING_HEADER)?.trim().toLowerCase();
  if (header === 'include') return true;
  if (header === 'omit') return false;
  return (
    body.reasoning_effort !== null && body.reasoning_effort !== undefined && body.reasoning_effort !== 'none'
  );
}

/**
 * Handles `POST /v1/chat/completions`: validates the body, calls the provider, and answers either
 * one `chat.completion` or an SSE stream of `chat.completion.chunk`s ending in `data: [DONE]`, through
 * {@link runDialectCompletion} (continuation, tracking, metrics) with the chat answer builder.
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 * @param routeRequest - when the request arrived (monotonic ms) and its route label
 */
export async function handleChatCompletions(
  context: GatewayContext,
  c: Context,
  routeRequest: RouteRequest,
): Promise<Response> {
  const raw = await readJsonBody(c, context.maxJsonDepth);
  const parsed = chatCompletionRequestSchema.safeParse(raw);
  if (!parsed.success) throw dialectValidationError(parsed.error);
  const unsupportedParameter = findUnsupportedChatParameter(parsed.data);
  if (unsupportedParameter !== undefined) throw unsupportedParameter;
  const body = parsed.data;
  // From the body as sent: zod's record leaves out a "__proto__" key, checked or not.
  const metadata = readMetadata(isRecord(raw) ? raw.metadata : undefined);
  const id = `chatcmpl-${randomUUID().replaceAll('-', '')}`;
  const store = body.store === true ? context.storedChatCompletions : undefined;
  const clientTag = clientTagOf(authorizationOf(c.req.raw.headers));
  return runDialectCompletion(context, c, routeRequest, {
    request: toCompletionRequest(body),
    stream: body.stream === true,
    answer: createChatCompletionAnswer({
      id,
      created: Math.floor(context.now() / 1000),
      model: body.model,
      includeReasoning: wantsReasoning(context, c.req.raw.headers, body),
      includeUsage: body.stream_options?.include_usage === true,
      customToolNames: new Set(
        (body.tools ?? []).flatMap((tool) => (tool.type === 'custom' ? [tool.custom.name] : [])),
      ),
      stream: body.stream === true,
      onComplete:
        store === undefined
          ? undefined
          : (completion) => store.put(clientTag, completion, body.messages, metadata),
    }),
    streamHeaders: { ...SSE_HEADERS, 'x-request-id': c.get('requestId') },
    answerHeaders: () => reportRateLimits(context, undefined),
    id,
    writeStreamDirectly: context.writeStreamsDirectly,
  });
}
