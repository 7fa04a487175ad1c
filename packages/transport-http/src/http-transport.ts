import { type ResponsesTransport, redactSecrets } from '@codetether/responses-protocol';
import { createActiveCalls } from './active-calls.js';
import { type CallState, createCallState, TransportClosedReason } from './call-state.js';
import { redactErrorChainInPlace } from './error-redaction.js';
import { createEventStreamResponse } from './event-stream-response.js';
import { createFetchSender } from './fetch-request.js';
import type { HttpSender } from './http-answer.js';
import { sendAttempt } from './http-attempt.js';
import { HttpTransportError } from './http-transport-error.js';
import { createAbortedError, createClosedError } from './network-error.js';
import { runWithRetries } from './retry-loop.js';
import { resolveTransportSettings, type TransportSettings } from './transport-settings.js';
import type { FetchLike, HttpTransportOptions } from './transport-types.js';
import { createUndiciSender } from './undici-request.js';

/** The injected `fetch` when there is one, else undici's `request()`. */
function createSender(options: HttpTransportOptions, settings: TransportSettings): HttpSender {
  if (options.fetch !== undefined) return createFetchSender(options.fetch as FetchLike, options.dispatcher);
  return createUndiciSender({
    dispatcher: options.dispatcher,
    connectTimeoutMs: settings.connectTimeoutMs,
    keepAliveTimeoutMs: settings.keepAliveTimeoutMs,
  });
}

/**
 * A call's final error: its own typed error, or anything else wrapped as `network`; secrets are
 * scrubbed along the whole `cause` chain.
 */
function finalCallError(error: unknown, call: CallState): HttpTransportError {
  if (error instanceof HttpTransportError) return redactErrorChainInPlace(error, call.secrets);
  const wrapped = new HttpTransportError(
    'network',
    `The request to ${call.origin} failed unexpectedly: ${redactSecrets(String(error), call.secrets)}`,
    { cause: error, isRetryable: false, fallbackSafe: true, attempts: call.attempts },
  );
  return redactErrorChainInPlace(wrapped, call.secrets);
}

/**
 * Creates a Responses transport over HTTP server-sent events (undici).
 *
 * Requests share one keep-alive dispatcher. `stream()` resolves once a 2xx answer's headers have
 * arrived; its `events` yield each Responses event as soon as its SSE frame is complete. Retryable
 * failures (408, 409, 429, 5xx answers, connection failures, timeouts) are retried before any event
 * (exponential backoff with jitter, `Retry-After` honoured up to `maxRetryAfterMs`); usage-limit and
 * quota 429s are not. Nothing is retried once output has started. Every failure is an
 * {@link HttpTransportError}; `close()` aborts in-flight requests and closes the transport's own
 * sockets (idempotent).
 *
 * @example
 * ```ts
 * const transport = createHttpTransport();
 * const response = await transport.stream({
 *   url: 'https://api.openai.com/v1/responses',
 *   headers: { authorization: `Bearer ${apiKey}` },
 *   body: { model: 'gpt-5', input: 'Hi', stream: true },
 * });
 * for await (const event of response.events) {
 *   if (event.type === 'response.output_text.delta') process.stdout.write(event.delta);
 * }
 * await transport.close();
 * ```
 */
export function createHttpTransport(options: HttpTransportOptions = {}): ResponsesTransport {
  const settings = resolveTransportSettings(options);
  const sender = createSender(options, settings);
  const activeCalls = createActiveCalls();
  let closed = false;
  let closing: Promise<void> | undefined;

  const attemptOnce = async (call: CallState) => {
    const { answer, requestController } = await sendAttempt(call, {
      sender,
      firstByteTimeoutMs: settings.firstByteTimeoutMs,
      now: settings.now,
    });
    return createEventStreamResponse(call, answer, requestController, settings, {
      detachCaller: () => activeCalls.detachCaller(call.controller),
      releaseCall: () => activeCalls.release(call.controller),
    });
  };

  return {
    async stream(request) {
      if (closed) throw createClosedError(false);
      const controller = new AbortController();
      const call = createCallState(request, controller);
      const userSignal = request.signal;
      if (userSignal?.aborted) throw createAbortedError(userSignal.reason, false, 0);
      activeCalls.add(controller, userSignal);
      try {
        return await runWithRetries(call, settings, () => attemptOnce(call));
      } catch (error) {
        activeCalls.release(controller);
        throw finalCallError(error, call);
      }
    },
    async prepare() {
      if (!closed) await sender.prepare?.();
    },
    close() {
      closed = true;
      closing ??= (async () => {
        activeCalls.abortAll(() => new TransportClosedReason());
        await sender.close();
      })();
      return closing;
    },
  };
}
