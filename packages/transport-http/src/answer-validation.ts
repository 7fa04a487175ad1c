import { readRequestId, redactSecrets, redirectTargetOf } from '@codetether/responses-protocol';
import type { BodySource } from './body-reader.js';
import type { CallState } from './call-state.js';
import type { HttpAnswer } from './http-answer.js';
import { HttpTransportError } from './http-transport-error.js';
import { createStatusError } from './status-error.js';

/** Most bytes of an error body read for the error message. */
const ERROR_BODY_LIMIT_BYTES = 64 * 1024;

/** True for a 2xx content type that cannot be an SSE stream (JSON or HTML); a missing one is accepted. */
function isNotAnEventStream(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const lowered = contentType.toLowerCase();
  return !lowered.includes('event-stream') && (lowered.includes('json') || lowered.includes('html'));
}

function isSuccessStatus(status: number): boolean {
  return status >= 200 && status < 300;
}

/**
 * True for an answer whose body can be read as the event stream: a 2xx whose content type is an
 * event stream, missing, or anything but JSON or HTML.
 *
 * @param answer - the answer's status and headers
 */
export function isEventStreamAnswer(answer: HttpAnswer): boolean {
  return isSuccessStatus(answer.status) && !isNotAnEventStream(answer.headers['content-type']);
}

/**
 * Reads up to 64 KiB of an error body as text, then stops reading it; a body cut off midway still
 * yields what was read.
 *
 * @param body - the body of an answer that is not the event stream
 */
export async function readErrorBodyText(body: BodySource | null): Promise<string> {
  if (body === null) return '';
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let received = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      text += decoder.decode(value, { stream: true });
      if (received >= ERROR_BODY_LIMIT_BYTES) {
        await reader.cancel().catch(() => {});
        break;
      }
    }
  } catch {
    // A cut-off error body still leaves a usable status; keep what was read.
  }
  return text + decoder.decode();
}

/**
 * The error for a 3xx answer: redirects are never followed (the credential headers must not reach
 * another URL), so it is not retried and names where it points.
 */
function createRedirectError(
  answer: HttpAnswer,
  call: Pick<CallState, 'origin' | 'secrets' | 'attempts'>,
): HttpTransportError {
  const target = redirectTargetOf(answer.headers.location, `${call.origin}/`);
  const pointsTo = target === undefined ? '' : ` to ${redactSecrets(target, call.secrets)}`;
  return new HttpTransportError(
    'http-status',
    `${call.origin} answered HTTP ${answer.status} (a redirect${pointsTo}). The transport does not follow redirects, so your credentials never go to another URL: set the base URL to the endpoint itself.`,
    {
      status: answer.status,
      isRetryable: false,
      fallbackSafe: true,
      requestId: readRequestId(answer.headers),
      attempts: call.attempts,
    },
  );
}

/**
 * The error for an answer that is not the event stream: `protocol` for a 2xx JSON or HTML answer,
 * `http-status` naming the target for a redirect (3xx, never followed), otherwise what the status
 * says (`http-status` or `usage-limit-reached`, see `createStatusError`).
 *
 * @param answer - the answer
 * @param bodyText - its (possibly truncated) body
 * @param call - the call it answered (origin, secrets, attempts)
 * @param now - current time, epoch ms
 */
export function createUnusableAnswerError(
  answer: HttpAnswer,
  bodyText: string,
  call: Pick<CallState, 'origin' | 'secrets' | 'attempts'>,
  now: number,
): HttpTransportError {
  const { status, headers } = answer;
  if (isSuccessStatus(status)) {
    const preview = redactSecrets(bodyText.trim().slice(0, 200), call.secrets);
    return new HttpTransportError(
      'protocol',
      `${call.origin} answered ${status} with ${headers['content-type']} instead of a text/event-stream. Check that the URL is a Responses endpoint and that the body has "stream": true.`,
      {
        status,
        isRetryable: false,
        fallbackSafe: true,
        requestId: readRequestId(headers),
        serverMessage: preview === '' ? undefined : preview,
        attempts: call.attempts,
      },
    );
  }
  if (status >= 300 && status < 400) return createRedirectError(answer, call);
  return createStatusError({
    status,
    statusText: answer.statusText,
    headers,
    bodyText,
    secrets: call.secrets,
    attempts: call.attempts,
    now,
  });
}
