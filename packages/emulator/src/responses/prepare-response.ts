import type { IncomingHttpHeaders } from 'node:http';
import type { EmulatorContext } from '../context.js';
import { headerValue } from '../http-utilities.js';
import { createId } from '../ids.js';
import type { ScenarioName } from '../types.js';
import { resolveContinuation } from './continuation.js';
import { findUnverifiableContent, unverifiableContentError } from './encrypted-content.js';
import { apiError } from './error-bodies.js';
import { normalizeInputItems } from './input-items.js';
import { itemReferenceFailure } from './item-references.js';
import { analyzeRequest, type RequestAnalysis } from './request-analysis.js';
import { type ResponsesBackend, validateBody } from './request-validation.js';
import { ResponseBuilder } from './response-events.js';
import { planScenario, type ScenarioOutcome, UNFINISHED_SCENARIOS } from './scenario-plan.js';
import { selectScenario } from './scenario-selection.js';
import type { RememberedResponse } from './stored-responses.js';

/** A request the emulator refuses: status, OpenAI-style body and extra headers. */
export interface PreparedFailure {
  kind: 'failure';
  /** HTTP status (or `status_code` of a WebSocket `error` event). */
  status: number;
  /** JSON error body. */
  body: unknown;
  /** Extra headers (`retry-after`, rate-limit headers). */
  headers: Record<string, string>;
  /** The scenario, when one was chosen. */
  scenario?: ScenarioName;
}

/** A request the emulator answers with a stream of events. */
export interface PreparedStream {
  kind: 'stream';
  /** The events to send and how to pace or cut them. */
  outcome: Extract<ScenarioOutcome, { kind: 'stream' }>;
  /** The scenario chosen (none for a `generate: false` warm-up). */
  scenario?: ScenarioName;
  /** Whether the response, once its stream completes, may be continued (failed/incomplete ones may not). */
  continuable: boolean;
  /** The input the response answers: a previous response's input and output, then the items sent. */
  effectiveInput: unknown[];
  /** The account to store the response for (`store: true` on the OpenAI API), if any. */
  storeAs: string | undefined;
  /** The input items the request sent (for `GET /v1/responses/{id}/input_items` of a stored response). */
  sentInput?: unknown[] | undefined;
}

/** What to answer to a Responses request body (credentials already checked). */
export type PreparedResponse = PreparedFailure | PreparedStream;

/**
 * The key that counts `server-error-then-success` requests: the session (`session-id`/`session_id`
 * header, else `prompt_cache_key`), or the whole emulator when there is none.
 *
 * @param headers - request (or WebSocket handshake) headers
 * @param body - the request body
 */
export function sessionKeyOf(headers: IncomingHttpHeaders, body: Record<string, unknown>): string {
  const session = headerValue(headers, 'session-id') ?? headerValue(headers, 'session_id');
  if (session !== undefined && session !== '') return `session:${session}`;
  if (typeof body.prompt_cache_key === 'string' && body.prompt_cache_key !== '') {
    return `session:${body.prompt_cache_key}`;
  }
  return 'emulator';
}

/** A Responses request, as either endpoint received it (credentials already checked). */
export interface ResponsesRequest {
  /** Which service. */
  backend: ResponsesBackend;
  /** Request or handshake headers (`x-codetether-scenario`, session id). */
  headers: IncomingHttpHeaders;
  /** The parsed body (HTTP) or `response.create` frame (WebSocket) without its `type`. */
  body: Record<string, unknown>;
  /** How it arrived. */
  transport: 'http' | 'websocket';
  /** The last completed response of the WebSocket connection it arrived on. */
  connectionLastResponse?: RememberedResponse | undefined;
}

/** All API keys belong to one project, whose stored responses they share (as keys of one OpenAI project do). */
export const OPENAI_PROJECT = 'openai-project';

/**
 * Validates a Responses body, resolves its `previous_response_id`, checks the `encrypted_content`
 * it sends back, chooses its scenario and plans the answer. Shared by the HTTP and WebSocket
 * endpoints. A `generate: false` WebSocket request is a warm-up: `response.created` then
 * `response.completed` with no output, whatever the scenario.
 *
 * @param context - emulator state
 * @param request - the request
 */
export function prepareResponse(context: EmulatorContext, request: ResponsesRequest): PreparedResponse {
  const { backend, headers, body, transport } = request;
  const invalid = validateBody(context, backend, body, headers);
  if (invalid !== undefined) return failure(invalid.status, invalid.body);
  const continuation = resolveContinuation(body, {
    connectionLastResponse: request.connectionLastResponse,
    findStored: (id) => (backend === 'openai' ? context.storedResponses.find(OPENAI_PROJECT, id) : undefined),
    takeInjectedNotFound: () => {
      if (context.faults.previousResponseNotFound <= 0) return false;
      context.faults.previousResponseNotFound -= 1;
      return true;
    },
  });
  if (continuation.kind === 'failure') return failure(continuation.failure.status, continuation.failure.body);
  const unresolved = itemReferenceFailure(context, backend, body, continuation.sentItems, OPENAI_PROJECT);
  if (unresolved !== undefined) return failure(unresolved.status, unresolved.body);
  const unverifiable = findUnverifiableContent(continuation.sentItems, context.contentSealer);
  if (unverifiable !== undefined) {
    return failure(400, unverifiableContentError(unverifiable.value));
  }
  // Without a previous response the body is used exactly as sent (so answers and usage stay as they were).
  const effectiveBody =
    continuation.previous === undefined ? body : { ...body, input: continuation.effectiveInput };
  const analysis = analyzeRequest(effectiveBody);
  if (analysis.toolChoice.kind === 'invalid') {
    return failure(
      400,
      apiError(analysis.toolChoice.message, 'invalid_request_error', 'invalid_value', 'tool_choice'),
    );
  }
  const memory = {
    effectiveInput: continuation.effectiveInput,
    storeAs: backend === 'openai' && body.store === true ? OPENAI_PROJECT : undefined,
    sentInput: normalizeInputItems(body.input),
  };
  if (transport === 'websocket' && body.generate === false) {
    return {
      kind: 'stream',
      outcome: warmUpOutcome(context, effectiveBody, analysis),
      continuable: true,
      ...memory,
    };
  }
  const selection = selectScenario(
    headerValue(headers, 'x-codetether-scenario'),
    analysis,
    context.options().scenario ?? 'echo',
  );
  if (selection.kind === 'unknown') {
    return failure(
      400,
      apiError(
        `Unknown emulator scenario "${selection.name}" in x-codetether-scenario.`,
        'invalid_request_error',
        'unknown_scenario',
        'x-codetether-scenario',
      ),
    );
  }
  const limited =
    backend === 'chatgpt' &&
    (context.options().usageLimitedAccounts ?? []).includes(headerValue(headers, 'chatgpt-account-id') ?? '');
  // An account at its usage limit gets the limit's 429 whatever it asked for.
  const scenario: ScenarioName = limited ? 'rate-limited' : selection.scenario;
  const outcome = planScenario(
    context,
    scenario,
    effectiveBody,
    analysis,
    transport,
    sessionKeyOf(headers, body),
  );
  if (outcome.kind === 'reject') {
    return { ...failure(outcome.status, outcome.body), headers: outcome.headers, scenario };
  }
  return { kind: 'stream', outcome, scenario, continuable: !UNFINISHED_SCENARIOS.has(scenario), ...memory };
}

/**
 * Remembers a response that completed: returns what a later `previous_response_id` continues from
 * (the WebSocket connection keeps it as its last response) and, for `store: true` on the OpenAI API,
 * stores it for the account.
 *
 * @param context - emulator state
 * @param prepared - the response, after its stream completed
 */
export function rememberCompleted(context: EmulatorContext, prepared: PreparedStream): RememberedResponse {
  const remembered: RememberedResponse = {
    id: prepared.outcome.builder.id,
    input: prepared.effectiveInput,
    output: [...prepared.outcome.builder.output],
  };
  if (prepared.storeAs !== undefined) {
    context.storedResponses.remember(prepared.storeAs, {
      ...remembered,
      stored: {
        response: prepared.outcome.builder.response('completed'),
        inputItems: listedInputItems(prepared.sentInput ?? []),
      },
    });
  }
  return remembered;
}

/** The input items as `input_items` lists them: objects, each with an `id` (a new `msg_…` when it had none). */
function listedInputItems(items: readonly unknown[]): Record<string, unknown>[] {
  return items
    .filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null)
    .map((item) => {
      const listed: Record<string, unknown> = { type: 'message', ...item };
      if (typeof listed.id !== 'string') listed.id = createId(listed.type === 'message' ? 'msg' : 'item', 16);
      return listed;
    });
}

function failure(status: number, body: unknown): PreparedFailure {
  return { kind: 'failure', status, body, headers: {} };
}

/** A warm-up (`generate: false`): `response.created` and `response.completed`, no output. */
function warmUpOutcome(
  context: EmulatorContext,
  body: Record<string, unknown>,
  analysis: RequestAnalysis,
): PreparedStream['outcome'] {
  const builder = new ResponseBuilder(body, analysis, context.now(), context.contentSealer);
  builder.reasoningTokens = 0;
  return {
    kind: 'stream',
    builder,
    events: [
      { type: 'response.created', response: builder.response('in_progress') },
      { type: 'response.completed', response: builder.response('completed') },
    ],
    delayMs: 0,
  };
}
