import { apiError } from './error-bodies.js';
import { normalizeInputItems } from './input-items.js';
import type { ValidationFailure } from './request-validation.js';
import type { RememberedResponse } from './stored-responses.js';

/** Where a `previous_response_id` may be found, and the fault a test may have injected. */
export interface ContinuationSources {
  /** The last response of the WebSocket connection the request arrived on. */
  connectionLastResponse?: RememberedResponse | undefined;
  /** A stored (`store: true`) response of the caller's account, when the backend keeps them. */
  findStored(id: string): RememberedResponse | undefined;
  /** True (once per injected fault) when this continuation must fail with `previous_response_not_found`. */
  takeInjectedNotFound(): boolean;
}

/** The input a request answers, or why its `previous_response_id` cannot be used. */
export type Continuation =
  | {
      kind: 'resolved';
      /** The previous response continued from, if any. */
      previous: RememberedResponse | undefined;
      /** The items this request sent (a string input becomes one user message). */
      sentItems: unknown[];
      /** The previous response's input and output items, then the items sent. */
      effectiveInput: unknown[];
    }
  | { kind: 'failure'; failure: ValidationFailure };

/** Longest `previous_response_id` accepted (real ids are about 50 characters). */
const MAX_ID_LENGTH = 128;

/**
 * Resolves a request's `previous_response_id` the way the real services do: an id is usable when it
 * is the last response of the same WebSocket connection or a stored response of the same account;
 * anything else (another connection, HTTP with `store: false`, an older response, an unknown id) is a
 * 400 `previous_response_not_found`. A value that is not a string, or not shaped like a response id,
 * is a 400 naming the parameter. No `previous_response_id` (or `null`/`""`) means a fresh input.
 *
 * @param body - the request body
 * @param sources - where ids may be found
 */
export function resolveContinuation(
  body: Record<string, unknown>,
  sources: ContinuationSources,
): Continuation {
  const sentItems = normalizeInputItems(body.input);
  const id = body.previous_response_id;
  if (id === undefined || id === null || id === '') {
    return { kind: 'resolved', previous: undefined, sentItems, effectiveInput: sentItems };
  }
  if (typeof id !== 'string') {
    return failure(
      `Invalid type for 'previous_response_id': expected a string, but got ${describeType(id)} instead.`,
      'invalid_type',
    );
  }
  if (id.length > MAX_ID_LENGTH || !/^resp[A-Za-z0-9_-]*$/.test(id)) {
    return failure(
      `Invalid 'previous_response_id': '${shorten(id)}'. Expected an ID that begins with 'resp'.`,
      'invalid_value',
    );
  }
  const injected = sources.takeInjectedNotFound();
  const previous = injected
    ? undefined
    : sources.connectionLastResponse?.id === id
      ? sources.connectionLastResponse
      : sources.findStored(id);
  if (previous === undefined) {
    return failure(`Previous response with id '${id}' not found.`, 'previous_response_not_found');
  }
  return {
    kind: 'resolved',
    previous,
    sentItems,
    effectiveInput: [...previous.input, ...previous.output, ...sentItems],
  };
}

function failure(message: string, code: string): Continuation {
  return {
    kind: 'failure',
    failure: {
      status: 400,
      body: apiError(message, 'invalid_request_error', code, 'previous_response_id'),
    },
  };
}

function describeType(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  if (typeof value === 'boolean') return 'a boolean';
  return 'an object';
}

function shorten(text: string): string {
  return text.length <= 64 ? text : `${text.slice(0, 64)}...`;
}
