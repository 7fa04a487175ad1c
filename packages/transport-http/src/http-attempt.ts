import { readRequestId } from '@codetether/responses-protocol';
import { createUnusableAnswerError, isEventStreamAnswer, readErrorBodyText } from './answer-validation.js';
import type { CallState } from './call-state.js';
import { createStoppedError } from './call-state.js';
import { createContentEncodingError } from './content-decoding.js';
import {
  createFirstByteTimeoutError,
  type FirstByteTimer,
  startFirstByteTimer,
} from './first-byte-timeout.js';
import type { HttpAnswer, HttpSender } from './http-answer.js';
import type { HttpTransportError } from './http-transport-error.js';
import { createNetworkError } from './network-error.js';
import type { FetchInitLike } from './transport-types.js';

/** What an attempt needs besides its call. */
export interface AttemptContext {
  /** Sends the POST. */
  sender: HttpSender;
  /** Time allowed for the response headers, ms (0 disables). */
  firstByteTimeoutMs: number;
  /** Clock, epoch ms. */
  now: () => number;
}

/** An attempt that got an event-stream answer. */
export interface EstablishedAttempt {
  /** The 2xx answer whose body is the event stream. */
  answer: HttpAnswer;
  /** Aborts this attempt's request (and so its body). */
  requestController: AbortController;
}

/** Why an attempt got no answer: the call was stopped, the first-byte timer fired, or the network failed. */
function classifyAttemptFailure(
  call: CallState,
  firstByteTimer: FirstByteTimer,
  firstByteTimeoutMs: number,
  error: unknown,
  status?: number,
): HttpTransportError {
  if (call.controller.signal.aborted) return createStoppedError(call);
  if (firstByteTimer.hasTimedOut()) {
    return createFirstByteTimeoutError(error, {
      origin: call.origin,
      timeoutMs: firstByteTimeoutMs,
      attempts: call.attempts,
      status,
    });
  }
  return createNetworkError(error, {
    origin: call.origin,
    outputStarted: false,
    duringBody: false,
    secrets: call.secrets,
    attempts: call.attempts,
  });
}

/**
 * Makes one HTTP attempt of `call`: sends the POST under the first-byte timeout (the call's abort
 * is forwarded to it) and resolves once an event-stream answer's headers arrived. Anything else
 * throws a typed error (the error body is read first, for its message); the caller decides on a retry.
 *
 * @param call - the call; its attempt count is raised
 * @param context - sender, first-byte timeout and clock
 */
export async function sendAttempt(call: CallState, context: AttemptContext): Promise<EstablishedAttempt> {
  call.attempts += 1;
  const requestController = new AbortController();
  const forwardAbort = (): void => requestController.abort(call.controller.signal.reason);
  call.controller.signal.addEventListener('abort', forwardAbort, { once: true });
  const firstByteTimer = startFirstByteTimer(requestController, context.firstByteTimeoutMs);
  const cleanUp = (): void => {
    firstByteTimer.stop();
    call.controller.signal.removeEventListener('abort', forwardAbort);
  };
  const failure = (error: unknown, status?: number): HttpTransportError =>
    classifyAttemptFailure(call, firstByteTimer, context.firstByteTimeoutMs, error, status);

  const init: FetchInitLike = {
    method: 'POST',
    headers: call.headers,
    body: call.body,
    signal: requestController.signal,
    redirect: 'manual',
  };
  let answer: HttpAnswer;
  try {
    answer = await context.sender.send(call.request.url, init);
  } catch (error) {
    cleanUp();
    throw failure(error);
  }
  if (isEventStreamAnswer(answer) && answer.undecodableContentEncoding !== undefined) {
    cleanUp();
    await answer.body
      ?.getReader()
      .cancel()
      .catch(() => {});
    throw createContentEncodingError(answer.undecodableContentEncoding, undefined, {
      origin: call.origin,
      status: answer.status,
      requestId: readRequestId(answer.headers),
      outputStarted: false,
      attempts: call.attempts,
    });
  }
  if (isEventStreamAnswer(answer)) {
    // From here on the event-stream response forwards aborts until the event stream is released.
    cleanUp();
    return { answer, requestController };
  }
  const bodyText = await readErrorBodyText(answer.body);
  cleanUp();
  if (call.controller.signal.aborted || firstByteTimer.hasTimedOut()) throw failure(undefined, answer.status);
  throw createUnusableAnswerError(answer, bodyText, call, context.now());
}
