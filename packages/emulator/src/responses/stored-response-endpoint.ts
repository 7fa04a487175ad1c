import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from '../context.js';
import { sendJson } from '../http-utilities.js';
import { apiError } from './error-bodies.js';
import { OPENAI_PROJECT } from './prepare-response.js';
import { answeredCredentialFailure } from './request-validation.js';

/** `/v1/responses/{id}` and `/v1/responses/{id}/input_items` (the id still percent-encoded). */
const STORED_RESPONSE_PATH = /^\/v1\/responses\/([^/]+)(\/input_items)?$/;

/** The smallest, largest and default `limit` of an input item list (OpenAI's). */
const LIMIT = { min: 1, max: 100, default: 20 } as const;

/** The longest part of an id an error message repeats. */
const ECHOED_ID_LENGTH = 128;

/** Whether a path is one of the stored-response endpoints of the OpenAI API (see {@link handleStoredResponse}). */
export function isStoredResponsePath(path: string): boolean {
  return STORED_RESPONSE_PATH.test(path);
}

function notFound(response: ServerResponse, id: string): void {
  const echoed = id.length > ECHOED_ID_LENGTH ? `${id.slice(0, ECHOED_ID_LENGTH)}…` : id;
  sendJson(response, 404, apiError(`Response with id '${echoed}' not found.`, 'invalid_request_error', null));
}

function invalid(response: ServerResponse, param: string, message: string): void {
  sendJson(response, 400, apiError(message, 'invalid_request_error', 'invalid_value', param));
}

/** One page of input items, paginated as OpenAI does (`limit`, `order` default `desc`, `after`, `before`). */
function answerInputItems(
  response: ServerResponse,
  items: readonly Record<string, unknown>[],
  query: URLSearchParams,
): void {
  const limitText = query.get('limit');
  const limit = limitText === null ? LIMIT.default : /^\d{1,4}$/.test(limitText) ? Number(limitText) : 0;
  if (limit < LIMIT.min || limit > LIMIT.max) {
    invalid(response, 'limit', `Invalid 'limit': send an integer from ${LIMIT.min} to ${LIMIT.max}.`);
    return;
  }
  const order = query.get('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') {
    invalid(response, 'order', "Invalid 'order': send asc or desc.");
    return;
  }
  const ordered = order === 'asc' ? [...items] : [...items].reverse();
  let start = 0;
  let end = ordered.length;
  for (const param of ['after', 'before'] as const) {
    const cursor = query.get(param);
    if (cursor === null) continue;
    const position = ordered.findIndex((item) => item.id === cursor);
    if (position < 0) {
      invalid(response, param, `Invalid '${param}': no input item has that id.`);
      return;
    }
    if (param === 'after') start = position + 1;
    else end = position;
  }
  const data = ordered.slice(start, Math.max(start, Math.min(end, start + limit)));
  sendJson(response, 200, {
    object: 'list',
    data,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
    has_more: start + limit < end,
  });
}

/**
 * The OpenAI API's stored responses: `GET /v1/responses/{id}` (the final response object),
 * `DELETE /v1/responses/{id}` and `GET /v1/responses/{id}/input_items` for a `store: true` response
 * of the project (completed ones; the store keeps a bounded number). Needs an API key; an unknown,
 * deleted or forgotten id is OpenAI's 404.
 *
 * @param context - emulator state
 * @param request - the request
 * @param path - its path (without a trailing slash)
 * @param query - its query parameters
 * @param response - the response
 */
export function handleStoredResponse(
  context: EmulatorContext,
  request: IncomingMessage,
  path: string,
  query: URLSearchParams,
  response: ServerResponse,
): void {
  const match = STORED_RESPONSE_PATH.exec(path);
  if (match === null) {
    notFound(response, '');
    return;
  }
  const listing = match[2] !== undefined;
  const method = request.method ?? 'GET';
  const allowed = listing ? ['GET'] : ['GET', 'DELETE'];
  if (!allowed.includes(method)) {
    sendJson(
      response,
      405,
      apiError(
        `Method not allowed; use ${allowed.join(' or ')}.`,
        'invalid_request_error',
        'method_not_allowed',
      ),
      { allow: allowed.join(', ') },
    );
    return;
  }
  if (answeredCredentialFailure(context, 'openai', request, response)) return;
  let id: string;
  try {
    id = decodeURIComponent(match[1] ?? '');
  } catch {
    notFound(response, match[1] ?? '');
    return;
  }
  const stored = context.storedResponses.find(OPENAI_PROJECT, id)?.stored;
  if (stored === undefined) {
    notFound(response, id);
    return;
  }
  if (method === 'DELETE') {
    context.storedResponses.forget(OPENAI_PROJECT, id);
    sendJson(response, 200, { id, object: 'response', deleted: true });
    return;
  }
  if (listing) {
    answerInputItems(response, stored.inputItems, query);
    return;
  }
  sendJson(response, 200, stored.response);
}
