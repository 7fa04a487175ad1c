import type { Context } from 'hono';
import { z } from 'zod';
import { authorizationOf } from './api-key-header.js';
import { conversationNotFound, invalidConversationId } from './conversation-errors.js';
import { clientTagOf } from './conversation-index.js';
import { CONVERSATION_ID_PATTERN, upstreamItemOf } from './conversation-item-input.js';
import type { GatewayContext } from './gateway-context.js';
import type { GatewayEnvironment } from './gateway-routes.js';
import { isRecord } from './is-record.js';
import { withItemReferencesResolved } from './item-references.js';
import { GatewayError } from './openai-error.js';
import { readJsonBody } from './request-body.js';
import { previousResponseNotFound } from './responses-conversation-turn.js';
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

/** The history a `previous_response_id` names (a response of the same key the gateway holds). */
function previousHistory(context: GatewayContext, clientTag: string, responseId: string | null | undefined) {
  if (responseId === undefined || responseId === null || responseId === '') return [];
  const history = context.conversations?.responseHistory(clientTag, responseId);
  if (history === undefined) throw previousResponseNotFound(responseId);
  return history;
}

/** The items of a `conversation` it names (of the same key), as they would go upstream. */
function conversationItems(
  context: GatewayContext,
  clientTag: string,
  conversation: string | { id: string } | null | undefined,
): unknown[] {
  if (conversation === undefined || conversation === null) return [];
  const id = typeof conversation === 'string' ? conversation : conversation.id;
  if (!CONVERSATION_ID_PATTERN.test(id)) throw invalidConversationId(id, 'conversation');
  const items = context.conversationStore?.items(clientTag, id);
  if (items === undefined) throw conversationNotFound(id, 'conversation');
  return items.map((stored) => upstreamItemOf(stored.item)).filter((item) => item !== undefined);
}

/**
 * Handles `POST /v1/responses/input_tokens` (the openai SDKs' `responses.inputTokens.count()`): the
 * input tokens of the request `POST /v1/responses` would send with this body — a named response's or
 * conversation's history, the input (`item_reference`s resolved as there), instructions, tools and the
 * text format — **estimated** at about four characters a token plus a flat amount per image, as
 * `/v1/messages/count_tokens` is (the Codex backend counts nothing without answering; no tokenizer is
 * bundled), and said so by the `x-codetether-token-count: estimate` header.
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
  if (
    body.conversation !== undefined &&
    body.conversation !== null &&
    typeof body.previous_response_id === 'string' &&
    body.previous_response_id !== ''
  )
    throw new GatewayError(
      400,
      'invalid_request_error',
      "Mutually exclusive parameters: send either 'conversation' or 'previous_response_id', not both.",
      { param: 'conversation', code: 'mutually_exclusive_parameters' },
    );
  const headers = c.req.raw.headers;
  const clientTag = clientTagOf(authorizationOf(headers));
  const resolved = withItemReferencesResolved(context, body, headers);
  const measure = new TextMeasure();
  measure.add(previousHistory(context, clientTag, body.previous_response_id));
  measure.add(conversationItems(context, clientTag, body.conversation));
  measure.add(resolved.input);
  measure.add(body.instructions);
  // Tool definitions and the output format reach the model as JSON.
  measure.characters += JSON.stringify(body.tools ?? []).length;
  if (isRecord(body.text) && body.text.format !== undefined)
    measure.characters += JSON.stringify(body.text.format).length;
  return c.json(
    {
      object: 'response.input_tokens',
      input_tokens: estimateTokens(measure.characters, measure.images),
    } satisfies z.infer<typeof responsesInputTokensSchema>,
    200,
    { [TOKEN_COUNT_METHOD_HEADER]: 'estimate' },
  );
}
