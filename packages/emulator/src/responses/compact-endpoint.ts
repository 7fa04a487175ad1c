import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from '../context.js';
import { type ParsedBody, sendJson } from '../http-utilities.js';
import { createId } from '../ids.js';
import { compactHistory } from './compaction.js';
import { findUnverifiableContent, unverifiableContentError } from './encrypted-content.js';
import { apiError } from './error-bodies.js';
import { normalizeInputItems } from './input-items.js';
import { analyzeRequest } from './request-analysis.js';
import {
  answeredCredentialFailure,
  jsonObjectOf,
  type ResponsesBackend,
  validateBody,
} from './request-validation.js';
import { ResponseBuilder } from './response-events.js';

/** The compaction endpoint of each backend. */
export const COMPACT_PATHS: Record<string, ResponsesBackend> = {
  '/backend-api/codex/responses/compact': 'chatgpt',
  '/v1/responses/compact': 'openai',
};

/**
 * `POST {base}/responses/compact` `{model, input, instructions}` (the remote compaction of the Codex
 * CLI): checks credentials and the body like `/responses`, then answers one JSON object
 * `{id, object:"response.compaction", created_at, output, usage}` whose `output` is a shorter history
 * to use as the next input — the most recent user messages, then exactly one `compaction` item whose
 * `encrypted_content` this emulator accepts back. An empty input is a 400 (`empty_array`);
 * `encrypted_content` the emulator did not issue is a 400 (`invalid_encrypted_content`).
 *
 * @param context - emulator state
 * @param backend - which service
 * @param request - the incoming request
 * @param response - the server response
 * @param body - the parsed body
 */
export function handleCompactHttp(
  context: EmulatorContext,
  backend: ResponsesBackend,
  request: IncomingMessage,
  response: ServerResponse,
  body: ParsedBody,
): void {
  const headers = {
    ...(backend === 'chatgpt' ? context.rateLimits.nextHeaders() : {}),
    'x-request-id': createId('req', 16),
  };
  if (answeredCredentialFailure(context, backend, request, response, headers)) return;
  const parsed = jsonObjectOf(body);
  if (parsed.kind === 'failure') {
    sendJson(response, parsed.status, parsed.body, headers);
    return;
  }
  const fields = parsed.fields;
  const invalid = validateBody(context, backend, fields, request.headers);
  if (invalid !== undefined) {
    sendJson(response, invalid.status, invalid.body, headers);
    return;
  }
  const items = normalizeInputItems(fields.input);
  if (items.length === 0) {
    sendJson(
      response,
      400,
      apiError(
        "Invalid 'input': empty array. Expected an array with minimum length 1, but got an empty array instead.",
        'invalid_request_error',
        'empty_array',
        'input',
      ),
      headers,
    );
    return;
  }
  const unverifiable = findUnverifiableContent(items, context.contentSealer);
  if (unverifiable !== undefined) {
    sendJson(response, 400, unverifiableContentError(unverifiable.value), headers);
    return;
  }
  const output = compactHistory(items, context.contentSealer);
  const builder = new ResponseBuilder(fields, analyzeRequest(fields), context.now());
  builder.reasoningTokens = 0;
  builder.outputCharacters = JSON.stringify(output).length;
  sendJson(
    response,
    200,
    {
      id: createId('resp'),
      object: 'response.compaction',
      created_at: Math.floor(context.now() / 1000),
      output,
      usage: builder.usage(),
    },
    headers,
  );
}
