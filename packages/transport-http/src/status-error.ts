import { describeServerFailure, isRetryableStatus } from '@codetether/responses-protocol';
import { HttpTransportError } from './http-transport-error.js';

/** What is known about a non-2xx response. */
export interface StatusErrorInput {
  /** HTTP status. */
  status: number;
  /** Status text, possibly empty. */
  statusText: string;
  /** Lower-cased response headers. */
  headers: Record<string, string>;
  /** The (possibly truncated) response body text. */
  bodyText: string;
  /** Credential values to scrub from messages. */
  secrets: readonly string[];
  /** The attempt number that got this answer. */
  attempts: number;
  /** Current time, epoch ms (for `resets_in_seconds` and `Retry-After` dates). */
  now: number;
}

/**
 * Turns a non-2xx response into an {@link HttpTransportError}: `usage-limit-reached` or `http-status`,
 * read by the shared `describeServerFailure` (the WebSocket transport reads its failures the same way).
 */
export function createStatusError(input: StatusErrorInput): HttpTransportError {
  const statusText = input.statusText === '' ? '' : ` ${input.statusText}`;
  const lead = `The server answered HTTP ${input.status}${statusText}`;
  let described: ReturnType<typeof describeServerFailure>;
  try {
    described = describeServerFailure(
      {
        status: input.status,
        headers: input.headers,
        body: input.bodyText,
        now: input.now,
        secrets: input.secrets,
      },
      { lead },
    );
  } catch (readError) {
    // A body the reader chokes on (e.g. a reset time no Date can hold) still gives the status.
    const retryable = isRetryableStatus(input.status);
    return new HttpTransportError(
      'http-status',
      `${lead}; its error details could not be read (${readError instanceof Error ? readError.message : String(readError)}). ${
        retryable ? 'Try again in a moment.' : 'Check the request and the account.'
      }`,
      {
        status: input.status,
        isRetryable: retryable,
        fallbackSafe: true,
        attempts: input.attempts,
        cause: readError,
      },
    );
  }
  return new HttpTransportError(described.code, described.message, {
    ...described.details,
    fallbackSafe: true,
    attempts: input.attempts,
  });
}
