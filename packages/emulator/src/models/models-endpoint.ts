import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from '../context.js';
import { headerValue, sendJson } from '../http-utilities.js';
import { answeredCredentialFailure, planTypeOf } from '../responses/request-validation.js';
import { modelCatalogueOf, modelListFor } from './model-catalogue.js';

/** Models the OpenAI API lists besides the ChatGPT ones. */
const API_ONLY_MODELS = ['gpt-5.4-pro', 'gpt-5.4-nano', 'gpt-4.1', 'gpt-4.1-mini', 'o3', 'o4-mini'];

/** A weak ETag of a JSON text. */
function etagOf(text: string): string {
  return `W/"${createHash('sha256').update(text).digest('base64url').slice(0, 22)}"`;
}

/** True when an `If-None-Match` header names `etag` (or is `*`). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const strip = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || strip(tag) === strip(etag));
}

/**
 * `GET /backend-api/codex/models?client_version=…`: the models served to the login's plan whose
 * `minimal_client_version` the client meets, hidden ones included (`visibility: "hide"`), with an
 * `ETag`; a matching `If-None-Match` gets 304 without a body. Needs the same credentials as
 * `/responses`.
 *
 * @param context - emulator state
 * @param request - the request
 * @param query - its query parameters
 * @param response - the response
 */
export function handleChatGptModels(
  context: EmulatorContext,
  request: IncomingMessage,
  query: URLSearchParams,
  response: ServerResponse,
): void {
  if (answeredCredentialFailure(context, 'chatgpt', request, response)) return;
  const models = modelListFor(
    modelCatalogueOf(context.options()),
    planTypeOf(context, request.headers),
    query.get('client_version') ?? undefined,
  );
  const text = JSON.stringify({ models });
  const etag = etagOf(text);
  if (matches(headerValue(request.headers, 'if-none-match'), etag)) {
    response.writeHead(304, { etag });
    response.end();
    return;
  }
  response.writeHead(200, {
    etag,
    'x-models-etag': etag,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

/**
 * `GET /v1/models`: the OpenAI API's list (`{object:"list", data:[…]}`): the ChatGPT models that are
 * not retired plus the API-only ones.
 *
 * @param context - emulator state
 * @param response - the response
 */
export function handleApiModels(context: EmulatorContext, response: ServerResponse): void {
  const chatgpt = modelCatalogueOf(context.options())
    .filter((entry) => entry.retired !== true)
    .map((entry) => entry.slug);
  const ids = [...new Set([...chatgpt, ...API_ONLY_MODELS])];
  sendJson(response, 200, {
    object: 'list',
    data: ids.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'openai' })),
  });
}
