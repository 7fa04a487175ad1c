import { resolveModelAlias } from '@codetether/responses-protocol';
import { postBackendJson } from './backend-json-request.js';
import { CodexProviderError } from './errors.js';

/** One `POST {openai}/responses/input_tokens` request. */
export interface InputTokenCountRequest {
  /** The endpoint's URL. */
  url: string;
  /** The request headers (credentials included). */
  headers: Record<string, string>;
  /** The Responses body whose input is counted (its model alias, if any, is resolved before sending). */
  body: Readonly<Record<string, unknown>>;
  /** Cancels the request. */
  signal?: AbortSignal | undefined;
  /** `fetch` to use. */
  fetch: typeof fetch;
  /** Current time, epoch ms. */
  now: number;
}

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
    url: request.url,
    endpointName: 'the token counting endpoint',
    headers: request.headers,
    body,
    signal: request.signal,
    fetch: request.fetch,
    now: request.now,
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
