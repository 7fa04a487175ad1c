import type { IncomingHttpHeaders } from 'node:http';
import type { EmulatorContext } from '../context.js';
import { headerValue } from '../http-utilities.js';
import type { ScenarioName } from '../types.js';
import { apiError } from './error-bodies.js';
import { analyzeRequest } from './request-analysis.js';
import { type ResponsesBackend, validateBody } from './request-validation.js';
import { planScenario, type ScenarioOutcome } from './scenario-plan.js';
import { selectScenario } from './scenario-selection.js';

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
  /** The scenario chosen. */
  scenario: ScenarioName;
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

/**
 * Validates a Responses body, chooses its scenario and plans the answer. Shared by the HTTP and
 * WebSocket endpoints.
 *
 * @param context - emulator state
 * @param backend - which service
 * @param headers - request or handshake headers (`x-codetether-scenario`, session id)
 * @param body - the parsed body (HTTP) or `response.create` frame (WebSocket)
 * @param transport - how it arrived
 * @param knownResponseIds - response ids a `previous_response_id` may refer to
 */
export function prepareResponse(
  context: EmulatorContext,
  backend: ResponsesBackend,
  headers: IncomingHttpHeaders,
  body: Record<string, unknown>,
  transport: 'http' | 'websocket',
  knownResponseIds: ReadonlySet<string>,
): PreparedResponse {
  const invalid = validateBody(context, backend, body);
  if (invalid !== undefined)
    return { kind: 'failure', status: invalid.status, body: invalid.body, headers: {} };
  const previous = body.previous_response_id;
  if (typeof previous === 'string' && previous !== '' && !knownResponseIds.has(previous)) {
    return {
      kind: 'failure',
      status: 400,
      body: apiError(
        `Previous response with id '${previous}' not found.`,
        'invalid_request_error',
        'previous_response_not_found',
        'previous_response_id',
      ),
      headers: {},
    };
  }
  const analysis = analyzeRequest(body);
  const selection = selectScenario(
    headerValue(headers, 'x-codetether-scenario'),
    analysis,
    context.options().scenario ?? 'echo',
  );
  if (selection.kind === 'unknown') {
    return {
      kind: 'failure',
      status: 400,
      body: apiError(
        `Unknown emulator scenario "${selection.name}" in x-codetether-scenario.`,
        'invalid_request_error',
        'unknown_scenario',
        'x-codetether-scenario',
      ),
      headers: {},
    };
  }
  const scenario = selection.scenario;
  const outcome = planScenario(context, scenario, body, analysis, transport, sessionKeyOf(headers, body));
  if (outcome.kind === 'reject') {
    return {
      kind: 'failure',
      status: outcome.status,
      body: outcome.body,
      headers: outcome.headers,
      scenario,
    };
  }
  return { kind: 'stream', outcome, scenario };
}
