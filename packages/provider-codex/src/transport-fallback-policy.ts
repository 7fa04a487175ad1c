import { ResponsesTransportError, type TransportErrorCode } from '@codetether/responses-protocol';

/**
 * Codes that refuse the request itself (or the caller stopped it): the other wire would not help.
 * Statuses are judged separately by {@link isRefusal}.
 */
const NO_FALLBACK_CODES: ReadonlySet<TransportErrorCode> = new Set(['aborted', 'usage-limit-reached']);

/** Handshake statuses that say "not over this wire" rather than "not this request". */
const WIRE_STATUSES: ReadonlySet<number> = new Set([404, 408, 426]);

/** Handshake statuses that say the whole endpoint has no Responses WebSocket. */
const NO_WEBSOCKET_STATUSES: ReadonlySet<number> = new Set([404, 426]);

/**
 * True for errors that say the request itself is refused (auth, usage limit, a 4xx about the
 * request): HTTP would be refused just the same. 404/426 (no WebSocket endpoint) and 408 are about
 * the wire.
 */
export function isRefusal(error: ResponsesTransportError): boolean {
  const { status } = error;
  return (
    (status !== undefined && status >= 400 && status < 500 && !WIRE_STATUSES.has(status)) ||
    NO_FALLBACK_CODES.has(error.code) ||
    error.errorType === 'usage_limit_reached'
  );
}

/** A WebSocket failure before any event (nothing reached the caller): HTTP can take over. */
export function shouldFallBack(error: unknown): error is ResponsesTransportError {
  return error instanceof ResponsesTransportError && error.fallbackSafe && !isRefusal(error);
}

/**
 * A WebSocket that failed after lifecycle events but before any output chunk reached the caller:
 * still safe to replay over HTTP when it is fallback-safe or the socket closed (the caller has seen
 * nothing).
 */
export function shouldFallBackBeforeOutput(error: unknown): error is ResponsesTransportError {
  return (
    error instanceof ResponsesTransportError &&
    !isRefusal(error) &&
    (error.fallbackSafe || error.closeCode !== undefined)
  );
}

/** True when the error says the endpoint offers no WebSocket at all (a 404 or 426 handshake). */
export function isEndpointWideFallback(error: ResponsesTransportError): boolean {
  return error.status !== undefined && NO_WEBSOCKET_STATUSES.has(error.status);
}

/**
 * True for a fallback that says nothing about the session or the endpoint: the WebSocket transport
 * had all its `maxConnections` sockets busy (`too-many-connections`). Only that request goes over
 * HTTP; the session's next turn tries the WebSocket again.
 */
export function isMomentaryFallback(error: ResponsesTransportError): boolean {
  return error.code === 'too-many-connections';
}
