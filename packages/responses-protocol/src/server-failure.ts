import { parseErrorBody, parseUsageLimitError } from './error-body.js';
import { parseRateLimitHeaders, type RateLimitSnapshot } from './rate-limits.js';
import { resetTimeOf } from './reset-time.js';
import { redactSecrets } from './secret-redaction.js';
import { readRequestId } from './transport-contract.js';
import type { TransportErrorDetails } from './transport-error.js';

/**
 * A failure the server reported with an HTTP status: a non-2xx HTTP answer, a refused WebSocket
 * handshake, or a WebSocket `error` event carrying `status_code`.
 */
export interface ServerFailure {
  /** HTTP status. */
  status: number;
  /** Lower-cased headers that came with it (response, handshake or the event's `headers`). */
  headers: Record<string, string>;
  /** The error body: its text (HTTP), or the parsed object (`{error: {…}}` or the `error` event). */
  body: unknown;
  /** Current time, epoch ms (for `resets_in_seconds` and `Retry-After` dates). */
  now: number;
  /** Exact secret values to scrub from the server's message. */
  secrets?: readonly string[] | undefined;
}

/** How a transport words a {@link ServerFailure}. */
export interface ServerFailureWording {
  /** The first part of the sentence, e.g. `The server answered HTTP 500 Internal Server Error`. */
  lead: string;
  /** Replaces the advice chosen by status (e.g. "use the HTTP transport" for a refused WebSocket). */
  advice?: string | undefined;
}

/** The code, message and details of the error a transport raises for a {@link ServerFailure}. */
export interface ServerFailureError {
  /** `usage-limit-reached` for an exhausted subscription window, else `http-status`. */
  code: 'http-status' | 'usage-limit-reached';
  /** What happened and what to do. */
  message: string;
  /** The error's details; the transport adds `transport` and `fallbackSafe`. */
  details: Omit<TransportErrorDetails, 'transport' | 'fallbackSafe'>;
}

const USAGE_LIMIT = 'usage_limit_reached';
/** Server error types/codes of a 429 that waiting a few seconds cannot fix (never retried). */
const QUOTA_KINDS: ReadonlySet<string> = new Set([USAGE_LIMIT, 'usage_not_included', 'insufficient_quota']);
const MESSAGE_PREVIEW_LENGTH = 500;

/**
 * True for statuses worth sending the same request again for: 408, 409, 429 and 5xx (what the
 * official OpenAI SDKs retry). A 429 about quota or a usage limit is not (see {@link describeServerFailure}).
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * Reads how long the server asked to wait, in milliseconds: `retry-after-ms`, else `Retry-After` as
 * delta-seconds (decimals allowed) or an HTTP date relative to `now`. `undefined` when neither header
 * is present or readable; never negative.
 *
 * @param headers - lower-cased response headers
 * @param now - current time, epoch ms
 */
export function parseRetryAfterMs(headers: Record<string, string>, now: number): number | undefined {
  const milliseconds = headers['retry-after-ms']?.trim();
  if (milliseconds !== undefined && /^\d+(\.\d+)?$/.test(milliseconds)) {
    return Math.max(0, Math.ceil(Number(milliseconds)));
  }
  const value = headers['retry-after']?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.max(0, Math.ceil(Number(value) * 1000));
  // An HTTP date always names its month; this also keeps `Date.parse` from reading `-5` as a year.
  if (!/[a-z]/i.test(value)) return undefined;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** The inner error object of a body (`{error: {…}}`, or the object itself), parsed from text if need be. */
function errorObject(body: unknown): Record<string, unknown> | undefined {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const nested = record.error;
  return typeof nested === 'object' && nested !== null && !Array.isArray(nested)
    ? (nested as Record<string, unknown>)
    : record;
}

function numberField(object: Record<string, unknown> | undefined, key: string): number | undefined {
  const value = object?.[key];
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
}

/** The reset time of the exhausted usage window (the one at 100 %), else of the primary window. */
function exhaustedWindowReset(rateLimits: RateLimitSnapshot): number | undefined {
  const windows = [rateLimits.primary, rateLimits.secondary];
  const exhausted = windows.find((window) => window?.usedPercent !== undefined && window.usedPercent >= 100);
  return (exhausted ?? rateLimits.primary)?.resetsAt;
}

/** When the usage window resets, epoch ms: the body's `resets_at`/`resets_in_seconds`, else the headers'. */
function usageLimitReset(failure: ServerFailure, rateLimits: RateLimitSnapshot): number | undefined {
  const parsed = parseUsageLimitError(failure.body, { now: failure.now })?.resetsAt;
  if (parsed !== undefined) return parsed;
  const object = errorObject(failure.body);
  return (
    resetTimeOf({
      atSeconds: numberField(object, 'resets_at'),
      afterSeconds: numberField(object, 'resets_in_seconds'),
      now: failure.now,
    }) ?? exhaustedWindowReset(rateLimits)
  );
}

function adviceFor(status: number, quotaExhausted: boolean): string {
  if (quotaExhausted) return 'The account has no quota left for this request; check its plan or billing.';
  if (status === 401) return 'Sign in again (or check the API key) and retry.';
  if (status === 403) return 'Check that the account has access to this model and endpoint.';
  if (status === 404) return 'Check the base URL and the model name.';
  if (status === 429) return 'Wait a moment and try again.';
  if (isRetryableStatus(status)) return 'Try again in a moment.';
  if (status >= 400 && status < 500) return 'Check the request (model name and parameters).';
  return 'Try again later.';
}

/** Longest server message kept in an error (a hostile server may send megabytes). */
const MAX_SERVER_MESSAGE_LENGTH = 2_000;
/** Longer than any secret: cutting here first keeps the redaction cheap and cannot leave part of one. */
const REDACTION_WINDOW = 64 * 1024;

/** The server's message scrubbed of secrets and cut to {@link MAX_SERVER_MESSAGE_LENGTH}. */
function shortMessage(message: string, secrets: readonly string[]): string {
  const redacted = redactSecrets(message.slice(0, REDACTION_WINDOW), secrets);
  return redacted.length > MAX_SERVER_MESSAGE_LENGTH
    ? `${redacted.slice(0, MAX_SERVER_MESSAGE_LENGTH)}…`
    : redacted;
}

/**
 * Reads a failure the server reported with a status — the same way for both transports — into the
 * code, message and details of the transport error to raise: a 429 whose body says
 * `usage_limit_reached` (or carries `resets_at` / `resets_in_seconds`) is `usage-limit-reached` with
 * `resetsAt` (epoch ms) and `planType`, never retryable; anything else is `http-status`, retryable for
 * 408, 409, 429 (unless about quota) and 5xx. The server's message is scrubbed of secrets and cut to
 * 2 000 characters.
 *
 * @param failure - status, headers, body and clock
 * @param wording - the transport's lead sentence and, optionally, its own advice
 */
export function describeServerFailure(
  failure: ServerFailure,
  wording: ServerFailureWording,
): ServerFailureError {
  const bodyText = typeof failure.body === 'string' ? failure.body : JSON.stringify(failure.body ?? '');
  const parsedBody = parseErrorBody(bodyText);
  const rawServerMessage = parsedBody?.message ?? bodyText.trim().slice(0, MESSAGE_PREVIEW_LENGTH);
  const serverMessage =
    rawServerMessage === '' ? undefined : shortMessage(rawServerMessage, failure.secrets ?? []);
  const errorType = parsedBody?.type;
  const errorCode = parsedBody?.code;
  const requestId = readRequestId(failure.headers);
  const requestIdText = requestId === undefined ? '' : ` (request id ${requestId})`;
  const rateLimits = parseRateLimitHeaders(failure.headers, { now: failure.now });
  const object = errorObject(failure.body);
  const details = {
    status: failure.status,
    serverMessage,
    errorType,
    errorCode,
    errorParam: parsedBody?.param,
    requestId,
    retryAfterMs: parseRetryAfterMs(failure.headers, failure.now),
    rateLimits,
  };
  const isUsageLimit =
    failure.status === 429 &&
    (errorType === USAGE_LIMIT ||
      errorCode === USAGE_LIMIT ||
      numberField(object, 'resets_at') !== undefined ||
      numberField(object, 'resets_in_seconds') !== undefined);
  if (isUsageLimit) {
    const planType =
      parseUsageLimitError(failure.body, { now: failure.now })?.planType ?? rateLimits.planType;
    const resetsAt = usageLimitReset(failure, rateLimits);
    const resetText = resetsAt === undefined ? 'later' : `after ${new Date(resetsAt).toISOString()}`;
    const planText = planType === undefined ? '' : ` (${planType} plan)`;
    return {
      code: 'usage-limit-reached',
      message: `The usage limit of this subscription${planText} has been reached${requestIdText}. Try again ${resetText}.`,
      details: { ...details, isRetryable: false, resetsAt, planType },
    };
  }
  const quotaExhausted =
    failure.status === 429 &&
    ((errorType !== undefined && QUOTA_KINDS.has(errorType)) ||
      (errorCode !== undefined && QUOTA_KINDS.has(errorCode)));
  const detail = serverMessage === undefined ? '' : `: ${serverMessage}`;
  const advice = wording.advice ?? adviceFor(failure.status, quotaExhausted);
  return {
    code: 'http-status',
    message: `${wording.lead}${detail}${requestIdText}. ${advice}`,
    details: {
      ...details,
      isRetryable: isRetryableStatus(failure.status) && !quotaExhausted,
      planType: rateLimits.planType,
    },
  };
}
