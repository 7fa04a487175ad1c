import type { ResponseItem } from '@codetether/responses-protocol';
import type { Context } from 'hono';
import { z } from 'zod';
import { authorizationOf } from './api-key-header.js';
import { clientTagOf } from './conversation-index.js';
import { runProviderRequest } from './forwarded-request.js';
import type { GatewayContext } from './gateway-context.js';
import type { GatewayEnvironment } from './gateway-routes.js';
import { GatewayError } from './openai-error.js';
import { readJsonBody } from './request-body.js';
import { recordResponseUsage } from './response-usage-metrics.js';
import { inputItemsOf, previousResponseNotFound } from './responses-conversation-turn.js';
import { clientUpstreamSessionId } from './tracked-request.js';
import { validationErrorToGatewayError } from './validation-error.js';

/**
 * The body of `POST /v1/responses/compact` (OpenAI's `ResponseCompactParams`): the model, and the history
 * to compact as `input` and/or the `previous_response_id` whose history it continues. Other fields
 * (`prompt_cache_key`, `service_tier`…) are accepted and not sent on: the backend's compaction takes the
 * model, the input and the instructions.
 */
export const responseCompactionRequestSchema = z.looseObject({
  model: z.string().trim().min(1).describe('The model, e.g. `gpt-5.4` (aliases such as `gpt-5.4:high` too).'),
  input: z
    .union([z.string(), z.array(z.looseObject({}))])
    .nullish()
    .describe("The history to compact (after the named response's, if any): a string is one user message."),
  instructions: z.string().nullish().describe('The instructions of the conversation.'),
  previous_response_id: z
    .string()
    .nullish()
    .describe('A response this gateway answered to the same key: its history comes before `input`.'),
});

/** The zod schema of the answer to `POST /v1/responses/compact` (OpenAI's `CompactedResponse`). */
export const compactedResponseSchema = z.object({
  id: z.string(),
  object: z.literal('response.compaction'),
  created_at: z.number().int().describe('Unix seconds.'),
  output: z
    .array(z.looseObject({ type: z.string() }))
    .describe('The next input: the latest user messages, then one encrypted `compaction` item.'),
  usage: z.looseObject({}).describe('The token accounting of the compaction pass.'),
});

/** The usage of an answer that gave none. */
const NO_USAGE = {
  input_tokens: 0,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens: 0,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: 0,
};

/**
 * The history a request names by `previous_response_id` (a response this gateway answered to the same
 * key, still held); none without one; OpenAI's 400 `previous_response_not_found` for another.
 */
function namedHistory(
  context: GatewayContext,
  c: Context<GatewayEnvironment>,
  previousResponseId: string | null | undefined,
): readonly ResponseItem[] {
  if (previousResponseId === undefined || previousResponseId === null || previousResponseId === '') return [];
  const clientTag = clientTagOf(authorizationOf(c.req.raw.headers));
  const history = context.conversations?.responseHistory(clientTag, previousResponseId);
  if (history === undefined) throw previousResponseNotFound(previousResponseId);
  return history;
}

/**
 * Handles `POST /v1/responses/compact` (the OpenAI SDKs' `responses.compact`, the Codex CLI's remote
 * compaction): the history — a named response's, then `input` — goes to the backend's compaction
 * endpoint with the account's credentials, and the answer is OpenAI's `response.compaction` object whose
 * `output` is the next request's input (its latest user messages and one encrypted `compaction` item).
 * Compacting changes nothing the gateway holds: the named response can still be continued.
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 */
export async function handleResponseCompaction(
  context: GatewayContext,
  c: Context<GatewayEnvironment>,
): Promise<Response> {
  const raw = await readJsonBody(c, context.maxJsonDepth);
  const parsed = responseCompactionRequestSchema.safeParse(raw);
  if (!parsed.success) throw validationErrorToGatewayError(parsed.error);
  const body = parsed.data;
  const input = [...namedHistory(context, c, body.previous_response_id), ...inputItemsOf(body.input)];
  if (input.length === 0)
    throw new GatewayError(
      400,
      'invalid_request_error',
      "Invalid 'input': nothing to compact. Send the history as `input` (a string or an array of items), or name a response with `previous_response_id`.",
      { param: 'input', code: 'empty_array' },
    );
  const compactHistory = context.provider.compactHistory?.bind(context.provider);
  if (compactHistory === undefined)
    throw new GatewayError(
      501,
      'invalid_request_error',
      "This gateway's provider cannot compact histories.",
      {
        code: 'unsupported_endpoint',
      },
    );
  const instructions = typeof body.instructions === 'string' ? body.instructions : undefined;
  const sessionId = clientUpstreamSessionId(c.req.raw.headers);
  // In flight for a graceful shutdown; the client leaving aborts the upstream request.
  const compacted = await runProviderRequest(context, c.req.raw, (signal) =>
    compactHistory({ model: body.model, input, instructions }, { signal, sessionId }),
  );
  const usage = compacted.usage ?? NO_USAGE;
  recordResponseUsage(context, { usage }, c.get('clientKeyName'));
  return c.json({
    id: compacted.id ?? `resp_${globalThis.crypto.randomUUID().replaceAll('-', '')}`,
    object: 'response.compaction',
    created_at: compacted.createdAt ?? Math.floor(context.now() / 1000),
    output: compacted.output,
    usage,
  });
}
