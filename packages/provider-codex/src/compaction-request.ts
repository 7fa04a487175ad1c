import {
  describeServerFailure,
  type ResponseItem,
  ResponsesTransportError,
  redirectTargetOf,
} from '@codetether/responses-protocol';
import { abortedError, CodexProviderError } from './errors.js';
import { raceCallerAbort } from './event-iteration.js';

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
  const { signal } = request;
  let response: Response;
  try {
    const init: RequestInit = {
      method: 'POST',
      // Never followed: the credential headers must not reach another URL (see redirectError).
      redirect: 'manual',
      headers: request.headers,
      body: JSON.stringify({
        model: request.model,
        input: request.input,
        ...(request.instructions === undefined ? {} : { instructions: request.instructions }),
      }),
    };
    if (signal !== undefined) init.signal = signal;
    response = await request.fetch(request.url, init);
  } catch (error) {
    if (signal?.aborted) throw abortedError(signal.reason);
    throw new ResponsesTransportError(
      'network',
      'Could not reach the compaction endpoint. Check your network connection and the base URL, then try again.',
      { transport: 'http', isRetryable: true, fallbackSafe: true, cause: error },
    );
  }
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel();
    throw redirectError(response, request.url);
  }
  const text = await raceCallerAbort(response.text(), signal);
  const headers = Object.fromEntries(
    [...response.headers].map(([name, value]) => [name.toLowerCase(), value]),
  );
  if (!response.ok) {
    const described = describeServerFailure(
      { status: response.status, headers, body: text, now: request.now },
      { lead: `The compaction endpoint answered HTTP ${response.status}` },
    );
    throw new ResponsesTransportError(described.code, described.message, {
      ...described.details,
      transport: 'http',
      fallbackSafe: false,
    });
  }
  const answer = answerOf(text);
  // An empty list would silently replace a whole history with nothing: the model would lose its context.
  if (answer === undefined || (answer.output.length === 0 && request.input.length > 0)) {
    throw new CodexProviderError(
      'upstream-error',
      'The compaction endpoint answered without a list of output items (or with an empty one for a non-empty history). The history was kept as it was; try again later.',
      { status: response.status },
    );
  }
  return answer;
}

/**
 * The error of a 3xx answer, which is never followed: `http-status` with the status, not retryable, naming
 * where it pointed (origin and path only: a query may hold a token).
 */
function redirectError(response: Response, url: string): ResponsesTransportError {
  const target = redirectTargetOf(response.headers.get('location'), url);
  const pointsTo = target === undefined ? '' : ` to ${target}`;
  return new ResponsesTransportError(
    'http-status',
    `The compaction endpoint answered HTTP ${response.status} (a redirect${pointsTo}), which is not followed so that your credentials never go to another URL. Set the base URL to the endpoint itself.`,
    { transport: 'http', status: response.status, isRetryable: false, fallbackSafe: false },
  );
}

/** The answer in the body: `undefined` unless it is an object with a list of item objects as `output`. */
function answerOf(text: string): CompactionAnswer | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
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
