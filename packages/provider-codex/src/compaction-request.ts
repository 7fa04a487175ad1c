import type { ResponseItem } from '@codetether/responses-protocol';
import { postBackendJson } from './backend-json-request.js';
import { CodexProviderError } from './errors.js';

/** One `POST {base}/responses/compact` request. */
export interface CompactionRequest {
  /** The `/responses/compact` URL of the backend. */
  url: string;
  /** The request headers (credentials included). */
  headers: Record<string, string>;
  /** The model (resolved, no alias suffix). */
  model: string;
  /** The instructions (left out of the body when `undefined`: the OpenAI API does not need them). */
  instructions?: string | undefined;
  /** The history to compact. */
  input: readonly ResponseItem[];
  /** Cancels the request. */
  signal?: AbortSignal | undefined;
  /** `fetch` to use. */
  fetch: typeof fetch;
  /** Current time, epoch ms (for `Retry-After` and usage-limit reset times). */
  now: number;
}

/** What the compaction endpoint answered. */
export interface CompactionAnswer {
  /** The compacted history, as the server sent it: the next input. */
  output: ResponseItem[];
  /** The id the server gave the compaction, when it gave one. */
  id?: string;
  /** When the server made it (Unix seconds), when it said. */
  createdAt?: number;
  /** The server's token accounting (the Responses API's `usage` object), when it sent one. */
  usage?: Record<string, unknown>;
}

/**
 * Asks the backend to compact a history: `POST {base}/responses/compact` with
 * `{model, input, instructions}` answers `{output: [items]}` (the OpenAI API and the ChatGPT backend
 * add `id`, `created_at` and `usage`) — a shorter history (the latest user messages and an encrypted
 * `compaction` item) to use as the next input.
 *
 * @returns the compacted items, as the server sent them, with the answer's id, time and usage
 * @throws ResponsesTransportError (HTTP) for a refusal, a redirect (`http-status` with the 3xx status:
 *   never followed, so the credentials stay with the backend) or a network failure, so the caller's usual
 *   mapping (token refresh on 401, usage limits…) applies; CodexProviderError `aborted`, or
 *   `upstream-error` for an answer that is not a compacted history (an empty one for a non-empty input included)
 */
export async function requestCompaction(request: CompactionRequest): Promise<CompactionAnswer> {
  const { status, json } = await postBackendJson({
    url: request.url,
    endpointName: 'the compaction endpoint',
    headers: request.headers,
    body: {
      model: request.model,
      input: request.input,
      ...(request.instructions === undefined ? {} : { instructions: request.instructions }),
    },
    signal: request.signal,
    fetch: request.fetch,
    now: request.now,
  });
  const answer = answerOf(json);
  // An empty list would silently replace a whole history with nothing: the model would lose its context.
  if (answer === undefined || (answer.output.length === 0 && request.input.length > 0)) {
    throw new CodexProviderError(
      'upstream-error',
      'The compaction endpoint answered without a list of output items (or with an empty one for a non-empty history). The history was kept as it was; try again later.',
      { status },
    );
  }
  return answer;
}

/** The answer in the body: `undefined` unless it is an object with a list of item objects as `output`. */
function answerOf(parsed: unknown): CompactionAnswer | undefined {
  if (!isJsonObject(parsed) || !Array.isArray(parsed.output)) return undefined;
  const output = parsed.output.filter(isJsonObject);
  if (output.length !== parsed.output.length) return undefined;
  const answer: CompactionAnswer = { output };
  const { id, created_at: createdAt, usage } = parsed;
  if (typeof id === 'string' && id !== '') answer.id = id;
  if (typeof createdAt === 'number' && Number.isFinite(createdAt)) answer.createdAt = createdAt;
  if (isJsonObject(usage)) answer.usage = usage;
  return answer;
}

function isJsonObject(value: unknown): value is ResponseItem {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
