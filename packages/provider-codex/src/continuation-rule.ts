import type { RequestContinuation, ResponseItem } from '@codetether/responses-protocol';

/** A request body: a plain JSON object whose `input` is a list of items. */
export type RequestBody = Record<string, unknown>;

/** The previous exchange of a conversation: what a next request may continue from. */
export interface PreviousExchange {
  /** The previous request's full body (its `input` is the whole input, whatever went on the wire). */
  body: RequestBody;
  /** The output items the previous response returned, as they go back into an input (no ids). */
  outputItems: readonly ResponseItem[];
  /** The previous response's id. */
  responseId: string;
  /** The WebSocket connection that produced it; undefined when it came over HTTP. */
  connectionId: string | undefined;
}

/** Why a request goes out with its full input. */
export type FullInputReason =
  /** There is no previous response to continue from (first turn, a failed turn, after compaction). */
  | 'no-previous-response'
  /** A field besides `input` differs from the previous request (model, tools, instructions…). */
  | 'fields-changed'
  /** The input does not start with the previous input and the previous output. */
  | 'input-diverged';

/** What the continuation rule decides for one request. */
export type ContinuationPlan =
  | { kind: 'full'; reason: FullInputReason }
  | {
      kind: 'delta';
      /** The response the request continues. */
      previousResponseId: string;
      /** The items after the previous input and output (possibly none). */
      newItems: ResponseItem[];
      /** The body with `previous_response_id` and only `newItems` as input. */
      body: RequestBody;
    };

/**
 * Fields left out of the comparison of two requests: the input itself, the continuation link, and
 * `generate` (a `generate: false` warm-up is continued by the first real request).
 */
const NOT_COMPARED: ReadonlySet<string> = new Set(['input', 'previous_response_id', 'generate']);

/**
 * The continuation rule of the official Codex CLI, on bodies: a request continues the previous
 * response when every field except `input` equals the previous request's and its `input` starts
 * with the previous input followed by the previous output items; it then names the previous
 * response in `previous_response_id` and sends only the items after those (an empty list is
 * allowed). Anything else sends the full input. Whether the connection is the same is decided
 * where the connection is known (see {@link continuationRequest}). Pure.
 *
 * @param previous - the previous exchange, if any
 * @param next - the next request's full body
 */
export function planContinuation(
  previous: PreviousExchange | undefined,
  next: RequestBody,
): ContinuationPlan {
  if (previous === undefined) return { kind: 'full', reason: 'no-previous-response' };
  if (!sameFieldsExceptInput(previous.body, next)) return { kind: 'full', reason: 'fields-changed' };
  const nextInput = itemsOf(next.input);
  const previousInput = itemsOf(previous.body.input);
  const prefixLength = previousInput.length + previous.outputItems.length;
  if (nextInput.length < prefixLength) return { kind: 'full', reason: 'input-diverged' };
  for (let index = 0; index < prefixLength; index += 1) {
    const expected =
      index < previousInput.length
        ? previousInput[index]
        : previous.outputItems[index - previousInput.length];
    if (!jsonEqual(expected, nextInput[index])) return { kind: 'full', reason: 'input-diverged' };
  }
  const newItems = nextInput.slice(prefixLength);
  return {
    kind: 'delta',
    previousResponseId: previous.responseId,
    newItems,
    body: { ...next, previous_response_id: previous.responseId, input: newItems },
  };
}

/** How the previous response may be found by the server. */
export interface ContinuationScope {
  /**
   * True when the server stored the previous response (`store: true` on the OpenAI API): any
   * connection, HTTP included, may name it. False (`store: false`, the ChatGPT backend): only the
   * WebSocket connection that produced it knows it.
   */
  storedResponses: boolean;
}

/** The bodies of one request: the one to send, and the continuation the transport may use instead. */
export interface ContinuationRequest {
  /** The plan behind the bodies. */
  plan: ContinuationPlan;
  /** The body to send (the full input, or the delta when the previous response is stored). */
  body: RequestBody;
  /** The delta body, for the WebSocket connection that produced the previous response only. */
  continuation?: RequestContinuation;
}

/**
 * Turns the plan into what goes to the transport. With stored responses the delta is the body
 * itself. Without, the delta is only valid on the connection that produced the previous response:
 * the full body is sent, with the delta as a `continuation` for that connection, which the WebSocket
 * transport uses only when the request actually goes out on it (HTTP ignores it, so HTTP SSE never
 * carries `previous_response_id` then). Pure.
 *
 * @param previous - the previous exchange, if any
 * @param next - the next request's full body
 * @param scope - whether previous responses are stored
 */
export function continuationRequest(
  previous: PreviousExchange | undefined,
  next: RequestBody,
  scope: ContinuationScope,
): ContinuationRequest {
  const plan = planContinuation(previous, next);
  if (plan.kind === 'full') return { plan, body: next };
  if (scope.storedResponses) return { plan, body: plan.body };
  const connectionId = previous?.connectionId;
  if (connectionId === undefined) return { plan, body: next };
  return { plan, body: next, continuation: { connectionId, body: plan.body } };
}

function itemsOf(input: unknown): readonly ResponseItem[] {
  return Array.isArray(input) ? (input as ResponseItem[]) : [];
}

function sameFieldsExceptInput(previous: RequestBody, next: RequestBody): boolean {
  const keys = new Set([...Object.keys(previous), ...Object.keys(next)]);
  for (const key of keys) {
    if (NOT_COMPARED.has(key)) continue;
    if (!jsonEqual(previous[key], next[key])) return false;
  }
  return true;
}

/** Deep equality of JSON values; object key order does not matter, `undefined` fields count as absent. */
export function jsonEqual(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) return false;
  if (Array.isArray(left) !== Array.isArray(right)) return false;
  if (Array.isArray(left) && Array.isArray(right)) {
    return left.length === right.length && left.every((value, index) => jsonEqual(value, right[index]));
  }
  const leftRecord = left as Record<string, unknown>;
  const rightRecord = right as Record<string, unknown>;
  const keys = new Set([...Object.keys(leftRecord), ...Object.keys(rightRecord)]);
  for (const key of keys) {
    if (!jsonEqual(leftRecord[key], rightRecord[key])) return false;
  }
  return true;
}
