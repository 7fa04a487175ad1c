import type { Context } from 'hono';
import { z } from 'zod';
import { authorizationOf } from './api-key-header.js';
import { conversationNotFound } from './conversation-errors.js';
import { clientTagOf } from './conversation-index.js';
import { upstreamItemOf } from './conversation-item-input.js';
import { conversationIdOf, refuseConversationWithPreviousResponse } from './conversation-response-stream.js';
import { runProviderRequest } from './forwarded-request.js';
import type { GatewayContext } from './gateway-context.js';
import type { GatewayEnvironment } from './gateway-routes.js';
import { isRecord } from './is-record.js';
import { withItemReferencesResolved } from './item-references.js';
import { readJsonBody } from './request-body.js';
import { inputItemsOf, previousResponseNotFound } from './responses-conversation-turn.js';
import { estimateTokens, TOKEN_COUNT_METHOD_HEADER } from './token-estimate.js';
import { validationErrorToGatewayError } from './validation-error.js';

/**
 * The body of `POST /v1/responses/input_tokens` (OpenAI's `InputTokenCountParams`): what a
 * `POST /v1/responses` would send — `input`, `instructions`, `tools`, `text`, and the history of a
 * `previous_response_id` or `conversation` it names. Other fields are accepted and do not count.
 */
export const responsesInputTokensRequestSchema = z.looseObject({
  model: z.string().nullish().describe('The model (it does not change the estimate).'),
  input: z
    .union([z.string(), z.array(z.looseObject({}))])
    .nullish()
    .describe('The input: a string is one user message.'),
  instructions: z.string().nullish(),
  tools: z.array(z.looseObject({})).nullish(),
  previous_response_id: z
    .string()
    .nullish()
    .describe('A response this gateway answered to the same key: its history counts too.'),
  conversation: z
    .union([z.string(), z.looseObject({ id: z.string() })])
    .nullish()
    .describe('A conversation of the same key (`conv_…`): its items count too.'),
});

/** The zod schema of the answer to `POST /v1/responses/input_tokens` (OpenAI's `InputTokenCountResponse`). */
export const responsesInputTokensSchema = z.object({
  object: z.literal('response.input_tokens'),
  input_tokens: z.number().int().describe('The estimated input tokens (about four characters a token).'),
});

/** The text (characters) and images of a JSON value as a model reads it: its strings, keys and numbers aside. */
class TextMeasure {
  characters = 0;
  images = 0;

  /** Adds a value: strings count their length; `image_url` / `input_image` parts count as images. */
  add(value: unknown): void {
    if (typeof value === 'string') {
      this.characters += value.length;
      return;
    }
    if (Array.isArray(value)) {
      for (const element of value) this.add(element);
      return;
    }
    if (!isRecord(value)) return;
    if (value.type === 'input_image' || value.type === 'image_url') {
      this.images += 1;
      return;
    }
    for (const [key, field] of Object.entries(value)) {
      // Ids, types and statuses are not text the model reads; encrypted reasoning is opaque.
      if (key === 'id' || key === 'type' || key === 'status' || key === 'encrypted_content') continue;
      this.add(field);
    }
  }
}

/** The items of the `conversation` a body names (of the same key), as they would go upstream. */
function conversationItems(
  context: GatewayContext,
  clientTag: string,
  body: Record<string, unknown>,
): unknown[] {
  const id = conversationIdOf(body);
  if (id === undefined) return [];
  const items = context.conversationStore?.items(clientTag, id);
  if (items === undefined) throw conversationNotFound(id, 'conversation');
  return items.map((stored) => upstreamItemOf(stored.item)).filter((item) => item !== undefined);
}

/** The body without the fields that name a history (the gateway sends the history itself). */
function withoutHistoryNames(body: Record<string, unknown>): Record<string, unknown> {
  const { conversation: _conversation, previous_response_id: _previous, ...rest } = body;
  return rest;
}

/** The estimated input tokens of the request `input` would make, with its instructions, tools and format. */
function estimateInputTokens(body: Record<string, unknown>, input: readonly unknown[]): number {
  const measure = new TextMeasure();
  measure.add(input);
  measure.add(body.instructions);
  // Tool definitions and the output format reach the model as JSON.
  if (Array.isArray(body.tools) && body.tools.length > 0)
    measure.characters += JSON.stringify(body.tools).length;
  if (isRecord(body.text) && body.text.format !== undefined)
    measure.characters += JSON.stringify(body.text.format).length;
  return estimateTokens(measure.characters, measure.images);
}

/**
 * Handles `POST /v1/responses/input_tokens` (the openai SDKs' `responses.inputTokens.count()`): the
 * input tokens of the request `POST /v1/responses` would send with this body — a named response's or
 * conversation's history, the input (`item_reference`s resolved as there), instructions, tools and the
 * text format. With an API key the OpenAI API counts them (`x-codetether-token-count: upstream`; a
 * `previous_response_id` the gateway does not hold goes with it, the OpenAI API may have stored it);
 * over a ChatGPT login, whose backend counts nothing, they are **estimated** at about four characters a
 * token plus a flat amount per image, as `/v1/messages/count_tokens` is (`x-codetether-token-count:
 * estimate`).
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 */
export async function handleResponsesInputTokens(
  context: GatewayContext,
  c: Context<GatewayEnvironment>,
): Promise<Response> {
  const raw = await readJsonBody(c, context.maxJsonDepth);
  const parsed = responsesInputTokensRequestSchema.safeParse(raw);
  if (!parsed.success) throw validationErrorToGatewayError(parsed.error);
  const body = parsed.data;
  const previousId =
    typeof body.previous_response_id === 'string' && body.previous_response_id !== ''
      ? body.previous_response_id
      : undefined;
  refuseConversationWithPreviousResponse(body);
  const headers = c.req.raw.headers;
  const clientTag = clientTagOf(authorizationOf(headers));
  const resolved = withItemReferencesResolved(context, body, headers);
  const previousItems =
    previousId === undefined ? [] : context.conversations?.responseHistory(clientTag, previousId);
  const input = [
    ...(previousItems ?? []),
    ...conversationItems(context, clientTag, body),
    ...inputItemsOf(resolved.input),
  ];
  const count = context.provider.countInputTokens?.bind(context.provider);
  if (count !== undefined) {
    const upstreamBody: Record<string, unknown> = { ...withoutHistoryNames(resolved), input };
    // A response the gateway does not hold: the OpenAI API may have stored it (`store: true`).
    if (previousItems === undefined) upstreamBody.previous_response_id = previousId;
    const counted = await runProviderRequest(context, c.req.raw, (signal) => count(upstreamBody, { signal }));
    if (counted !== undefined)
      return c.json(
        { object: 'response.input_tokens', input_tokens: counted } satisfies z.infer<
          typeof responsesInputTokensSchema
        >,
        200,
        { [TOKEN_COUNT_METHOD_HEADER]: 'upstream' },
      );
  }
  if (previousId !== undefined && previousItems === undefined) throw previousResponseNotFound(previousId);
  return c.json(
    {
      object: 'response.input_tokens',
      input_tokens: estimateInputTokens(resolved, input),
    } satisfies z.infer<typeof responsesInputTokensSchema>,
    200,
    { [TOKEN_COUNT_METHOD_HEADER]: 'estimate' },
  );
}
