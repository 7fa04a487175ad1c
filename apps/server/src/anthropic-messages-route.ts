import type { CompletionRequest } from '@codetether/responses-protocol';
import type { Context } from 'hono';
import { z } from 'zod';
import { createAnthropicMessageAnswer } from './anthropic-message-answer.js';
import {
  anthropicCountTokensRequestSchema,
  anthropicMessagesRequestSchema,
} from './anthropic-messages-schema.js';
import { anthropicToCompletionRequest } from './anthropic-request-conversion.js';
import { runDialectCompletion } from './dialect-completion.js';
import type { ModelMap } from './dialect-model-map.js';
import { dialectValidationError } from './dialect-validation-error.js';
import type { GatewayContext } from './gateway-context.js';
import type { RouteRequest } from './gateway-routes.js';
import { readJsonBody } from './request-body.js';
import { SSE_HEADERS } from './sse-headers.js';
import { estimateTokens, TOKEN_COUNT_METHOD_HEADER } from './token-estimate.js';

/**
 * Handles `POST /v1/messages` (Anthropic Messages API): converts the body (model through the model
 * map) and answers one `message` object or, with `stream: true`, Anthropic's server-sent events.
 *
 * @param context - shared gateway state
 * @param modelMap - requested model names to Codex models
 * @param c - the Hono context
 * @param routeRequest - when the request arrived and its route label
 */
export async function handleAnthropicMessages(
  context: GatewayContext,
  modelMap: ModelMap,
  c: Context,
  routeRequest: RouteRequest,
): Promise<Response> {
  const parsed = anthropicMessagesRequestSchema.safeParse(await readJsonBody(c, context.maxJsonDepth));
  if (!parsed.success) throw dialectValidationError(parsed.error);
  const body = parsed.data;
  return runDialectCompletion(context, c, routeRequest, {
    request: anthropicToCompletionRequest(body, modelMap),
    stream: body.stream === true,
    answer: createAnthropicMessageAnswer({
      model: body.model,
      includeThinking:
        body.thinking !== undefined &&
        body.thinking.type !== 'disabled' &&
        body.thinking.display !== 'omitted',
    }),
    streamHeaders: SSE_HEADERS,
  });
}

/**
 * Estimates the input tokens of a request: its text (instructions, messages, tool calls and results,
 * tool definitions) at about four characters a token, plus a flat amount per image. The Codex backend
 * has no token counting endpoint, so this is an estimate, not the upstream tokenizer's count.
 *
 * @param request - the converted request
 */
export function estimateInputTokens(request: CompletionRequest): number {
  let characters = JSON.stringify(request.tools ?? []).length;
  let images = 0;
  for (const message of request.messages) {
    if (message.role === 'assistant') {
      characters += (message.content ?? '').length;
      for (const call of message.toolCalls ?? []) characters += call.name.length + call.arguments.length;
    } else if (typeof message.content === 'string') characters += message.content.length;
    else
      for (const part of message.content) {
        if (part.type === 'text') characters += part.text.length;
        else images += 1;
      }
  }
  return estimateTokens(characters, images);
}

/** The zod schema of the answer to `POST /v1/messages/count_tokens`. */
export const anthropicTokenCountSchema = z.object({
  input_tokens: z.number().int().describe('The estimated input tokens.'),
  estimated: z.literal(true).describe('Always true: the count is an estimate (about 4 characters a token).'),
});

/**
 * Handles `POST /v1/messages/count_tokens`: an estimate (see {@link estimateInputTokens}), marked as
 * one by `estimated: true` and the `x-codetether-token-count: estimate` header.
 *
 * @param context - shared gateway state
 * @param modelMap - requested model names to Codex models
 * @param c - the Hono context
 */
export async function handleAnthropicCountTokens(
  context: GatewayContext,
  modelMap: ModelMap,
  c: Context,
): Promise<Response> {
  const parsed = anthropicCountTokensRequestSchema.safeParse(await readJsonBody(c, context.maxJsonDepth));
  if (!parsed.success) throw dialectValidationError(parsed.error);
  const request = anthropicToCompletionRequest(parsed.data, modelMap);
  return c.json(
    {
      input_tokens: estimateInputTokens(request),
      estimated: true,
    } satisfies z.infer<typeof anthropicTokenCountSchema>,
    200,
    { [TOKEN_COUNT_METHOD_HEADER]: 'estimate' },
  );
}
