import type { Context } from 'hono';
import { z } from 'zod';
import { authorizationOf } from './api-key-header.js';
import {
  conversationNotFound,
  invalidConversationId,
  storeErrorToGatewayError,
} from './conversation-errors.js';
import { clientTagOf } from './conversation-index.js';
import {
  CLIENT_ID_PATTERN,
  CONVERSATION_ID_PATTERN,
  echoed,
  listedItemOf,
  MAX_ITEMS_PER_REQUEST,
  readConversationItems,
} from './conversation-item-input.js';
import {
  type ConversationObject,
  type ConversationStore,
  ConversationStoreError,
  type StoredConversationItem,
} from './conversation-store.js';
import type { GatewayContext } from './gateway-context.js';
import { inputItemsPage } from './input-items-page.js';
import { resolveItemReferences } from './item-references.js';
import { GatewayError } from './openai-error.js';
import { readJsonBody } from './request-body.js';
import { metadataSchema, readMetadata } from './request-metadata.js';
import type { ParsedOutputs } from './stored-response.js';
import { inputItemsQuerySchema, responseItemListSchema } from './stored-responses-routes.js';

const itemSchema = z
  .looseObject({ type: z.string().optional(), id: z.string().optional() })
  .describe('A Responses input item (a message without `type` is one); item references are refused.');

/** The zod schema of the body of `POST /v1/conversations` (checked by hand, for `/openapi.json`). */
export const createConversationRequestSchema = z.object({
  items: z
    .array(itemSchema)
    .max(MAX_ITEMS_PER_REQUEST)
    .nullish()
    .describe('The first items (at most 20); items without an `id` get one.'),
  metadata: metadataSchema.nullish(),
});

/** The zod schema of the body of `POST /v1/conversations/{id}`. */
export const updateConversationRequestSchema = z.object({
  metadata: metadataSchema.nullable().describe('Replaces the metadata (`null`: none).'),
});

/** The zod schema of the body of `POST /v1/conversations/{id}/items`. */
export const createConversationItemsRequestSchema = z.object({
  items: z.array(itemSchema).min(1).max(MAX_ITEMS_PER_REQUEST).describe('The items to add (at most 20).'),
});

/** The zod schema of a conversation (OpenAI's `Conversation`). */
export const conversationSchema = z.object({
  id: z.string(),
  object: z.literal('conversation'),
  created_at: z.int(),
  metadata: z.record(z.string(), z.string()),
});

/** The zod schema of the answer to `DELETE /v1/conversations/{id}`. */
export const deletedConversationSchema = z.object({
  id: z.string(),
  object: z.literal('conversation.deleted'),
  deleted: z.literal(true),
});

/**
 * The zod schema of a conversation item list (OpenAI's `ConversationItemList`): the same shape as a
 * response's input item list.
 */
export const conversationItemListSchema = responseItemListSchema;

/** The zod schema of the query of `GET /v1/conversations/{id}/items` (for `/openapi.json`). */
export const conversationItemsQuerySchema = inputItemsQuerySchema.omit({ before: true }).extend({
  include: z
    .array(z.string())
    .describe('`reasoning.encrypted_content` lists reasoning items with it; other values are accepted.'),
});

/** The zod schema of the query of the item routes that take `include`. */
export const conversationIncludeQuerySchema = conversationItemsQuerySchema.pick({ include: true });

/** The conversation store, or the 404 a gateway with the Conversations API turned off answers. */
function storeOf(context: GatewayContext, c: Context): ConversationStore {
  const store = context.conversationStore;
  if (store === undefined)
    throw new GatewayError(
      404,
      'invalid_request_error',
      `Unknown endpoint ${c.req.method} ${c.req.path}: the Conversations API is turned off on this gateway (--no-conversations-api).`,
      { code: 'unknown_url' },
    );
  return store;
}

/** The client tag of the request's key: conversations are kept per key. */
function clientTagOfRequest(c: Context): string {
  return clientTagOf(authorizationOf(c.req.raw.headers));
}

function conversationIdOf(c: Context): string {
  const id = c.req.param('conversationId') ?? '';
  if (!CONVERSATION_ID_PATTERN.test(id)) throw invalidConversationId(id, 'conversation_id');
  return id;
}

function itemIdOf(c: Context): string {
  const id = c.req.param('itemId') ?? '';
  if (!CLIENT_ID_PATTERN.test(id))
    throw new GatewayError(
      400,
      'invalid_request_error',
      `Invalid 'item_id': ${echoed(id)}. An item id is 1 to 128 letters, digits, '_' or '-'.`,
      { param: 'item_id', code: 'invalid_value' },
    );
  return id;
}

function itemNotFound(itemId: string): GatewayError {
  return new GatewayError(404, 'invalid_request_error', `Item with id ${echoed(itemId)} not found.`, {
    param: 'item_id',
    code: 'item_not_found',
  });
}

/**
 * The request's `items` with each `item_reference` replaced by the item it names — an item of the
 * conversation (`ownItem`) or an output item of a response the gateway answered to the same key —
 * without its id (the conversation gives it its own); an unknown one is OpenAI's 404 naming `items`.
 */
function referencedItemsOf(
  context: GatewayContext,
  clientTag: string,
  items: unknown,
  ownItem?: (itemId: string) => Readonly<Record<string, unknown>> | undefined,
): unknown {
  const parsed: ParsedOutputs = new Map();
  return resolveItemReferences(items, {
    lookup: (itemId) => ownItem?.(itemId) ?? context.conversations?.findItem(clientTag, itemId, parsed),
    param: 'items',
    keepUnknown: false,
    withoutIds: true,
  });
}

/** What an item route (`/v1/conversations/{id}/items/{item_id}`) works on. */
function itemRequestOf(
  context: GatewayContext,
  c: Context,
): { store: ConversationStore; id: string; itemId: string; clientTag: string } {
  return {
    store: storeOf(context, c),
    id: conversationIdOf(c),
    itemId: itemIdOf(c),
    clientTag: clientTagOfRequest(c),
  };
}

/** The 404 for an item not found: the conversation's when it is missing too, else the item's. */
function itemMissing(store: ConversationStore, clientTag: string, id: string, itemId: string): GatewayError {
  return store.get(clientTag, id) === undefined
    ? conversationNotFound(id, 'conversation_id')
    : itemNotFound(itemId);
}

/** The `include` values of the query (`include=…` or `include[]=…`, repeated). */
function includeOf(c: Context): string[] {
  return [...(c.req.queries('include') ?? []), ...(c.req.queries('include[]') ?? [])];
}

/** Runs a store operation, answering its refusal as the client's error. */
function storeCall<T>(param: string, operation: () => T): T {
  try {
    return operation();
  } catch (error) {
    if (error instanceof ConversationStoreError) throw storeErrorToGatewayError(error, param);
    throw error;
  }
}

function itemList(items: readonly StoredConversationItem[], include: readonly string[]) {
  const data = items.map((stored) => listedItemOf(stored.item, include));
  const first = items[0]?.id;
  const last = items.at(-1)?.id;
  return { object: 'list' as const, data, first_id: first ?? null, last_id: last ?? null, has_more: false };
}

/**
 * Handles `POST /v1/conversations`: a new conversation of the request's key, with its first items (at
 * most 20) and metadata.
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 */
export async function handleCreateConversation(context: GatewayContext, c: Context): Promise<Response> {
  const store = storeOf(context, c);
  const body = await readJsonBody(c, context.maxJsonDepth, { emptyIsObject: true });
  const metadata = readMetadata(body.metadata);
  const clientTag = clientTagOfRequest(c);
  const items = readConversationItems(referencedItemsOf(context, clientTag, body.items), { required: false });
  const created = storeCall('items', () => store.create(clientTag, metadata, items));
  return c.json(created satisfies ConversationObject);
}

/**
 * Handles `GET /v1/conversations/{id}`.
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 */
export function handleRetrieveConversation(context: GatewayContext, c: Context): Response {
  const store = storeOf(context, c);
  const id = conversationIdOf(c);
  const found = store.get(clientTagOfRequest(c), id);
  if (found === undefined) throw conversationNotFound(id, 'conversation_id');
  return c.json(found);
}

/**
 * Handles `POST /v1/conversations/{id}`: replaces the conversation's metadata.
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 */
export async function handleUpdateConversation(context: GatewayContext, c: Context): Promise<Response> {
  const store = storeOf(context, c);
  const id = conversationIdOf(c);
  const body = await readJsonBody(c, context.maxJsonDepth);
  if (!('metadata' in body))
    throw new GatewayError(400, 'invalid_request_error', "Missing required parameter: 'metadata'.", {
      param: 'metadata',
      code: 'missing_required_parameter',
    });
  const metadata = readMetadata(body.metadata);
  const updated = store.updateMetadata(clientTagOfRequest(c), id, metadata);
  if (updated === undefined) throw conversationNotFound(id, 'conversation_id');
  return c.json(updated);
}

/**
 * Handles `DELETE /v1/conversations/{id}`: the conversation and its items are forgotten (a response
 * running on it completes without adding to it).
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 */
export function handleDeleteConversation(context: GatewayContext, c: Context): Response {
  const store = storeOf(context, c);
  const id = conversationIdOf(c);
  if (!store.delete(clientTagOfRequest(c), id)) throw conversationNotFound(id, 'conversation_id');
  return c.json({ id, object: 'conversation.deleted', deleted: true } satisfies z.infer<
    typeof deletedConversationSchema
  >);
}

/**
 * Handles `GET /v1/conversations/{id}/items`: a page of its items (`limit` 1–100, default 20; `order`
 * `desc` by default; `after` an item id; `include`).
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 */
export function handleListConversationItems(context: GatewayContext, c: Context): Response {
  const store = storeOf(context, c);
  const id = conversationIdOf(c);
  const items = store.items(clientTagOfRequest(c), id);
  if (items === undefined) throw conversationNotFound(id, 'conversation_id');
  const include = includeOf(c);
  const page = inputItemsPage(
    items.map((stored) => stored.item),
    { limit: c.req.query('limit'), order: c.req.query('order'), after: c.req.query('after') },
    'this conversation',
  );
  return c.json({ ...page, data: page.data.map((item) => listedItemOf(item, include)) });
}

/**
 * Handles `POST /v1/conversations/{id}/items`: appends up to 20 items; answers them as a list.
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 */
export async function handleCreateConversationItems(context: GatewayContext, c: Context): Promise<Response> {
  const store = storeOf(context, c);
  const id = conversationIdOf(c);
  const body = await readJsonBody(c, context.maxJsonDepth);
  const clientTag = clientTagOfRequest(c);
  const ownItem = (itemId: string) => store.item(clientTag, id, itemId)?.item;
  const items = readConversationItems(referencedItemsOf(context, clientTag, body.items, ownItem), {
    required: true,
  });
  const added = storeCall('items', () => store.addItems(clientTag, id, items));
  if (added === undefined) throw conversationNotFound(id, 'conversation_id');
  return c.json(itemList(added, includeOf(c)));
}

/**
 * Handles `GET /v1/conversations/{id}/items/{item_id}`.
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 */
export function handleRetrieveConversationItem(context: GatewayContext, c: Context): Response {
  const { store, id, itemId, clientTag } = itemRequestOf(context, c);
  const found = store.item(clientTag, id, itemId);
  if (found !== undefined) return c.json(listedItemOf(found.item, includeOf(c)));
  throw itemMissing(store, clientTag, id, itemId);
}

/**
 * Handles `DELETE /v1/conversations/{id}/items/{item_id}`: answers the conversation.
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 */
export function handleDeleteConversationItem(context: GatewayContext, c: Context): Response {
  const { store, id, itemId, clientTag } = itemRequestOf(context, c);
  const conversation = store.deleteItem(clientTag, id, itemId);
  if (conversation !== undefined) return c.json(conversation);
  throw itemMissing(store, clientTag, id, itemId);
}
