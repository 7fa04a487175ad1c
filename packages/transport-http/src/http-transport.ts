import type { Socket } from 'node:net';
import { setTimeout as sleepFor } from 'node:timers/promises';
import {
  collectRequestSecrets,
  parseRateLimitHeaders,
  type ResponsesTransport,
  raceAbort,
  readRequestId,
  redactErrorInPlace,
  redactSecrets,
  type TransportRequest,
  type TransportResponse,
} from '@codetether/responses-protocol';
import type { Agent, buildConnector, Dispatcher } from 'undici';
import { type BodySource, createNodeBodySource } from './body-reader.js';
import { HttpTransportError } from './http-transport-error.js';
import { createAbortedError, createClosedError, createNetworkError } from './network-error.js';
import { headersToRecord, incomingHeadersToRecord } from './response-metadata.js';
import { type BackoffPolicy, computeRetryDelayMs } from './retry-policy.js';
import { createSseEventIterable } from './sse-event-stream.js';
import { createStatusError } from './status-error.js';
import type { FetchInitLike, FetchLike, HttpTransportOptions } from './transport-types.js';

/** Default attempt limit (the first try plus three retries). */
export const DEFAULT_MAX_ATTEMPTS = 4;
/** Default connect timeout of the transport's own Agent, ms. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
/** Default time allowed for the response headers, ms. */
export const DEFAULT_FIRST_BYTE_TIMEOUT_MS = 120_000;
/** Default time allowed between two complete events while the caller waits, ms. */
export const DEFAULT_IDLE_TIMEOUT_MS = 300_000;

const DEFAULT_BASE_RETRY_DELAY_MS = 1_000;
const DEFAULT_MAX_RETRY_DELAY_MS = 30_000;
const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;
const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 30_000;
const ERROR_BODY_LIMIT_BYTES = 64 * 1024;

/** undici, imported on the first request that uses it (an injected `fetch` never does). */
let undiciModule: Promise<typeof import('undici')> | undefined;
const loadUndici = (): Promise<typeof import('undici')> => {
  undiciModule ??= import('undici');
  return undiciModule;
};

/** The abort reason used by `close()`. */
class TransportClosedReason extends Error {
  constructor() {
    super('The HTTP transport was closed.');
    this.name = 'TransportClosedReason';
  }
}

/** The abort reason used when the response headers take too long. */
class FirstByteTimeoutReason extends Error {
  constructor(milliseconds: number) {
    super(`No response headers within ${milliseconds} ms.`);
    this.name = 'FirstByteTimeoutReason';
  }
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite number ≥ 0 (got ${value}).`);
  }
  return value;
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the server';
  }
}

/** An HTTP header name (an RFC 9110 token). */
const HEADER_NAME_PATTERN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Checks the URL and the headers and serialises the body; a request that cannot be sent fails with `invalid-request`. */
function serializeRequest(request: TransportRequest): string {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    // No cause: URL's TypeError carries the whole input, which may hold a token in its query.
    throw new HttpTransportError(
      'invalid-request',
      'The request URL is not a valid absolute URL. Pass the full endpoint, e.g. https://api.openai.com/v1/responses.',
      { isRetryable: false, fallbackSafe: true },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HttpTransportError(
      'invalid-request',
      `The request URL uses ${url.protocol} but the HTTP transport needs http: or https:.`,
      { isRetryable: false, fallbackSafe: true },
    );
  }
  for (const [name, value] of Object.entries(request.headers)) {
    // Checked here, not by undici: its TypeError quotes the value (a token) and would be retried.
    if (!HEADER_NAME_PATTERN.test(name)) {
      throw new HttpTransportError(
        'invalid-request',
        `The request header name ${JSON.stringify(name.slice(0, 64))} is not a valid HTTP header name. Remove or rename it.`,
        { isRetryable: false, fallbackSafe: true },
      );
    }
    if (typeof value !== 'string' || /[\r\n\0]/.test(value)) {
      throw new HttpTransportError(
        'invalid-request',
        `The value of request header '${name}' is not a single-line string (it has a line break or NUL, or is not a string). Check how it was built.`,
        { isRetryable: false, fallbackSafe: true },
      );
    }
  }
  try {
    return JSON.stringify(request.body);
  } catch (cause) {
    throw new HttpTransportError(
      'invalid-request',
      `The request body cannot be serialised as JSON (${cause instanceof Error ? cause.message : String(cause)}). Remove circular references and BigInt values.`,
      { cause, isRetryable: false, fallbackSafe: true },
    );
  }
}

function withDefaultHeaders(headers: Record<string, string>): Record<string, string> {
  const present = new Set(Object.keys(headers).map((name) => name.toLowerCase()));
  const merged: Record<string, string> = {};
  if (!present.has('content-type')) merged['content-type'] = 'application/json';
  if (!present.has('accept')) merged.accept = 'text/event-stream';
  return Object.assign(merged, headers);
}

/** True for a 2xx content type that cannot be an SSE stream (JSON or HTML); a missing one is accepted. */
function isNotAnEventStream(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const lowered = contentType.toLowerCase();
  return !lowered.includes('event-stream') && (lowered.includes('json') || lowered.includes('html'));
}

/** An HTTP answer, whether it came from undici `request()` or from an injected `fetch`. */
interface HttpAnswer {
  status: number;
  statusText: string;
  /** Lower-cased names. */
  headers: Record<string, string>;
  body: BodySource | null;
}

async function readLimitedText(body: BodySource | null, limit: number): Promise<string> {
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
      if (received >= limit) {
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
  // Long on purpose: the attempt, retry and response steps below are closures over this transport's
  // own state (its Agent, the sockets still connecting, the calls in flight, close()); the pure parts
  // live in their own files (status-error, network-error, sse-event-stream, retry-policy).
  const maxAttempts = Math.floor(nonNegative(options.maxAttempts, DEFAULT_MAX_ATTEMPTS, 'maxAttempts'));
  if (maxAttempts < 1) throw new RangeError('maxAttempts must be at least 1.');
  const connectTimeoutMs = nonNegative(
    options.connectTimeoutMs,
    DEFAULT_CONNECT_TIMEOUT_MS,
    'connectTimeoutMs',
  );
  const firstByteTimeoutMs = nonNegative(
    options.firstByteTimeoutMs,
    DEFAULT_FIRST_BYTE_TIMEOUT_MS,
    'firstByteTimeoutMs',
  );
  const idleTimeoutMs = nonNegative(options.idleTimeoutMs, DEFAULT_IDLE_TIMEOUT_MS, 'idleTimeoutMs');
  const policy: BackoffPolicy = {
    baseDelayMs: nonNegative(options.baseRetryDelayMs, DEFAULT_BASE_RETRY_DELAY_MS, 'baseRetryDelayMs'),
    maxDelayMs: nonNegative(options.maxRetryDelayMs, DEFAULT_MAX_RETRY_DELAY_MS, 'maxRetryDelayMs'),
    maxRetryAfterMs: nonNegative(options.maxRetryAfterMs, DEFAULT_MAX_RETRY_AFTER_MS, 'maxRetryAfterMs'),
  };
  const random = options.random ?? Math.random;
  const sleep =
    options.sleep ??
    ((milliseconds: number, signal?: AbortSignal) =>
      sleepFor(milliseconds, undefined, signal === undefined ? {} : { signal }));
  const now = options.now ?? Date.now;

  const keepAliveTimeoutMs = nonNegative(
    options.keepAliveTimeoutMs,
    DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
    'keepAliveTimeoutMs',
  );

  // Sockets of the own Agent still connecting (TCP or TLS handshake). undici keeps connecting after
  // the request that asked for the socket is aborted, even through Agent.destroy(); they are
  // destroyed here once no request is waiting for a connection any more.
  const connectingSockets = new Set<Socket>();
  let attemptsAwaitingHeaders = 0;
  const dropConnectingSockets = (): void => {
    for (const socket of connectingSockets) {
      // With an error, so undici's connect callback runs and the pool forgets the socket.
      socket.destroy(new Error('No request is waiting for this connection any more.'));
    }
    connectingSockets.clear();
  };
  const trackConnector =
    (baseConnector: buildConnector.connector): buildConnector.connector =>
    (connectOptions, callback) => {
      let settled = false;
      const socket = (baseConnector as unknown as (...args: unknown[]) => Socket | undefined)(
        connectOptions,
        (...args: Parameters<buildConnector.Callback>) => {
          settled = true;
          if (socket !== undefined) connectingSockets.delete(socket);
          callback(...args);
        },
      );
      if (socket !== undefined && !settled) connectingSockets.add(socket);
    };

  let ownedAgent: Agent | undefined;
  const dispatcher = async (): Promise<Dispatcher | undefined> => {
    if (options.dispatcher !== undefined) return options.dispatcher;
    if (options.fetch !== undefined) return undefined;
    const undici = await loadUndici();
    ownedAgent ??= new undici.Agent({
      keepAliveTimeout: keepAliveTimeoutMs,
      connect: trackConnector(undici.buildConnector({ timeout: connectTimeoutMs })),
      // The transport's own first-byte and idle timers govern; undici's would race them.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    return ownedAgent;
  };
  const injectedFetch = options.fetch as FetchLike | undefined;
  /**
   * Sends one POST. Without an injected `fetch` this is undici's `request()` on the owned Agent (or
   * the injected dispatcher): no WHATWG streams, so less work per request and per chunk.
   */
  const send = async (
    url: string,
    init: FetchInitLike,
    chosenDispatcher: Dispatcher | undefined,
  ): Promise<HttpAnswer> => {
    if (injectedFetch !== undefined) {
      if (chosenDispatcher !== undefined) Object.assign(init, { dispatcher: chosenDispatcher });
      const response = await injectedFetch(url, init);
      return {
        status: response.status,
        statusText: response.statusText,
        headers: headersToRecord(response.headers),
        body: response.body,
      };
    }
    // undici only acts on an abort once the connection is up, so a request still connecting would
    // otherwise wait for the connect timeout; an answer that arrives after the abort is destroyed.
    const { request: undiciRequest } = await loadUndici();
    const answer = await raceAbort(
      undiciRequest(url, {
        method: 'POST',
        headers: init.headers,
        body: init.body,
        signal: init.signal,
        ...(chosenDispatcher === undefined ? {} : { dispatcher: chosenDispatcher }),
      }),
      init.signal,
      { discardLateValue: (late) => late.body.on('error', () => {}).destroy() },
    );
    return {
      status: answer.statusCode,
      statusText: answer.statusText ?? '',
      headers: incomingHeadersToRecord(answer.headers),
      body: createNodeBodySource(answer.body),
    };
  };

  const activeCalls = new Set<AbortController>();
  let closed = false;
  let closing: Promise<void> | undefined;

  const notAnEventStreamError = (
    status: number,
    headers: Record<string, string>,
    bodyText: string,
    call: CallState,
  ): HttpTransportError => {
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
  };

  interface CallState {
    request: TransportRequest;
    headers: Record<string, string>;
    body: string;
    secrets: string[];
    origin: string;
    controller: AbortController;
    attempts: number;
    outputStarted: boolean;
  }

  /** The error for a call whose controller was aborted (by the caller or by close()). */
  const stoppedError = (call: CallState): HttpTransportError =>
    call.controller.signal.reason instanceof TransportClosedReason
      ? createClosedError(call.outputStarted)
      : createAbortedError(call.controller.signal.reason, call.outputStarted, call.attempts);

  /** One HTTP attempt; resolves with a 2xx response or throws a typed error. */
  const attempt = async (
    call: CallState,
  ): Promise<{
    response: HttpAnswer;
    headers: Record<string, string>;
    requestController: AbortController;
  }> => {
    call.attempts += 1;
    const requestController = new AbortController();
    const forwardAbort = (): void => requestController.abort(call.controller.signal.reason);
    call.controller.signal.addEventListener('abort', forwardAbort, { once: true });
    let firstByteTimedOut = false;
    const timer =
      firstByteTimeoutMs > 0
        ? setTimeout(() => {
            firstByteTimedOut = true;
            requestController.abort(new FirstByteTimeoutReason(firstByteTimeoutMs));
          }, firstByteTimeoutMs)
        : undefined;
    const cleanUp = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      call.controller.signal.removeEventListener('abort', forwardAbort);
    };
    const failure = (error: unknown, status?: number): HttpTransportError => {
      if (call.controller.signal.aborted) return stoppedError(call);
      if (firstByteTimedOut) {
        return new HttpTransportError(
          'timeout-first-byte',
          `${call.origin} did not answer within ${firstByteTimeoutMs} ms. Try again; if it keeps happening, raise firstByteTimeoutMs.`,
          { cause: error, status, isRetryable: true, fallbackSafe: true, attempts: call.attempts },
        );
      }
      return createNetworkError(error, {
        origin: call.origin,
        outputStarted: false,
        duringBody: false,
        secrets: call.secrets,
        attempts: call.attempts,
      });
    };

    const init: FetchInitLike = {
      method: 'POST',
      headers: call.headers,
      body: call.body,
      signal: requestController.signal,
    };
    let response: HttpAnswer;
    attemptsAwaitingHeaders += 1;
    try {
      response = await send(call.request.url, init, await dispatcher());
    } catch (error) {
      cleanUp();
      attemptsAwaitingHeaders -= 1;
      if (attemptsAwaitingHeaders === 0 && requestController.signal.aborted) dropConnectingSockets();
      throw failure(error);
    }
    attemptsAwaitingHeaders -= 1;
    const headers = response.headers;
    if (response.status >= 200 && response.status < 300 && !isNotAnEventStream(headers['content-type'])) {
      // From here on buildResponse forwards aborts until the event stream is released.
      cleanUp();
      return { response, headers, requestController };
    }
    const bodyText = await readLimitedText(response.body, ERROR_BODY_LIMIT_BYTES);
    cleanUp();
    if (call.controller.signal.aborted || firstByteTimedOut) throw failure(undefined, response.status);
    if (response.status >= 200 && response.status < 300) {
      throw notAnEventStreamError(response.status, headers, bodyText, call);
    }
    throw createStatusError({
      status: response.status,
      statusText: response.statusText,
      headers,
      bodyText,
      secrets: call.secrets,
      attempts: call.attempts,
      now: now(),
    });
  };

  const establish = async (call: CallState): Promise<TransportResponse> => {
    for (;;) {
      if (call.controller.signal.aborted) throw stoppedError(call);
      try {
        const { response, headers, requestController } = await attempt(call);
        return buildResponse(call, response, headers, requestController);
      } catch (error) {
        if (!(error instanceof HttpTransportError)) throw error;
        if (!error.isRetryable || call.attempts >= maxAttempts) throw error;
        const delayMs = computeRetryDelayMs(call.attempts - 1, policy, random, error.retryAfterMs);
        options.onRetry?.({ attempt: call.attempts, delayMs, error });
        try {
          await sleep(delayMs, call.controller.signal);
        } catch (sleepError) {
          if (call.controller.signal.aborted) throw stoppedError(call);
          throw sleepError;
        }
      }
    }
  };

  const buildResponse = (
    call: CallState,
    response: HttpAnswer,
    headers: Record<string, string>,
    requestController: AbortController,
  ): TransportResponse => {
    const requestId = readRequestId(headers);
    const forwardAbort = (): void => requestController.abort(call.controller.signal.reason);
    call.controller.signal.addEventListener('abort', forwardAbort, { once: true });
    const events = createSseEventIterable({
      body: response.body,
      idleTimeoutMs,
      maxBufferBytes: options.maxBufferBytes,
      secrets: call.secrets,
      abortRequest: (reason) => requestController.abort(reason),
      onFirstEvent: () => {
        call.outputStarted = true;
      },
      classifyReadFailure: (error, idleTimedOut) => {
        if (call.controller.signal.aborted) return stoppedError(call);
        if (idleTimedOut) {
          return new HttpTransportError(
            'timeout-idle',
            `The response stream from ${call.origin} stalled: no event for ${idleTimeoutMs} ms. ${
              call.outputStarted ? 'Part of the answer was already delivered; send' : 'Send'
            } the request again; if it keeps happening, raise idleTimeoutMs.`,
            {
              cause: error,
              status: response.status,
              requestId,
              isRetryable: true,
              fallbackSafe: !call.outputStarted,
              attempts: call.attempts,
            },
          );
        }
        return createNetworkError(error, {
          origin: call.origin,
          outputStarted: call.outputStarted,
          duringBody: true,
          secrets: call.secrets,
          status: response.status,
          requestId,
          attempts: call.attempts,
        });
      },
      endedBeforeCompletion: (outputStarted) =>
        new HttpTransportError(
          'closed-before-completion',
          `The response stream from ${call.origin} ended before the response completed (no terminal event). ${
            outputStarted
              ? 'Part of the answer was already delivered; send the request again to get a complete answer.'
              : 'Nothing was delivered; try again.'
          }`,
          {
            status: response.status,
            requestId,
            isRetryable: !outputStarted,
            fallbackSafe: !outputStarted,
            attempts: call.attempts,
          },
        ),
      release: () => {
        call.controller.signal.removeEventListener('abort', forwardAbort);
        releaseCall(call);
      },
    });
    const transportResponse: TransportResponse = {
      transport: 'http',
      status: response.status,
      headers,
      rateLimits: parseRateLimitHeaders(headers, { now: now() }),
      events,
    };
    if (requestId !== undefined) transportResponse.requestId = requestId;
    return transportResponse;
  };

  const userAbortLinks = new WeakMap<AbortController, () => void>();
  const releaseCall = (call: CallState): void => {
    activeCalls.delete(call.controller);
    userAbortLinks.get(call.controller)?.();
    userAbortLinks.delete(call.controller);
  };

  return {
    async stream(request) {
      if (closed) throw createClosedError(false);
      const controller = new AbortController();
      const call: CallState = {
        request,
        headers: withDefaultHeaders(request.headers),
        body: serializeRequest(request),
        secrets: collectRequestSecrets(request.headers, request.url),
        origin: originOf(request.url),
        controller,
        attempts: 0,
        outputStarted: false,
      };
      const userSignal = request.signal;
      if (userSignal !== undefined) {
        if (userSignal.aborted) throw createAbortedError(userSignal.reason, false, 0);
        const onUserAbort = (): void => controller.abort(userSignal.reason);
        userSignal.addEventListener('abort', onUserAbort, { once: true });
        userAbortLinks.set(controller, () => userSignal.removeEventListener('abort', onUserAbort));
      }
      activeCalls.add(controller);
      try {
        return await establish(call);
      } catch (error) {
        releaseCall(call);
        if (error instanceof HttpTransportError) throw redactErrorInPlace(error, call.secrets);
        throw new HttpTransportError(
          'network',
          `The request to ${call.origin} failed unexpectedly: ${redactSecrets(String(error), call.secrets)}`,
          { cause: error, isRetryable: false, fallbackSafe: true, attempts: call.attempts },
        );
      }
    },
    close() {
      closed = true;
      closing ??= (async () => {
        for (const controller of activeCalls) controller.abort(new TransportClosedReason());
        activeCalls.clear();
        dropConnectingSockets();
        await ownedAgent?.destroy();
      })();
      return closing;
    },
  };
}
