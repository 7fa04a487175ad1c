import { FORWARDABLE_RESPONSE_ID, type StoredResponseOperation } from '@codetether/provider-codex';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { authorizationOf } from './api-key-header.js';
import { cancelBackgroundResponse, retrieveBackgroundResponse } from './background-response-route.js';
import type { BackgroundResponse } from './background-responses.js';
import { clientTagOf } from './conversation-index.js';
import { echoedId } from './echoed-id.js';
import { runProviderRequest } from './forwarded-request.js';
import type { GatewayContext } from './gateway-context.js';
import { inputItemsPage, pageLimitSchema } from './input-items-page.js';
import { GatewayError } from './openai-error.js';
import { inputItemsOf, rebuildResponse, type StoredResponse } from './stored-response.js';

/** The zod schema of the query of `GET /v1/responses/{id}/input_items` (for `/openapi.json`). */
export const inputItemsQuerySchema = z.object({
  limit: pageLimitSchema('items'),
  order: z.enum(['asc', 'desc']).default('desc').describe('`desc`: newest first.'),
  after: z.string().describe('An item id: the page starts after it.'),
  before: z.string().describe('An item id: the page ends before it.'),
});

/** The zod schema of the query of `GET /v1/responses/{id}` (for `/openapi.json`). */
export const retrieveResponseQuerySchema = z.object({
  stream: z
    .boolean()
    .describe(
      '`true` (a background response only): its events after `starting_after`, then the rest as they come.',
    ),
  starting_after: z
    .int()
    .min(-1)
    .describe(
      'With `stream=true`: the sequence number of the last event received (default: none, from the first).',
    ),
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
  return new GatewayError(
    404,
    'invalid_request_error',
    `Response with id '${echoedId(responseId)}' not found.`,
  );
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

/** Whether a retrieve asks for the response's events (`stream` given, and not `false`). */
function asksForStream(c: Context): boolean {
  const stream = c.req.query('stream');
  return stream !== undefined && stream !== 'false';
}

/** The 400 of a streamed retrieve of a response that did not run in the background. */
function streamedRetrieveRefused(): GatewayError {
  return new GatewayError(
    400,
    'invalid_request_error',
    'Only background responses can be streamed again (created with `background: true`): the gateway keeps the final object of any other response, not its events. Retrieve it without `stream`.',
    { param: 'stream', code: 'unsupported_parameter' },
  );
}

/** The client's background response named by the path, while the gateway keeps it. */
function backgroundResponseOf(context: GatewayContext, c: Context): BackgroundResponse | undefined {
  return context.backgroundResponses.find(clientTagOf(authorizationOf(c.req.raw.headers)), responseIdOf(c));
}

/**
 * Handles `GET /v1/responses/{id}`: a background response as it is now (or its events, with
 * `stream=true`, see `retrieveBackgroundResponse`); else the response object the gateway answered under
 * that id, while the conversation index keeps it (see the README's lifetime note); else, with an API
 * key, the upstream's stored response. `stream=true` is refused for any but a background response: the
 * gateway keeps the final object, not the events.
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 */
export async function handleRetrieveResponse(context: GatewayContext, c: Context): Promise<Response> {
  const streamed = asksForStream(c);
  const background = backgroundResponseOf(context, c);
  if (background !== undefined) return retrieveBackgroundResponse(context, c, background, streamed);
  const stored = heldResponse(context, c);
  if (streamed) {
    // A response the gateway does not hold is unknown, streamed or not (a stream is never forwarded).
    if (stored === undefined) throw responseNotFound(responseIdOf(c));
    throw streamedRetrieveRefused();
  }
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
  const clientTag = clientTagOf(authorizationOf(c.req.raw.headers));
  const background = backgroundResponseOf(context, c);
  if (
    background?.ended === false ||
    context.conversations?.streamingResponse(clientTag, responseId) !== undefined
  )
    throw new GatewayError(
      400,
      'invalid_request_error',
      `Response with id '${responseId}' is still in progress. Delete it once it has ended (or stop reading its stream; cancel it if it runs in the background).`,
      { param: 'response_id', code: 'response_in_progress' },
    );
  const held = heldResponse(context, c);
  if (held === undefined) {
    // A background response the index does not hold (it was not continuable) lives here only.
    if (background !== undefined && context.backgroundResponses.forget(clientTag, responseId))
      return c.json(deletedAnswer(responseId));
    return forwardedOrNotFound(context, c, 'delete');
  }
  context.backgroundResponses.forget(clientTag, responseId);
  context.conversations?.forgetResponse(clientTag, responseId);
  if (rebuildResponse(held).store === true && context.provider.requestStoredResponse !== undefined) {
    // The upstream copy goes too; its 404 (never stored, or already gone) is fine.
    await forwardedOrNotFound(context, c, 'delete').catch((error: unknown) => {
      if (!(error instanceof GatewayError && error.status === 404)) throw error;
    });
  }
  return c.json(deletedAnswer(responseId));
}

/** The answer to a deleted response. */
function deletedAnswer(responseId: string): z.infer<typeof deletedResponseSchema> {
  return { id: responseId, object: 'response', deleted: true };
}

/**
 * Handles `POST /v1/responses/{id}/cancel`: a background response is stopped (see
 * `cancelBackgroundResponse`); any other response the gateway answered gets OpenAI's 400 (only
 * background responses can be cancelled), an unknown one the 404.
 *
 * @param context - shared gateway state
 * @param c - the Hono context
 */
export function handleCancelResponse(context: GatewayContext, c: Context): Response {
  const background = backgroundResponseOf(context, c);
  if (background !== undefined) return cancelBackgroundResponse(context, c, background);
  findStoredResponse(context, c);
  throw new GatewayError(
    400,
    'invalid_request_error',
    'Cannot cancel a synchronous response. Only responses created with `background: true` can be cancelled.',
  );
}
