import { resolveModelAlias } from '@codetether/responses-protocol';
import { type BackendJsonRequest, postBackendJson } from './backend-json-request.js';
import { CodexProviderError } from './errors.js';

/**
 * One `POST {openai}/responses/input_tokens` request: the Responses body whose input is counted (its model
 * alias, if any, is resolved before sending).
 */
export type InputTokenCountRequest = Omit<BackendJsonRequest, 'endpointName' | 'body'> & {
  body: Readonly<Record<string, unknown>>;
};

/**
 * Asks the OpenAI API how many input tokens a Responses body holds (`POST /responses/input_tokens`,
 * answered `{object:"response.input_tokens", input_tokens}`).
 *
 * @returns the count
 * @throws ResponsesTransportError (see `postBackendJson`) for a refusal, a redirect or a network
 *   failure; CodexProviderError `aborted`, or `upstream-error` for an answer without a count
 */
export async function requestInputTokenCount(request: InputTokenCountRequest): Promise<number> {
  const { model } = request.body;
  const body =
    typeof model === 'string' && model.trim() !== ''
      ? { ...request.body, model: resolveModelAlias(model).model }
      : request.body;
  const { status, json } = await postBackendJson({
    ...request,
    body,
    endpointName: 'the token counting endpoint',
  });
  const count = countOf(json);
  if (count === undefined)
    throw new CodexProviderError(
      'upstream-error',
      'The token counting endpoint answered without an `input_tokens` count; try again later.',
      { status },
    );
  return count;
}

/** The `input_tokens` of the answer, when it is a non-negative integer. */
function countOf(parsed: unknown): number | undefined {
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const count = (parsed as { input_tokens?: unknown }).input_tokens;
  return typeof count === 'number' && Number.isSafeInteger(count) && count >= 0 ? count : undefined;
}
