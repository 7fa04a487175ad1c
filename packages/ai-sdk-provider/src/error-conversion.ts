import { APICallError } from '@ai-sdk/provider';
import { isCodexProviderError } from '@codetether/provider-codex';

/** What an `APICallError` needs besides the failure itself. */
export interface ErrorContext {
  /** The Responses endpoint the request went to. */
  url: string;
  /** The request (the SDK's `requestBodyValues`). */
  requestBodyValues: unknown;
  /** The call's abort signal, to report an abort as the signal's reason. */
  abortSignal: AbortSignal | undefined;
}

/** The `data` of an `APICallError` this provider raises: the CodeTether error's details. */
export interface CodetetherErrorData {
  /** The `CodexProviderError` code (`usage-limit-reached`, `rate-limited`, `unauthorized`…) or the stream's error code. */
  code: string | undefined;
  /** When a usage limit resets, epoch milliseconds. */
  resetsAt?: number;
  /** How long to wait before retrying, milliseconds. */
  retryAfterMs?: number;
  /** The upstream request id, when known. */
  requestId?: string;
}

/** The abort reason of a call, as the SDK expects it (an `AbortError`). */
export function abortReasonOf(abortSignal: AbortSignal | undefined): unknown {
  return abortSignal?.reason ?? new DOMException('The request was aborted.', 'AbortError');
}

/**
 * Any failure of provider-codex → what the SDK expects: an abort stays an abort (the signal's
 * reason); a `CodexProviderError` becomes an `APICallError` with its status, `isRetryable`, and
 * `data` ({@link CodetetherErrorData}: `code`, `resetsAt`, `retryAfterMs`, `requestId`); a
 * `retry-after-ms` response header tells the SDK's retry how long to wait. Anything else is returned
 * as it is.
 */
export function toSdkError(error: unknown, context: ErrorContext): unknown {
  if (context.abortSignal?.aborted === true) return abortReasonOf(context.abortSignal);
  if (!isCodexProviderError(error)) return error;
  if (error.code === 'aborted') return abortReasonOf(context.abortSignal);
  const data: CodetetherErrorData = { code: error.code };
  if (error.resetsAt !== undefined) data.resetsAt = error.resetsAt;
  if (error.retryAfterMs !== undefined) data.retryAfterMs = error.retryAfterMs;
  if (error.requestId !== undefined) data.requestId = error.requestId;
  return new APICallError({
    message: error.message,
    url: context.url,
    requestBodyValues: context.requestBodyValues,
    ...(error.status === undefined ? {} : { statusCode: error.status }),
    ...(error.retryAfterMs === undefined
      ? {}
      : { responseHeaders: { 'retry-after-ms': String(Math.max(0, Math.round(error.retryAfterMs))) } }),
    cause: error,
    isRetryable: error.isRetryable,
    data,
  });
}

/** An `error` chunk that ended a stream after output started → an `APICallError` (not retryable). */
export function streamErrorToSdkError(
  chunk: { message: string; code?: string | undefined },
  context: ErrorContext,
): APICallError {
  const data: CodetetherErrorData = { code: chunk.code };
  return new APICallError({
    message: chunk.message,
    url: context.url,
    requestBodyValues: context.requestBodyValues,
    isRetryable: false,
    data,
  });
}
