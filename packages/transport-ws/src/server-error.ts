import { parseErrorBody, parseRateLimitHeaders, parseUsageLimitError } from '@codetether/responses-protocol';
import { parseRetryAfter, readRequestId } from './response-headers.js';
import { redactSecrets } from './secret-redaction.js';
import { WebSocketTransportError, type WebSocketTransportErrorCode } from './web-socket-transport-error.js';

/** A failure the server reported with an HTTP status: a refused handshake or an `error` event with a status. */
export interface ServerFailure {
  /** `handshake` for a non-101 upgrade answer, `event` for an `error` frame carrying a status. */
  origin: 'handshake' | 'event';
  /** HTTP status. */
  status: number;
  /** Lower-cased headers that came with it. */
  headers: Record<string, string>;
  /** The parsed error body (`{error: {...}}` or the `error` event itself), when there was JSON. */
  body: unknown;
  /** The raw body text, when the body was not JSON. */
  bodyText?: string | undefined;
  /** True when nothing of the response was yielded yet. */
  fallbackSafe: boolean;
  /** Current time, epoch ms. */
  now: number;
}

const USAGE_LIMIT = 'usage_limit_reached';

interface ErrorFields {
  message?: string | undefined;
  type?: string | undefined;
  code?: string | undefined;
}

function readErrorFields(failure: ServerFailure): ErrorFields {
  const source = failure.body;
  if (typeof source === 'object' && source !== null) {
    const record = source as Record<string, unknown>;
    const nested = typeof record.error === 'object' && record.error !== null ? record.error : record;
    const fields = nested as Record<string, unknown>;
    const text = (key: string): string | undefined => {
      const value = fields[key];
      return typeof value === 'string' && value !== '' ? value : undefined;
    };
    return { message: text('message'), type: text('type'), code: text('code') };
  }
  if (failure.bodyText !== undefined && failure.bodyText !== '') {
    const parsed = parseErrorBody(failure.bodyText);
    if (parsed !== undefined) return { message: parsed.message, type: parsed.type, code: parsed.code };
    return { message: failure.bodyText.slice(0, 500) };
  }
  return {};
}

function numberField(source: unknown, key: string): number | undefined {
  if (typeof source !== 'object' || source === null) return undefined;
  const record = source as Record<string, unknown>;
  const nested = (
    typeof record.error === 'object' && record.error !== null ? record.error : record
  ) as Record<string, unknown>;
  const value = nested[key];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

function readUsageLimit(failure: ServerFailure): { planType?: string; resetsAt?: number } {
  const parsed = parseUsageLimitError(failure.body ?? failure.bodyText, { now: failure.now });
  const result: { planType?: string; resetsAt?: number } = {};
  const planType = parsed?.planType ?? failure.headers['x-codex-plan-type'];
  if (planType !== undefined) result.planType = planType;
  let resetsAt = parsed?.resetsAt;
  if (resetsAt === undefined) {
    const resetsAtSeconds = numberField(failure.body, 'resets_at');
    const resetsInSeconds = numberField(failure.body, 'resets_in_seconds');
    if (resetsAtSeconds !== undefined) resetsAt = resetsAtSeconds * 1000;
    else if (resetsInSeconds !== undefined) resetsAt = failure.now + resetsInSeconds * 1000;
  }
  if (resetsAt !== undefined) result.resetsAt = resetsAt;
  return result;
}

function adviceFor(status: number, origin: ServerFailure['origin']): string {
  if (status === 401) return 'Sign in again (or check the API key) and retry.';
  if (status === 403) return 'Check that the account may use this endpoint and model.';
  if (origin === 'handshake' && (status === 404 || status === 426)) {
    return 'This endpoint does not offer the Responses WebSocket; use the HTTP transport instead.';
  }
  if (status === 429) return 'Wait a moment and try again.';
  if (status >= 500) return 'Try again in a moment, or use the HTTP transport.';
  return 'Check the request, or use the HTTP transport.';
}

function codeFor(failure: ServerFailure, usageLimit: boolean): WebSocketTransportErrorCode {
  if (usageLimit) return 'usage-limit-reached';
  if (failure.origin === 'handshake') return 'handshake-failed';
  if (failure.status === 429) return 'rate-limited';
  if (failure.status === 401) return 'unauthorized';
  return failure.status >= 500 ? 'server-error' : 'request-rejected';
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * Builds the typed error for a failure the server reported with an HTTP status. A 429 whose body says
 * `usage_limit_reached` becomes `usage-limit-reached` with `resetsAt`/`planType` and is not retryable.
 */
export function errorFromServerFailure(failure: ServerFailure): WebSocketTransportError {
  const fields = readErrorFields(failure);
  const usageLimit =
    failure.status === 429 &&
    (fields.type === USAGE_LIMIT ||
      fields.code === USAGE_LIMIT ||
      numberField(failure.body, 'resets_at') !== undefined ||
      numberField(failure.body, 'resets_in_seconds') !== undefined);
  const code = codeFor(failure, usageLimit);
  const rateLimits = parseRateLimitHeaders(failure.headers, { now: failure.now });
  const serverMessage = fields.message === undefined ? undefined : redactSecrets(fields.message);
  const detail = serverMessage === undefined ? '' : `: ${serverMessage}`;
  const requestId = readRequestId(failure.headers);
  const retryAfterMs = parseRetryAfter(failure.headers['retry-after'], failure.now);
  const common = {
    fallbackSafe: failure.fallbackSafe,
    status: failure.status,
    serverMessage,
    errorType: fields.type,
    errorCode: fields.code,
    requestId,
    retryAfterMs,
    rateLimits,
  };
  if (usageLimit) {
    const usage = readUsageLimit(failure);
    const plan = usage.planType === undefined ? '' : ` (${usage.planType} plan)`;
    const when = usage.resetsAt === undefined ? 'later' : `after ${new Date(usage.resetsAt).toISOString()}`;
    return new WebSocketTransportError(
      code,
      `The ChatGPT usage limit is reached${plan}${detail}. Try again ${when}.`,
      { ...common, isRetryable: false, planType: usage.planType, resetsAt: usage.resetsAt },
    );
  }
  const where =
    failure.origin === 'handshake'
      ? `The Responses WebSocket handshake was refused with HTTP ${failure.status}`
      : `The server reported an error with status ${failure.status} on the Responses WebSocket`;
  return new WebSocketTransportError(
    code,
    `${where}${detail}. ${adviceFor(failure.status, failure.origin)}`,
    {
      ...common,
      isRetryable: isRetryableStatus(failure.status),
      planType: rateLimits.planType,
    },
  );
}
