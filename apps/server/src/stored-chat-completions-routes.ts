import type { Context } from 'hono';
import { z } from 'zod';
import { authorizationOf } from './api-key-header.js';
import { clientTagOf } from './conversation-index.js';
import { echoedId } from './echoed-id.js';
import type { GatewayContext } from './gateway-context.js';
import { inputItemsPage, pageLimitSchema } from './input-items-page.js';
import { isRecord } from './is-record.js';
import { GatewayError } from './openai-error.js';
import { readJsonBody } from './request-body.js';
import { metadataSchema, readMetadata } from './request-metadata.js';
import type { Metadata, StoredChatCompletionStore } from './stored-chat-completions.js';

/** The zod schema of the query of `GET /v1/chat/completions` (for `/openapi.json`). */
export const storedChatCompletionsQuerySchema = z.object({
  model: z.string().describe('Only completions of this model.'),
  'metadata[key]': z.string().describe('Only completions with this metadata pair (any number of them).'),
  limit: pageLimitSchema('completions'),
  order: z.enum(['asc', 'desc']).default('asc').describe('`asc`: oldest first.'),
  after: z.string().describe('A completion id: the page starts after it.'),
});

/** The zod schema of the query of `GET /v1/chat/completions/{id}/messages` (for `/openapi.json`). */
export const storedChatMessagesQuerySchema = z.object({
  limit: pageLimitSchema('messages'),
  order: z.enum(['asc', 'desc']).default('asc').describe('`asc`: in the order they were sent.'),
  after: z.string().describe('A message id: the page starts after it.'),
});

/** The zod schema of the body of `POST /v1/chat/completions/{id}`. */
export const storedChatCompletionUpdateSchema = z.object({
  metadata: metadataSchema.nullable().describe('Replaces the metadata (`null`: none).'),
});

/** The zod schema of the answer to `DELETE /v1/chat/completions/{id}`. */
export const deletedChatCompletionSchema = z.object({
  id: z.string(),
  object: z.literal('chat.completion.deleted'),
  deleted: z.literal(true),
});

/** The zod schema of a page of stored chat completions or of their messages. */
export const storedChatCompletionListSchema = z.object({
  object: z.literal('list'),
  data: z.array(z.looseObject({ id: z.string() })),
  first_id: z.string().nullable(),
  last_id: z.string().nullable(),
  has_more: z.boolean(),
});

/** OpenAI's 404 for a chat completion it does not hold (unknown, deleted, expired, not stored, another key's). */
function completionNotFound(id: string): GatewayError {
  return new GatewayError(
    404,
    'invalid_request_error',
    `Chat completion with id '${echoedId(id)}' not found.`,
    {
      param: 'completion_id',
    },
  );
}

/** The store, or the 404 when it is turned off. */
function storeOf(context: GatewayContext): StoredChatCompletionStore {
  const store = context.storedChatCompletions;
  if (store === undefined)
    throw new GatewayError(
      404,
      'invalid_request_error',
      'Stored chat completions are turned off on this gateway: `store: true` keeps nothing.',
    );
  return store;
}

function clientTag(c: Context): string {
  return clientTagOf(authorizationOf(c.req.raw.headers));
}

function completionIdOf(c: Context): string {
  return c.req.param('completionId') ?? '';
}

/** The `metadata[key]=value` pairs of the query string (the filter of a list). */
function metadataFilterOf(c: Context): Metadata {
  const pairs: [string, string][] = [];
  for (const [name, value] of new URL(c.req.url).searchParams) {
    const key = /^metadata\[(.+)\]$/.exec(name)?.[1];
    if (key !== undefined) pairs.push([key, value]);
  }
  // (Own properties, a "__proto__" key too: see `readMetadata`.)
  return Object.fromEntries(pairs);
}

/**
 * Handles `GET /v1/chat/completions`: the key's stored chat completions (`store: true`), oldest first
 * unless `order=desc`, filtered by `model` and `metadata[key]=value` pairs, paginated with `limit`
 * (1–100, default 20) and `after`.
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 */
export function handleListStoredChatCompletions(context: GatewayContext, c: Context): Response {
  const completions = storeOf(context).list(clientTag(c), {
    model: c.req.query('model'),
    metadata: metadataFilterOf(c),
  });
  return c.json(
    inputItemsPage(
      completions,
      { limit: c.req.query('limit'), order: c.req.query('order') ?? 'asc', after: c.req.query('after') },
      'the stored chat completions',
    ),
  );
}

/**
 * Handles `GET /v1/chat/completions/{id}`: a stored chat completion (the `chat.completion` object with
 * its `metadata`); 404 for any other id.
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 */
export function handleRetrieveStoredChatCompletion(context: GatewayContext, c: Context): Response {
  const completion = storeOf(context).get(clientTag(c), completionIdOf(c));
  if (completion === undefined) throw completionNotFound(completionIdOf(c));
  return c.json(completion);
}

/**
 * Handles `POST /v1/chat/completions/{id}`: replaces a stored chat completion's `metadata` (the only
 * change OpenAI allows) and answers the completion.
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 */
export async function handleUpdateStoredChatCompletion(
  context: GatewayContext,
  c: Context,
): Promise<Response> {
  const store = storeOf(context);
  const body = await readJsonBody(c, context.maxJsonDepth);
  if (!isRecord(body) || !('metadata' in body))
    throw new GatewayError(400, 'invalid_request_error', "Missing required parameter: 'metadata'.", {
      param: 'metadata',
      code: 'missing_required_parameter',
    });
  const updated = store.updateMetadata(clientTag(c), completionIdOf(c), readMetadata(body.metadata));
  if (updated === undefined) throw completionNotFound(completionIdOf(c));
  return c.json(updated);
}

/**
 * Handles `DELETE /v1/chat/completions/{id}`: forgets a stored chat completion.
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 */
export function handleDeleteStoredChatCompletion(context: GatewayContext, c: Context): Response {
  const id = completionIdOf(c);
  if (!storeOf(context).delete(clientTag(c), id)) throw completionNotFound(id);
  return c.json({ id, object: 'chat.completion.deleted', deleted: true } satisfies z.infer<
    typeof deletedChatCompletionSchema
  >);
}

/**
 * Handles `GET /v1/chat/completions/{id}/messages`: the messages a stored chat completion answered, as
 * OpenAI lists them (each with an id, `content` and `content_parts`), in the order they were sent unless
 * `order=desc`, paginated with `limit` and `after`.
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 */
export function handleListStoredChatMessages(context: GatewayContext, c: Context): Response {
  const messages = storeOf(context).messages(clientTag(c), completionIdOf(c));
  if (messages === undefined) throw completionNotFound(completionIdOf(c));
  return c.json(
    inputItemsPage(
      messages,
      { limit: c.req.query('limit'), order: c.req.query('order') ?? 'asc', after: c.req.query('after') },
      'this chat completion',
    ),
  );
}
