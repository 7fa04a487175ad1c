import { FORWARDABLE_RESPONSE_ID, type StoredResponseOperation } from '@codetether/provider-codex';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { authorizationOf } from './api-key-header.js';
import { clientTagOf } from './conversation-index.js';
import { runProviderRequest } from './forwarded-request.js';
import type { GatewayContext } from './gateway-context.js';
import { INPUT_ITEMS_LIMIT, inputItemsPage } from './input-items-page.js';
import { GatewayError } from './openai-error.js';
import { inputItemsOf, rebuildResponse, type StoredResponse } from './stored-response.js';

/** The longest part of an unknown response id an error message repeats. */
const ECHOED_ID_LENGTH = 128;

/** The zod schema of the query of `GET /v1/responses/{id}/input_items` (for `/openapi.json`). */
export const inputItemsQuerySchema = z.object({
  limit: z
    .int()
    .min(INPUT_ITEMS_LIMIT.min)
    .max(INPUT_ITEMS_LIMIT.max)
    .default(INPUT_ITEMS_LIMIT.default)
    .describe('The most items of the page.'),
  order: z.enum(['asc', 'desc']).default('desc').describe('`desc`: newest first.'),
  after: z.string().describe('An item id: the page starts after it.'),
  before: z.string().describe('An item id: the page ends before it.'),
});

/** The zod schema of the query of `GET /v1/responses/{id}` (for `/openapi.json`). */
export const retrieveResponseQuerySchema = z.object({
  stream: z.literal(false).describe('Only `false`: a stored response cannot be streamed again.'),
});

/** The zod schema of the answer to `DELETE /v1/responses/{id}`. */
export const deletedResponseSchema = z.object({
  id: z.string(),
  object: z.literal('response'),
  deleted: z.literal(true),
});

/** The zod schema of the answer to `GET /v1/responses/{id}/input_items` (OpenAI's `ResponseItemList`). */
export const responseItemListSchema = z.object({
  object: z.literal('list'),
  data: z.array(z.looseObject({ id: z.string(), type: z.string() })),
  first_id: z.string().nullable(),
  last_id: z.string().nullable(),
  has_more: z.boolean(),
});

/**
 * OpenAI's 404 for a response it does not know; the gateway answers it alike for an unknown, expired,
 * deleted or another key's response.
 */
function responseNotFound(responseId: string): GatewayError {
  const echoed =
    responseId.length > ECHOED_ID_LENGTH ? `${responseId.slice(0, ECHOED_ID_LENGTH)}…` : responseId;
  return new GatewayError(404, 'invalid_request_error', `Response with id '${echoed}' not found.`);
}

function responseIdOf(c: Context): string {
  return c.req.param('responseId') ?? '';
}

/** The client's response named by the path, when the gateway holds it. */
function heldResponse(context: GatewayContext, c: Context): StoredResponse | undefined {
  return context.conversations?.findResponse(
    clientTagOf(authorizationOf(c.req.raw.headers)),
    responseIdOf(c),
  );
}

/** The client's response named by the path, or the 404. */
function findStoredResponse(context: GatewayContext, c: Context): StoredResponse {
  const stored = heldResponse(context, c);
  if (stored === undefined) throw responseNotFound(responseIdOf(c));
  return stored;
}

/**
 * Asks the upstream for a response the gateway does not hold (an API key's `store: true` response on
 * the OpenAI API) through the provider, and answers what it said; the 404 when the provider forwards
 * nothing (a ChatGPT login), the id is no plain response id (never sent), or the upstream does not know it.
 */
async function forwardedOrNotFound(
  context: GatewayContext,
  c: Context,
  operation: StoredResponseOperation,
): Promise<Response> {
  const responseId = responseIdOf(c);
  const forward = context.provider.requestStoredResponse?.bind(context.provider);
  if (forward === undefined || !FORWARDABLE_RESPONSE_ID.test(responseId)) throw responseNotFound(responseId);
  // Another key's response (the upstream stores it under the gateway's one API key) is never fetched.
  const clientTag = clientTagOf(authorizationOf(c.req.raw.headers));
  if (context.conversations?.belongsToAnotherClient(clientTag, responseId) === true)
    throw responseNotFound(responseId);
  // In flight for a graceful shutdown: it waits for the answer, then stops the request (503).
  const answer = await runProviderRequest(context, c.req.raw, (signal) =>
    forward({ operation, responseId, query: [...new URL(c.req.url).searchParams.entries()], signal }),
  );
  if (answer === undefined) throw responseNotFound(responseId);
  return c.json(answer.body as object, answer.status as ContentfulStatusCode);
}

function refuseStreamedRetrieve(c: Context): void {
  const stream = c.req.query('stream');
  if (stream !== undefined && stream !== 'false')
    throw new GatewayError(
      400,
      'invalid_request_error',
      'Streaming a stored response is not supported by this gateway: it keeps the final response, not its events. Retrieve it without `stream`.',
      { param: 'stream', code: 'unsupported_parameter' },
    );
}

/**
 * Handles `GET /v1/responses/{id}`: the response object the gateway answered under that id, while the
 * conversation index keeps it (see the README's lifetime note); else, with an API key, the upstream's
 * stored response. `stream=true` is refused: the gateway keeps the final object, not the events.
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 */
export async function handleRetrieveResponse(context: GatewayContext, c: Context): Promise<Response> {
  refuseStreamedRetrieve(c);
  const stored = heldResponse(context, c);
  if (stored === undefined) return forwardedOrNotFound(context, c, 'retrieve');
  return c.json(rebuildResponse(stored));
}

/**
 * Handles `GET /v1/responses/{id}/input_items`: the items the client sent as that response's input,
 * paginated as OpenAI does (`limit` 1–100, `order` default `desc`, `after`, `before`).
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 */
export async function handleListInputItems(context: GatewayContext, c: Context): Promise<Response> {
  const stored = heldResponse(context, c);
  if (stored === undefined) return forwardedOrNotFound(context, c, 'list-input-items');
  const page = inputItemsPage(inputItemsOf(stored), {
    limit: c.req.query('limit'),
    order: c.req.query('order'),
    after: c.req.query('after'),
    before: c.req.query('before'),
  });
  return c.json(page);
}

/**
 * Handles `DELETE /v1/responses/{id}`: the index forgets the response (a later `previous_response_id`
 * naming it is refused as unknown) and closes its upstream conversation unless a running turn holds it
 * (an earlier or unfinished response is just forgotten). A response the gateway does not hold is
 * deleted upstream (an API key's `store: true` one); one it holds that was created with `store: true`
 * is deleted upstream too, so a later retrieve does not find the upstream copy.
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 */
export async function handleDeleteResponse(context: GatewayContext, c: Context): Promise<Response> {
  const responseId = responseIdOf(c);
  const held = heldResponse(context, c);
  if (held === undefined) return forwardedOrNotFound(context, c, 'delete');
  const clientTag = clientTagOf(authorizationOf(c.req.raw.headers));
  if (context.conversations?.streamingResponse(clientTag, responseId) !== undefined)
    throw new GatewayError(
      400,
      'invalid_request_error',
      `Response with id '${responseId}' is still in progress. Delete it once it has ended (or stop reading its stream).`,
      { param: 'response_id', code: 'response_in_progress' },
    );
  context.conversations?.forgetResponse(clientTag, responseId);
  if (rebuildResponse(held).store === true && context.provider.requestStoredResponse !== undefined) {
    // The upstream copy goes too; its 404 (never stored, or already gone) is fine.
    await forwardedOrNotFound(context, c, 'delete').catch((error: unknown) => {
      if (!(error instanceof GatewayError && error.status === 404)) throw error;
    });
  }
  return c.json({ id: responseId, object: 'response', deleted: true } satisfies z.infer<
    typeof deletedResponseSchema
  >);
}

/**
 * Handles `POST /v1/responses/{id}/cancel`: OpenAI cancels only background responses, which the
 * gateway never runs, so a known response gets OpenAI's 400 and an unknown one the 404.
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 */
export function handleCancelResponse(context: GatewayContext, c: Context): Response {
  findStoredResponse(context, c);
  throw new GatewayError(
    400,
    'invalid_request_error',
    'Cannot cancel a synchronous response. Only responses created with `background: true` can be cancelled, and this gateway runs none.',
  );
}
