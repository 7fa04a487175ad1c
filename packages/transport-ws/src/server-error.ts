import { describeServerFailure, isRetryableStatus } from '@codetether/responses-protocol';
import { WebSocketTransportError } from './web-socket-transport-error.js';

/** A failure the server reported with an HTTP status: a refused handshake or an `error` event with a status. */
export interface ServerFailure {
  /** `handshake` for a non-101 upgrade answer, `event` for an `error` frame carrying a status. */
  origin: 'handshake' | 'event';
  /** HTTP status. */
  status: number;
  /** Lower-cased headers that came with it. */
  headers: Record<string, string>;
  /** The error body: the parsed JSON (`{error: {...}}` or the `error` event itself), or its text. */
  body: unknown;
  /** True when nothing of the response was yielded yet. */
  fallbackSafe: boolean;
  /** Current time, epoch ms. */
  now: number;
}

/** Handshake statuses that mean "no Responses WebSocket here" rather than "not this request". */
const NO_WEBSOCKET_STATUSES: ReadonlySet<number> = new Set([404, 426]);

/** What a handshake answer advises instead of the status's usual advice, if anything. */
function handshakeAdvice(status: number): string | undefined {
  if (NO_WEBSOCKET_STATUSES.has(status)) {
    return 'This endpoint does not offer the Responses WebSocket; use the HTTP transport instead.';
  }
  if (status >= 300 && status < 400) {
    return 'It is a redirect, which is not followed (your credentials never go to another URL): set the base URL to the endpoint itself.';
  }
  return undefined;
}

/**
 * The HTTP status an `error` event carries (`status_code` or `status`), as the backend sends for
 * failures it would have answered with an HTTP error (401, 429 usage limit, 5xx), or undefined for
 * ordinary model errors (which are yielded as events).
 */
export function readErrorEventStatus(event: Record<string, unknown>): number | undefined {
  for (const key of ['status_code', 'status']) {
    const value = event[key];
    if (typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 599) return value;
    if (typeof value === 'string' && /^[45]\d\d$/.test(value)) return Number(value);
  }
  return undefined;
}

/**
 * Builds the typed error for a failure the server reported with an HTTP status, read the same way as
 * the HTTP transport reads a non-2xx answer: `usage-limit-reached` (with `resetsAt`/`planType`, not
 * retryable) or `http-status`. A handshake refused with 404 or 426 advises the HTTP transport; one
 * answered with a redirect (never followed) advises setting the base URL to the endpoint itself.
 */
export function errorFromServerFailure(failure: ServerFailure): WebSocketTransportError {
  const handshake = failure.origin === 'handshake';
  const lead = handshake
    ? `The Responses WebSocket handshake was refused with HTTP ${failure.status}`
    : `The server reported an error with status ${failure.status} on the Responses WebSocket`;
  let described: ReturnType<typeof describeServerFailure>;
  try {
    described = describeServerFailure(
      { status: failure.status, headers: failure.headers, body: failure.body, now: failure.now },
      {
        lead,
        advice: handshake ? handshakeAdvice(failure.status) : undefined,
      },
    );
  } catch (readError) {
    // This runs inside a socket listener, where a throw would be an uncaught exception (a crash):
    // a body the reader chokes on (e.g. a reset time no Date can hold) still gives a typed error.
    return new WebSocketTransportError(
      'http-status',
      `${lead}; its error details could not be read (${readError instanceof Error ? readError.message : String(readError)}). ${
        isRetryableStatus(failure.status) ? 'Try again in a moment.' : 'Check the request and the account.'
      }`,
      {
        status: failure.status,
        isRetryable: isRetryableStatus(failure.status),
        fallbackSafe: failure.fallbackSafe,
        cause: readError,
      },
    );
  }
  return new WebSocketTransportError(described.code, described.message, {
    ...described.details,
    fallbackSafe: failure.fallbackSafe,
  });
}
