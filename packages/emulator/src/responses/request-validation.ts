import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from '../context.js';
import { bearerToken, headerValue, type ParsedBody, sendJson } from '../http-utilities.js';
import { createId } from '../ids.js';
import { DEFAULT_MODEL_CATALOGUE, modelCatalogueOf, servesModel } from '../models/model-catalogue.js';
import { type ApiErrorBody, apiError } from './error-bodies.js';

/** Which Responses service a request is for. */
export type ResponsesBackend = 'chatgpt' | 'openai';

/** A validation failure: the status and body the real service would send. */
export interface ValidationFailure {
  /** HTTP status. */
  status: number;
  /** OpenAI-style error body, or the ChatGPT backend's bare `{"detail": "…"}`. */
  body: ApiErrorBody | { detail: string };
}

/** The models the ChatGPT Codex backend accepts by default from a `plus` login (hidden ones included). */
export const DEFAULT_CHATGPT_MODELS: readonly string[] = DEFAULT_MODEL_CATALOGUE.filter((entry) =>
  servesModel(entry, 'plus'),
).map((entry) => entry.slug);

/** The path of each backend's Responses endpoint. */
export const RESPONSES_PATHS: Record<string, ResponsesBackend> = {
  '/backend-api/codex/responses': 'chatgpt',
  '/v1/responses': 'openai',
};

/**
 * Checks the credentials of a Responses request (HTTP request or WebSocket handshake): a bearer
 * access token (ChatGPT backend: a valid, unexpired emulator JWT plus a matching `chatgpt-account-id`
 * header) or an API key (OpenAI API).
 *
 * @param context - emulator state
 * @param backend - which service
 * @param headers - request headers
 */
export function validateCredentials(
  context: EmulatorContext,
  backend: ResponsesBackend,
  headers: IncomingHttpHeaders,
): ValidationFailure | undefined {
  const token = bearerToken(headers);
  if (token === undefined) {
    return {
      status: 401,
      body: apiError(
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        'invalid_request_error',
        'invalid_api_key',
      ),
    };
  }
  if (backend === 'openai') {
    if (context.auth.isApiKey(token, context.options().acceptedApiKeys)) return undefined;
    return {
      status: 401,
      body: apiError(
        'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
        'invalid_request_error',
        'invalid_api_key',
      ),
    };
  }
  const check = context.auth.checkAccessToken(token);
  if (check.kind === 'expired') {
    return {
      status: 401,
      body: apiError(
        'Provided authentication token is expired. Please try signing in again.',
        'invalid_request_error',
        'token_expired',
      ),
    };
  }
  if (check.kind === 'invalid') {
    return {
      status: 401,
      body: apiError(
        'Could not parse your authentication token. Please try signing in again.',
        'invalid_request_error',
        'invalid_api_key',
      ),
    };
  }
  const accountId = headerValue(headers, 'chatgpt-account-id');
  if (accountId === undefined || accountId.trim() === '') {
    return {
      status: 401,
      body: apiError(
        'Missing chatgpt-account-id header: the ChatGPT backend needs the workspace (account) id of the login.',
        'invalid_request_error',
        'missing_chatgpt_account_id',
        'chatgpt-account-id',
      ),
    };
  }
  if (accountId.trim() !== check.account.accountId) {
    return {
      status: 401,
      body: apiError(
        'The chatgpt-account-id header does not match a workspace of this login. Sign in again and pick the right workspace.',
        'invalid_request_error',
        'account_mismatch',
        'chatgpt-account-id',
      ),
    };
  }
  return undefined;
}

/**
 * Answers a request whose credentials {@link validateCredentials} refuses (401/403 with the service's
 * error body, plus `headers`). Returns true when it answered, so the caller stops.
 *
 * @param context - emulator state
 * @param backend - which service
 * @param request - the request
 * @param response - the response
 * @param headers - extra response headers (request id, rate limits)
 */
export function answeredCredentialFailure(
  context: EmulatorContext,
  backend: ResponsesBackend,
  request: IncomingMessage,
  response: ServerResponse,
  headers: Record<string, string> = {},
): boolean {
  const failure = validateCredentials(context, backend, request.headers);
  if (failure === undefined) return false;
  sendJson(response, failure.status, failure.body, headers);
  return true;
}

/**
 * The plan of the login behind a request: the access token's `chatgpt_plan_type`, else the emulator
 * account's.
 *
 * @param context - emulator state
 * @param headers - request headers
 */
export function planTypeOf(context: EmulatorContext, headers: IncomingHttpHeaders | undefined): string {
  const token = headers === undefined ? undefined : bearerToken(headers);
  const check = token === undefined ? undefined : context.auth.checkAccessToken(token);
  return check?.kind === 'valid' ? check.account.planType : context.defaultAccount().planType;
}

/**
 * Fields the ChatGPT backend refuses with a bare 400 `{"detail": "Unsupported parameter: <field>"}`
 * (its FastAPI shape, as reported against `chatgpt.com/backend-api/codex/responses` on every model):
 * sampling settings, the OpenAI API's per-end-user fields, `metadata` and the Chat Completions
 * names of the output limit.
 */
const CHATGPT_REFUSED_FIELDS = [
  'temperature',
  'top_p',
  'frequency_penalty',
  'presence_penalty',
  'metadata',
  'user',
  'safety_identifier',
  'prompt_cache_retention',
  'max_tokens',
  'max_completion_tokens',
] as const;

/**
 * Checks a request body as the real services do: `model` present; on the ChatGPT backend none of
 * {@link CHATGPT_REFUSED_FIELDS}, no `max_output_tokens`, only models served to the login's plan (retired ones never), `text.verbosity`
 * and `service_tier` only where the model lists them.
 *
 * @param context - emulator state
 * @param backend - which service
 * @param body - the JSON body (or WebSocket frame)
 * @param headers - the request headers (the login's plan)
 */
export function validateBody(
  context: EmulatorContext,
  backend: ResponsesBackend,
  body: Record<string, unknown>,
  headers?: IncomingHttpHeaders,
): ValidationFailure | undefined {
  const model = body.model;
  if (typeof model !== 'string' || model === '') {
    return {
      status: 400,
      body: apiError(
        'Missing required parameter: model.',
        'invalid_request_error',
        'missing_required_parameter',
        'model',
      ),
    };
  }
  if (body.input !== undefined && typeof body.input !== 'string' && !Array.isArray(body.input)) {
    return {
      status: 400,
      body: apiError(
        "Invalid type for 'input': expected a string or an array.",
        'invalid_request_error',
        'invalid_type',
        'input',
      ),
    };
  }
  if (backend === 'chatgpt') {
    const refusedField = CHATGPT_REFUSED_FIELDS.find(
      (field) => body[field] !== undefined && body[field] !== null,
    );
    if (refusedField !== undefined)
      return { status: 400, body: { detail: `Unsupported parameter: ${refusedField}` } };
    if (body.max_output_tokens !== undefined) {
      return {
        status: 400,
        body: apiError(
          'Unsupported parameter: max_output_tokens',
          'invalid_request_error',
          'unsupported_parameter',
          'max_output_tokens',
        ),
      };
    }
    const entry = modelCatalogueOf(context.options()).find((candidate) => candidate.slug === model);
    if (entry === undefined || !servesModel(entry, planTypeOf(context, headers))) {
      return {
        status: 400,
        body: apiError(
          `The '${model}' model is not supported when using Codex with a ChatGPT account.`,
          'invalid_request_error',
          'model_not_supported',
          'model',
        ),
      };
    }
    const verbosity = (body.text as { verbosity?: unknown } | undefined)?.verbosity;
    if (verbosity !== undefined && entry.support_verbosity === false) {
      return unsupportedParameter('text.verbosity', `'${model}' does not support text.verbosity`);
    }
    const tier = body.service_tier;
    if (
      typeof tier === 'string' &&
      tier !== 'auto' &&
      tier !== 'default' &&
      entry.service_tiers?.includes(tier) !== true
    ) {
      return unsupportedParameter('service_tier', `'${model}' does not offer service_tier '${tier}'`);
    }
  }
  return undefined;
}

function unsupportedParameter(param: string, detail: string): ValidationFailure {
  return {
    status: 400,
    body: apiError(
      `Unsupported parameter: ${param} (${detail}).`,
      'invalid_request_error',
      'unsupported_parameter',
      param,
    ),
  };
}

/** A request body that is a JSON object, or the error answering one that is not. */
export type JsonObjectBody =
  | { kind: 'object'; fields: Record<string, unknown> }
  | ({ kind: 'failure' } & ValidationFailure);

/**
 * Requires a JSON object body, as the Responses endpoints do: invalid JSON, another JSON value or no
 * body is a 400 (413 when too large) in the OpenAI error shape.
 *
 * @param body - the parsed body
 */
export function jsonObjectOf(body: ParsedBody): JsonObjectBody {
  if (
    body.kind === 'json' &&
    typeof body.value === 'object' &&
    body.value !== null &&
    !Array.isArray(body.value)
  ) {
    return { kind: 'object', fields: body.value as Record<string, unknown> };
  }
  const message =
    body.kind === 'too-large'
      ? 'The request body is too large.'
      : body.kind === 'invalid'
        ? `We could not parse the JSON body of your request. (${body.reason})`
        : 'The request body must be a JSON object.';
  return {
    kind: 'failure',
    status: body.kind === 'too-large' ? 413 : 400,
    body: apiError(message, 'invalid_request_error', null),
  };
}

/** A JSON request to one of the OpenAI API's endpoints, accepted: its fields, and the headers of its answer. */
export interface AcceptedOpenAiJsonRequest {
  /** The body's fields. */
  fields: Record<string, unknown>;
  /** The answer's headers (its request id). */
  headers: Record<string, string>;
}

/**
 * Takes a JSON `POST` to one of the OpenAI API's endpoints besides `/responses` (token counting,
 * embeddings): answers a refused API key, or a body that is no JSON object, itself (with a request id)
 * and returns `undefined`; else the body's fields and the answer's headers.
 *
 * @param context - emulator state
 * @param request - the request
 * @param response - the response
 * @param body - the parsed body
 */
export function acceptOpenAiJsonRequest(
  context: EmulatorContext,
  request: IncomingMessage,
  response: ServerResponse,
  body: ParsedBody,
): AcceptedOpenAiJsonRequest | undefined {
  const headers = { 'x-request-id': createId('req', 16) };
  if (answeredCredentialFailure(context, 'openai', request, response, headers)) return undefined;
  const parsed = jsonObjectOf(body);
  if (parsed.kind === 'failure') {
    sendJson(response, parsed.status, parsed.body, headers);
    return undefined;
  }
  return { fields: parsed.fields, headers };
}
