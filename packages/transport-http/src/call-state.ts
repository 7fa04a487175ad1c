import { collectRequestSecrets, type TransportRequest } from '@codetether/responses-protocol';
import type { HttpTransportError } from './http-transport-error.js';
import { createAbortedError, createClosedError } from './network-error.js';
import { originOf, serializeRequest, withDefaultHeaders } from './outgoing-request.js';

/** The abort reason used by `close()`. */
export class TransportClosedReason extends Error {
  constructor() {
    super('The HTTP transport was closed.');
    this.name = 'TransportClosedReason';
  }
}

/** One `stream()` call, across all of its attempts. */
export interface CallState {
  /** The caller's request. */
  request: TransportRequest;
  /** The headers sent (the caller's plus defaults). */
  headers: Record<string, string>;
  /** The JSON body sent. */
  body: string;
  /** Credential values to scrub from messages. */
  secrets: string[];
  /** The endpoint's origin, for messages. */
  origin: string;
  /** Aborted by the caller's signal or by `close()`; every attempt follows it. */
  controller: AbortController;
  /** Attempts made so far. */
  attempts: number;
  /** True once an event was delivered (no retry, no fallback from then on). */
  outputStarted: boolean;
}

/**
 * Starts the state of one call: checks and serialises the request (`invalid-request` when it
 * cannot be sent) and collects the secrets it carries.
 *
 * @param request - the caller's request
 * @param controller - the call's own abort controller
 */
export function createCallState(request: TransportRequest, controller: AbortController): CallState {
  return {
    request,
    headers: withDefaultHeaders(request.headers),
    body: serializeRequest(request),
    secrets: collectRequestSecrets(request.headers, request.url),
    origin: originOf(request.url),
    controller,
    attempts: 0,
    outputStarted: false,
  };
}

/**
 * The error for a call whose controller was aborted: `transport-closed` when `close()` did it,
 * `aborted` when the caller did.
 *
 * @param call - the aborted call
 */
export function createStoppedError(call: CallState): HttpTransportError {
  return call.controller.signal.reason instanceof TransportClosedReason
    ? createClosedError(call.outputStarted)
    : createAbortedError(call.controller.signal.reason, call.outputStarted, call.attempts);
}
