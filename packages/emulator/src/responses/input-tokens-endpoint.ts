import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from '../context.js';
import { type ParsedBody, sendJson } from '../http-utilities.js';
import { resolveContinuation } from './continuation.js';
import { apiError } from './error-bodies.js';
import { OPENAI_PROJECT } from './prepare-response.js';
import { analyzeRequest } from './request-analysis.js';
import { acceptOpenAiJsonRequest } from './request-validation.js';
import { inputTokensOf } from './response-events.js';

/** The token counting endpoint of the OpenAI API (the ChatGPT backend has none). */
export const INPUT_TOKENS_PATH = '/v1/responses/input_tokens';

/**
 * `POST /v1/responses/input_tokens` (the OpenAI API, an API key): `{object:"response.input_tokens",
 * input_tokens}` — exactly the `usage.input_tokens` a response to the same body would report here
 * (40 + a token per 4 characters of input and instructions), a stored `previous_response_id`'s input and
 * output included. An input that is not a string or an array is a 400 naming `input`; an unknown
 * `previous_response_id` the 400 `previous_response_not_found`.
 *
 * @param context - emulator state
 * @param request - the incoming request
 * @param response - the server response
 * @param body - the parsed body
 */
export function handleInputTokensHttp(
  context: EmulatorContext,
  request: IncomingMessage,
  response: ServerResponse,
  body: ParsedBody,
): void {
  const accepted = acceptOpenAiJsonRequest(context, request, response, body);
  if (accepted === undefined) return;
  const { fields, headers } = accepted;
  if (
    fields.input !== undefined &&
    fields.input !== null &&
    typeof fields.input !== 'string' &&
    !Array.isArray(fields.input)
  ) {
    sendJson(
      response,
      400,
      apiError(
        "Invalid type for 'input': expected a string or an array.",
        'invalid_request_error',
        'invalid_type',
        'input',
      ),
      headers,
    );
    return;
  }
  const continuation = resolveContinuation(fields, {
    findStored: (id) => context.storedResponses.find(OPENAI_PROJECT, id),
    takeInjectedNotFound: () => false,
  });
  if (continuation.kind === 'failure') {
    sendJson(response, continuation.failure.status, continuation.failure.body, headers);
    return;
  }
  const effective =
    continuation.previous === undefined ? fields : { ...fields, input: continuation.effectiveInput };
  const inputTokens = inputTokensOf(analyzeRequest(effective));
  sendJson(response, 200, { object: 'response.input_tokens', input_tokens: inputTokens }, headers);
}
