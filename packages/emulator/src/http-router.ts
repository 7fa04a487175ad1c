import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from './context.js';
import { EMBEDDINGS_PATH, handleEmbeddingsHttp } from './embeddings-endpoint.js';
import {
  bodyFields,
  bodyValue,
  MAX_BODY_BYTES,
  parseRequestTarget,
  type ReceivedBody,
  readBody,
  sendHtml,
  sendJson,
} from './http-utilities.js';
import { handleApiModels, handleChatGptModels } from './models/models-endpoint.js';
import { handleUsage } from './models/usage-endpoint.js';
import { handleAuthorize } from './oauth/authorize-endpoint.js';
import { createDeviceCodeEndpoints } from './oauth/device-code-endpoints.js';
import { sendOAuthError } from './oauth/oauth-error.js';
import { handleRevoke } from './oauth/revoke-endpoint.js';
import { handleToken } from './oauth/token-endpoint.js';
import type { RecordRequest } from './request-recording.js';
import { COMPACT_PATHS, handleCompactHttp } from './responses/compact-endpoint.js';
import { apiError } from './responses/error-bodies.js';
import { handleResponsesHttp } from './responses/http-endpoint.js';
import { handleInputTokensHttp, INPUT_TOKENS_PATH } from './responses/input-tokens-endpoint.js';
import { RESPONSES_PATHS } from './responses/request-validation.js';
import { handleStoredResponse, isStoredResponsePath } from './responses/stored-response-endpoint.js';

/** OAuth endpoints that take form fields. */
const OAUTH_FORM_PATHS: ReadonlySet<string> = new Set(['/oauth/token', '/oauth/revoke']);

/** Device-code endpoints that take JSON. */
const DEVICE_CODE_PATHS: ReadonlySet<string> = new Set([
  '/api/accounts/deviceauth/usercode',
  '/api/accounts/deviceauth/token',
]);

/**
 * Creates the HTTP router: reads and records each request (body bytes included), then dispatches it
 * to the OAuth, device-code, Responses, compaction and model-list endpoints; unknown paths get 404,
 * wrong methods 405 with `Allow`.
 *
 * @param context - emulator state
 * @param record - records a request
 */
export function createHttpRouter(
  context: EmulatorContext,
  record: RecordRequest,
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  const deviceCode = createDeviceCodeEndpoints(context);
  return route;

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const target = parseRequestTarget(request.url);
    if (target === undefined) {
      record(request, undefined, 'http', { bytesReceived: 0 });
      return sendJson(
        response,
        400,
        apiError('The request target is not a valid URL.', 'invalid_request_error', 'invalid_url'),
        { connection: 'close' },
      );
    }
    const path = target.pathname.replace(/\/+$/, '') || '/';
    const method = request.method ?? 'GET';
    const body: ReceivedBody =
      method === 'GET' || method === 'HEAD'
        ? { kind: 'empty', bytes: 0 }
        : await readBody(request, context.options().maxBodyBytes ?? MAX_BODY_BYTES);
    const recorded = record(request, bodyValue(body), 'http', { bytesReceived: body.bytes });
    if (body.kind === 'too-large') {
      return sendJson(
        response,
        413,
        apiError(
          `The request body is larger than ${context.options().maxBodyBytes ?? MAX_BODY_BYTES} bytes; send a smaller request.`,
          'invalid_request_error',
          'request_too_large',
        ),
        { connection: 'close' },
      );
    }
    if (body.kind === 'invalid' && OAUTH_FORM_PATHS.has(path)) {
      return sendOAuthError(
        response,
        400,
        'invalid_request',
        'The request body could not be parsed; send application/x-www-form-urlencoded fields.',
      );
    }
    if (body.kind === 'invalid' && DEVICE_CODE_PATHS.has(path)) {
      return sendJson(
        response,
        400,
        apiError(
          `We could not parse the JSON body of your request. (${body.reason})`,
          'invalid_request_error',
          'invalid_json',
        ),
      );
    }
    const backend = RESPONSES_PATHS[path];
    if (backend !== undefined) {
      if (method !== 'POST') return methodNotAllowed(response, 'POST');
      await handleResponsesHttp(context, backend, request, response, body, recorded);
      return;
    }
    if (path === EMBEDDINGS_PATH) {
      if (method !== 'POST') return methodNotAllowed(response, 'POST');
      return handleEmbeddingsHttp(context, request, response, body);
    }
    if (path === INPUT_TOKENS_PATH) {
      if (method !== 'POST') return methodNotAllowed(response, 'POST');
      return handleInputTokensHttp(context, request, response, body);
    }
    const compactBackend = COMPACT_PATHS[path];
    if (compactBackend !== undefined) {
      if (method !== 'POST') return methodNotAllowed(response, 'POST');
      return handleCompactHttp(context, compactBackend, request, response, body);
    }
    if (isStoredResponsePath(path)) {
      return handleStoredResponse(context, request, path, target.searchParams, response);
    }
    switch (path) {
      case '/oauth/authorize':
        if (method !== 'GET') return methodNotAllowed(response, 'GET');
        return handleAuthorize(context, target.searchParams, response);
      case '/oauth/token':
        if (method !== 'POST') return methodNotAllowed(response, 'POST');
        return handleToken(context, bodyFields(body), response);
      case '/oauth/revoke':
        if (method !== 'POST') return methodNotAllowed(response, 'POST');
        return handleRevoke(context, bodyFields(body), response);
      case '/api/accounts/deviceauth/usercode':
        if (method !== 'POST') return methodNotAllowed(response, 'POST');
        return deviceCode.handleUserCode(bodyFields(body), response);
      case '/api/accounts/deviceauth/token':
        if (method !== 'POST') return methodNotAllowed(response, 'POST');
        return deviceCode.handlePoll(bodyFields(body), response);
      case '/codex/device':
        return deviceCode.handleDevicePage(response);
      case '/deviceauth/callback':
        return sendHtml(
          response,
          200,
          '<!doctype html><p>Device login complete. You can close this window.</p>',
        );
      case '/v1/models':
        return handleApiModels(context, response);
      case '/backend-api/codex/models':
        if (method !== 'GET') return methodNotAllowed(response, 'GET');
        return handleChatGptModels(context, request, target.searchParams, response);
      case '/backend-api/codex/usage':
        if (method !== 'GET') return methodNotAllowed(response, 'GET');
        return handleUsage(context, request, response);
      case '/health':
      case '/':
        return sendJson(response, 200, { ok: true, name: 'codetether-emulator' });
      default:
        return sendJson(
          response,
          404,
          apiError(`Unknown endpoint ${method} ${path}.`, 'invalid_request_error', 'unknown_url'),
        );
    }
  }
}

function methodNotAllowed(response: ServerResponse, allowed: string): void {
  sendJson(
    response,
    405,
    apiError(`Method not allowed; use ${allowed}.`, 'invalid_request_error', 'method_not_allowed'),
    { allow: allowed },
  );
}
