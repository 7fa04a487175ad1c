import { type Backend, type ResponseItem, resolveModelAlias } from '@codetether/responses-protocol';
import { type CompactionAnswer, requestCompaction } from './compaction-request.js';
import { CodexProviderError } from './errors.js';
import type { Credentials, Turn, TurnSender } from './turn-sender.js';

/** A history to compact with {@link CodexProvider.compactHistory}. */
export interface HistoryCompactionRequest {
  /** The model (an alias such as `gpt-5.4-fast:high` names its model). */
  model: string;
  /** The history to compact: what would otherwise be the next request's input. Must not be empty. */
  input: readonly ResponseItem[];
  /**
   * The instructions of the conversation. Over a ChatGPT login, which requires some, absent or blank
   * ones are the provider's `defaultInstructions`; the OpenAI API gets none then.
   */
  instructions?: string | undefined;
}

/** What {@link CodexProvider.compactHistory} answers: the upstream's compaction, as it sent it. */
export type CompactedHistory = CompactionAnswer;

/** Where compaction requests go and with which headers (shared by the provider and its conversations). */
export interface CompactionEndpoints {
  /** The `/responses/compact` URL of each backend. */
  compactUrls: Readonly<Record<Backend, string>>;
  /** The JSON request headers of a backend with the given credentials. */
  jsonHeaders(backend: Backend, credentials: Credentials, sessionId: string): Record<string, string>;
}

/** What compacting a history needs from its provider. */
export interface HistoryCompactionContext extends CompactionEndpoints {
  /** Sends the request with the turn's credentials (refreshing a rejected token once). */
  sender: Pick<TurnSender, 'request'>;
  /** `fetch` to use. */
  fetch: typeof fetch;
  /** Current time, epoch ms. */
  now(): number;
}

/** A compaction request's body, as {@link compactionBodyOf} makes it. */
export interface CompactionBody {
  /** The model, without an alias suffix. */
  model: string;
  /** The history. */
  input: readonly ResponseItem[];
  /** The instructions, `undefined` for none. */
  instructions: string | undefined;
}

/**
 * The body of a compaction request: the model without its alias suffix (`invalid-request` without one),
 * the input as given, and instructions as the backend needs them.
 */
export function compactionBodyOf(
  request: HistoryCompactionRequest,
  backend: Backend,
  defaultInstructions: string,
): CompactionBody {
  if (typeof request.model !== 'string' || request.model.trim() === '')
    throw new CodexProviderError(
      'invalid-request',
      'The compaction request has no `model`. Set `model`, e.g. "gpt-5.4".',
      {
        isRetryable: false,
      },
    );
  const given = typeof request.instructions === 'string' && request.instructions.trim() !== '';
  let instructions: string | undefined;
  if (given) instructions = request.instructions;
  else if (backend === 'chatgpt') instructions = defaultInstructions;
  return { model: resolveModelAlias(request.model).model, input: request.input, instructions };
}

/**
 * Compacts a history for a prepared turn (its session, signal and session id): `POST
 * {base}/responses/compact` with the turn's credentials.
 *
 * @param context - what the provider lends
 * @param turn - the turn (see the provider's `prepareTurn`)
 * @param body - the request's body (see {@link compactionBodyOf})
 */
export function compactHistoryOfTurn(
  context: HistoryCompactionContext,
  turn: Turn,
  body: CompactionBody,
): Promise<CompactedHistory> {
  const backend = turn.session.backend;
  return context.sender.request(turn, (credentials) =>
    requestCompaction({
      url: context.compactUrls[backend],
      headers: context.jsonHeaders(backend, credentials, turn.sessionId),
      model: body.model,
      instructions: body.instructions,
      input: body.input,
      signal: turn.signal,
      fetch: context.fetch,
      now: context.now(),
    }),
  );
}
