import { parseRateLimitHeaders, readRequestId, type TransportResponse } from '@codetether/responses-protocol';
import { type CallState, createStoppedError } from './call-state.js';
import { ContentDecodingError, createContentEncodingError } from './content-decoding.js';
import type { HttpAnswer } from './http-answer.js';
import { HttpTransportError } from './http-transport-error.js';
import { createNetworkError } from './network-error.js';
import { createSseEventIterable } from './sse-event-stream.js';

/** What the event stream of a response needs besides its call and answer. */
export interface EventStreamSettings {
  /** Time allowed for the next complete event while the caller waits, ms (0 disables). */
  idleTimeoutMs: number;
  /** Cap on buffered, unfinished SSE text, when set. */
  maxBufferBytes: number | undefined;
  /** Clock, epoch ms (for the rate-limit reset times). */
  now: () => number;
}

/** What is known about the response whose stream failed. */
interface StreamFailureContext {
  call: CallState;
  status: number;
  requestId: string | undefined;
}

function createIdleTimeoutError(
  cause: unknown,
  idleTimeoutMs: number,
  { call, status, requestId }: StreamFailureContext,
): HttpTransportError {
  return new HttpTransportError(
    'timeout-idle',
    `The response stream from ${call.origin} stalled: no event for ${idleTimeoutMs} ms. ${
      call.outputStarted ? 'Part of the answer was already delivered; send' : 'Send'
    } the request again; if it keeps happening, raise idleTimeoutMs.`,
    {
      cause,
      status,
      requestId,
      isRetryable: true,
      fallbackSafe: !call.outputStarted,
      attempts: call.attempts,
    },
  );
}

function createEndedBeforeCompletionError(
  outputStarted: boolean,
  { call, status, requestId }: StreamFailureContext,
): HttpTransportError {
  return new HttpTransportError(
    'closed-before-completion',
    `The response stream from ${call.origin} ended before the response completed (no terminal event). ${
      outputStarted
        ? 'Part of the answer was already delivered; send the request again to get a complete answer.'
        : 'Nothing was delivered; try again.'
    }`,
    {
      status,
      requestId,
      isRetryable: !outputStarted,
      fallbackSafe: !outputStarted,
      attempts: call.attempts,
    },
  );
}

/**
 * Wires an event-stream answer's body to the `TransportResponse` the caller reads: the call's abort
 * is forwarded to the request until the stream is finished, body failures become typed errors
 * (stopped, `timeout-idle`, `network`, `closed-before-completion`), and `releaseCall` runs once the
 * stream is finished, however it finished.
 *
 * @param call - the call
 * @param answer - its 2xx event-stream answer
 * @param requestController - aborts the attempt's request
 * @param settings - idle timeout, buffer cap and clock
 * @param callLinks - `detachCaller` stops the caller's abort from reaching the call once its
 *   response is complete; `releaseCall` forgets the call (it no longer needs aborting)
 */
export function createEventStreamResponse(
  call: CallState,
  answer: HttpAnswer,
  requestController: AbortController,
  settings: EventStreamSettings,
  { detachCaller, releaseCall }: { detachCaller: () => void; releaseCall: () => void },
): TransportResponse {
  const { headers, status } = answer;
  const requestId = readRequestId(headers);
  const failureContext: StreamFailureContext = { call, status, requestId };
  const forwardAbort = (): void => requestController.abort(call.controller.signal.reason);
  call.controller.signal.addEventListener('abort', forwardAbort, { once: true });
  const events = createSseEventIterable({
    body: answer.body,
    idleTimeoutMs: settings.idleTimeoutMs,
    maxBufferBytes: settings.maxBufferBytes,
    secrets: call.secrets,
    abortRequest: (reason) => requestController.abort(reason),
    onFirstEvent: () => {
      call.outputStarted = true;
    },
    classifyReadFailure: (error, idleTimedOut) => {
      if (call.controller.signal.aborted) return createStoppedError(call);
      if (idleTimedOut) return createIdleTimeoutError(error, settings.idleTimeoutMs, failureContext);
      if (error instanceof ContentDecodingError) {
        return createContentEncodingError(error.contentEncoding, error, {
          origin: call.origin,
          status,
          requestId,
          outputStarted: call.outputStarted,
          attempts: call.attempts,
        });
      }
      return createNetworkError(error, {
        origin: call.origin,
        outputStarted: call.outputStarted,
        duringBody: true,
        secrets: call.secrets,
        status,
        requestId,
        attempts: call.attempts,
      });
    },
    endedBeforeCompletion: (outputStarted) => createEndedBeforeCompletionError(outputStarted, failureContext),
    onTerminalEvent: detachCaller,
    release: () => {
      call.controller.signal.removeEventListener('abort', forwardAbort);
      releaseCall();
    },
  });
  const transportResponse: TransportResponse = {
    transport: 'http',
    status,
    headers,
    rateLimits: parseRateLimitHeaders(headers, { now: settings.now() }),
    events,
  };
  if (requestId !== undefined) transportResponse.requestId = requestId;
  return transportResponse;
}
