import { parseErrorBody, parseUsageLimitError, type RateLimitSnapshot } from '@codetether/responses-protocol';
import { HttpTransportError } from './http-transport-error.js';
import { NON_RETRYABLE_RATE_LIMIT_KINDS, RETRYABLE_STATUSES } from './retry-policy.js';
import { redactSecrets } from './secret-redaction.js';

/** What is known about a non-2xx response. */
export interface StatusErrorInput {
  /** HTTP status. */
  status: number;
  /** Status text, possibly empty. */
  statusText: string;
  /** The (possibly truncated) response body text. */
  bodyText: string;
  /** The request id header, if any. */
  requestId: string | undefined;
  /** Parsed `Retry-After`, ms. */
  retryAfterMs: number | undefined;
  /** Parsed rate-limit headers. */
  rateLimits: RateLimitSnapshot;
  /** Credential values to scrub from messages. */
  secrets: readonly string[];
  /** The attempt number that got this answer. */
  attempts: number;
  /** Current time, epoch ms (for `resets_in_seconds`). */
  now: number;
}

const MESSAGE_PREVIEW_LENGTH = 500;

function adviceFor(status: number, retryable: boolean): string {
  if (status === 401) return 'Check the credentials (log in again or use a valid API key).';
  if (status === 403) return 'Check that the account has access to this model and endpoint.';
  if (status === 404) return 'Check the base URL and the model name.';
  if (status === 429) return 'Wait a moment and try again.';
  if (retryable) return 'Try again in a moment.';
  if (status >= 400 && status < 500) return 'Check the request (model name and parameters).';
  return 'Try again later.';
}

/** The reset time of the exhausted usage window (the one at 100 %), else of the primary window. */
function exhaustedWindowReset(rateLimits: RateLimitSnapshot): number | undefined {
  const windows = [rateLimits.primary, rateLimits.secondary];
  const exhausted = windows.find((window) => window?.usedPercent !== undefined && window.usedPercent >= 100);
  return (exhausted ?? rateLimits.primary)?.resetsAt;
}

/** Turns a non-2xx response into an {@link HttpTransportError} (`usage-limit-reached` or `http-status`). */
export function createStatusError(input: StatusErrorInput): HttpTransportError {
  const parsedBody = parseErrorBody(input.bodyText);
  const rawServerMessage = parsedBody?.message ?? input.bodyText.trim().slice(0, MESSAGE_PREVIEW_LENGTH);
  const serverMessage = rawServerMessage === '' ? undefined : redactSecrets(rawServerMessage, input.secrets);
  const errorType = parsedBody?.type;
  const errorCode = parsedBody?.code;
  const requestIdText = input.requestId === undefined ? '' : ` (request id ${input.requestId})`;
  const statusText = input.statusText === '' ? '' : ` ${input.statusText}`;
  const isUsageLimit =
    input.status === 429 && (errorType === 'usage_limit_reached' || errorCode === 'usage_limit_reached');
  if (isUsageLimit) {
    const usage = parseUsageLimitError(input.bodyText, { now: input.now });
    const planType = usage?.planType ?? input.rateLimits.planType;
    const resetsAt = usage?.resetsAt ?? exhaustedWindowReset(input.rateLimits);
    const resetText = resetsAt === undefined ? 'later' : `after ${new Date(resetsAt).toISOString()}`;
    const planText = planType === undefined ? '' : ` (${planType} plan)`;
    return new HttpTransportError(
      'usage-limit-reached',
      `The usage limit of this subscription${planText} has been reached${requestIdText}. Try again ${resetText}.`,
      {
        status: input.status,
        isRetryable: false,
        serverMessage,
        errorType,
        errorCode,
        requestId: input.requestId,
        retryAfterMs: input.retryAfterMs,
        resetsAt,
        planType,
        rateLimits: input.rateLimits,
        fallbackSafe: true,
        attempts: input.attempts,
      },
    );
  }
  const quotaKind =
    input.status === 429 &&
    ((errorType !== undefined && NON_RETRYABLE_RATE_LIMIT_KINDS.has(errorType)) ||
      (errorCode !== undefined && NON_RETRYABLE_RATE_LIMIT_KINDS.has(errorCode)));
  const isRetryable = RETRYABLE_STATUSES.has(input.status) && !quotaKind;
  const detail = serverMessage === undefined ? '' : `: ${serverMessage}`;
  return new HttpTransportError(
    'http-status',
    `The server answered HTTP ${input.status}${statusText}${detail}${requestIdText}. ${
      quotaKind
        ? 'The account has no quota left for this request; check its plan or billing.'
        : adviceFor(input.status, isRetryable)
    }`,
    {
      status: input.status,
      isRetryable,
      serverMessage,
      errorType,
      errorCode,
      requestId: input.requestId,
      retryAfterMs: input.retryAfterMs,
      planType: input.rateLimits.planType,
      rateLimits: input.rateLimits,
      fallbackSafe: true,
      attempts: input.attempts,
    },
  );
}
