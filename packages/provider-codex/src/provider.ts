import { randomUUID } from 'node:crypto';
import type {
  Backend,
  Completion,
  CompletionRequest,
  RateLimitSnapshot,
  StreamChunk,
} from '@codetether/responses-protocol';
import {
  buildResponsesRequestBody,
  collectCompletion,
  createResponsesEventParser,
  readDefaultEffortFromEnvironment,
} from '@codetether/responses-protocol';
import { createHttpTransport } from '@codetether/transport-http';
import { createWebSocketTransport } from '@codetether/transport-ws';
import { type AuthDescription, type AuthSession, type CodexAuthOption, resolveAuthSession } from './auth.js';
import type { CodexTransport, CodexTransportRequest, CodexTransportResponse } from './codex-transport.js';
import {
  DEFAULT_FALLBACK_STICKY_MS,
  DEFAULT_ORIGINATOR,
  resolveEndpoints,
  resolveTransportMode,
  type TransportMode,
} from './configuration.js';
import { DEFAULT_INSTRUCTIONS } from './default-instructions.js';
import { CodexProviderError, type CodexProviderErrorCode } from './errors.js';
import { listModelsForBackend, type ModelInfo, validateModelForBackend } from './model-catalogue.js';
import { preparePassthroughBody } from './passthrough-body.js';
import { buildRequestHeaders } from './request-headers.js';
import {
  isMissingAccountId,
  isMissingScope,
  isUnauthorized,
  mapTransportError,
  readTransportErrorFields,
} from './transport-error-mapping.js';
import { createTransportFallbackMemory } from './transport-fallback-memory.js';
import { buildDefaultUserAgent } from './user-agent.js';

/** Why the provider switched a turn from the WebSocket to HTTP. */
export interface TransportFallbackInfo {
  /** The conversation's session id. */
  sessionId: string;
  /** The WebSocket error code (`handshake-failed`, `connect-failed`, `closed-before-completion`…). */
  reason: string;
  /** The handshake status, when the server answered one. */
  status?: number;
  /** True when the whole endpoint is now remembered as not supporting WebSockets (426/404). */
  endpointWide: boolean;
}

/** Options of {@link createCodexProvider}. Everything is optional; the environment fills the rest. */
export interface CodexProviderOptions {
  /** How to authenticate (default `auto`: stored ChatGPT login, else `OPENAI_API_KEY`). */
  auth?: CodexAuthOption;
  /** Environment to read (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** OAuth issuer (default `CODETETHER_AUTH_ISSUER` or https://auth.openai.com). */
  issuer?: string;
  /** ChatGPT Codex backend base URL (default `CODETETHER_CHATGPT_BASE_URL` or https://chatgpt.com/backend-api/codex). */
  chatgptBaseUrl?: string;
  /** OpenAI API base URL (default `CODETETHER_OPENAI_BASE_URL` or https://api.openai.com/v1). */
  openaiBaseUrl?: string;
  /** `auto` (WebSocket first, HTTP fallback), `websocket` or `http` (default `CODETETHER_TRANSPORT` or `auto`). */
  transport?: TransportMode;
  /** HTTP transport to use (default: one created with `fetch`). Not closed by {@link CodexProvider.close}. */
  httpTransport?: CodexTransport;
  /** WebSocket transport to use (default: a new one). Not closed by {@link CodexProvider.close}. */
  webSocketTransport?: CodexTransport;
  /** `fetch` for the HTTP transport and token refreshes. */
  fetch?: typeof fetch;
  /** Clock, epoch ms. */
  now?: () => number;
  /** How long a session that fell back to HTTP stays there (default 10 minutes). */
  fallbackStickyMs?: number;
  /** `originator` header for the ChatGPT backend (default `codex_cli_rs`). */
  originator?: string;
  /** `User-Agent` header (default `codetether/<version> (<os>; <arch>) node/<version>`). */
  userAgent?: string;
  /** Instructions used when a request has no system message. */
  defaultInstructions?: string;
  /** Called with request-building warnings (e.g. a dropped tool result without a matching call). */
  onWarning?: (message: string) => void;
  /** Called when a turn falls back from the WebSocket to HTTP. */
  onTransportFallback?: (info: TransportFallbackInfo) => void;
}

/** Per-call options of {@link CodexProvider.completeStream} and friends. */
export interface CodexRequestOptions {
  /** Cancels the request; the stream stops promptly and the transport stream is closed. */
  signal?: AbortSignal | undefined;
  /** The conversation id (`session-id` header, `prompt_cache_key`); a UUID is generated when absent. */
  sessionId?: string | undefined;
}

/** The Codex provider: one API over a ChatGPT login or an API key, WebSocket or HTTP. */
export interface CodexProvider {
  /** Describes the active auth (no secrets); throws `not-logged-in` when there is none. */
  resolveAuth(): Promise<AuthDescription>;
  /** The model catalogue for the active backend. */
  listModels(): Promise<ModelInfo[]>;
  /** Throws `unsupported-model` (listing the supported models) when the backend doesn't serve `model`. */
  validateModel(model: string): Promise<void>;
  /** Streams a completion. Pre-stream failures are thrown by the first `next()`; later ones arrive as an `error` chunk. */
  completeStream(request: CompletionRequest, options?: CodexRequestOptions): AsyncIterable<StreamChunk>;
  /** Collects a completion; any failure rejects with a {@link CodexProviderError}. */
  complete(request: CompletionRequest, options?: CodexRequestOptions): Promise<Completion>;
  /** Raw Responses passthrough (the server's `/v1/responses`): auth headers, backend fixes, same fallback. */
  createResponseStream(
    body: Record<string, unknown>,
    options?: CodexRequestOptions,
  ): Promise<CodexTransportResponse>;
  /** The rate-limit snapshot from the latest response's headers. */
  readonly lastRateLimits: RateLimitSnapshot | undefined;
  /** Closes the transports this provider created. */
  close(): Promise<void>;
}

/** Transport error codes that refuse the request itself: falling back to HTTP would not help. */
const NO_FALLBACK_CODES: ReadonlySet<string> = new Set([
  'aborted',
  'usage-limit-reached',
  'rate-limited',
  'unauthorized',
  'forbidden',
]);

/** Handshake statuses that say "not over this wire" rather than "not this request". */
const WIRE_STATUSES: ReadonlySet<number> = new Set([404, 408, 426]);

const PROVIDER_ERROR_CODES: ReadonlySet<string> = new Set<CodexProviderErrorCode>([
  'not-logged-in',
  'missing-account-id',
  'missing-scope',
  'unsupported-model',
  'usage-limit-reached',
  'rate-limited',
  'unauthorized',
  'upstream-error',
  'network-error',
  'timeout',
  'aborted',
  'invalid-request',
]);

function abortedError(cause?: unknown): CodexProviderError {
  return new CodexProviderError('aborted', 'The request was aborted.', { cause, isRetryable: false });
}

/**
 * Resolves/rejects with `promise`, or rejects with `aborted` as soon as `signal` aborts. A value that
 * arrives after the abort is handed to `discard` (to release it) instead of being lost.
 */
function raceAbort<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  discard?: (lateValue: T) => void,
): Promise<T> {
  if (signal === undefined) return promise;
  const abandon = (): void => {
    promise.then(
      (value) => discard?.(value),
      () => {},
    );
  };
  if (signal.aborted) {
    abandon();
    return Promise.reject(abortedError(signal.reason));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      abandon();
      reject(abortedError(signal.reason));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function closeIteratorQuietly(iterator: AsyncIterator<unknown>): void {
  try {
    const result = iterator.return?.();
    if (result !== undefined) result.catch(() => {});
  } catch {
    // The transport already closed; nothing to release.
  }
}

/** An event iterator that stops with `aborted` once the caller's signal aborts. */
interface AbortAwareIterator {
  /** The next event; rejects with `aborted` when the signal aborted before or while waiting. */
  next(): Promise<IteratorResult<unknown>>;
  /** Releases the transport stream (once) and the abort listener. */
  close(): void;
  /** Removes the abort listener without releasing the transport stream. */
  dispose(): void;
}

/**
 * Guards a transport event iterator with ONE abort listener for the whole stream (not one per event):
 * on abort the transport stream is released at once, which ends a pending `next()` (both transports
 * also end their iterators on their request signal), and every `next()` checks the signal.
 */
function guardIterator(
  iterator: AsyncIterator<unknown>,
  signal: AbortSignal | undefined,
): AbortAwareIterator {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    closeIteratorQuietly(iterator);
  };
  const dispose = (): void => {
    signal?.removeEventListener('abort', release);
  };
  signal?.addEventListener('abort', release, { once: true });
  return {
    async next() {
      if (signal?.aborted) throw abortedError(signal.reason);
      let result: IteratorResult<unknown>;
      try {
        result = await iterator.next();
      } catch (error) {
        if (signal?.aborted) throw abortedError(signal.reason);
        throw error;
      }
      // An event that arrives after the abort is dropped, as the caller no longer wants it.
      if (signal?.aborted) throw abortedError(signal.reason);
      return result;
    },
    close() {
      dispose();
      release();
    },
    dispose,
  };
}

/**
 * Waits for the first event so failures before any output (WebSocket closed early, usage limit as an
 * error frame) surface as pre-stream errors, then hands back an iterable that replays it.
 */
async function primeResponse(
  response: CodexTransportResponse,
  signal: AbortSignal | undefined,
): Promise<CodexTransportResponse> {
  const iterator = response.events[Symbol.asyncIterator]();
  let first: IteratorResult<unknown>;
  try {
    first = await raceAbort(iterator.next(), signal);
  } catch (error) {
    closeIteratorQuietly(iterator);
    throw error;
  }
  let replayed = false;
  const events = {
    [Symbol.asyncIterator]() {
      return {
        next(): Promise<IteratorResult<unknown>> {
          if (!replayed) {
            replayed = true;
            return Promise.resolve(first);
          }
          return iterator.next();
        },
        return(value?: unknown): Promise<IteratorResult<unknown>> {
          replayed = true;
          return iterator.return?.(value) ?? Promise.resolve({ done: true, value: undefined });
        },
      };
    },
  };
  return { ...response, events: events as CodexTransportResponse['events'] };
}

/**
 * Creates the Codex provider. Auth, base URLs, transport and default effort come from the options,
 * then the environment (`CODETETHER_*`, `OPENAI_API_KEY`), then the defaults of ARCHITECTURE.md.
 *
 * @example
 * ```ts
 * const provider = createCodexProvider();
 * for await (const chunk of provider.completeStream({ model: 'gpt-5.4', messages: [{ role: 'user', content: 'Hi' }] })) {
 *   if (chunk.type === 'text') process.stdout.write(chunk.text);
 * }
 * await provider.close();
 * ```
 */
export function createCodexProvider(options: CodexProviderOptions = {}): CodexProvider {
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now;
  const endpoints = resolveEndpoints(options, env);
  const auth: CodexAuthOption = options.auth ?? { type: 'auto' };
  const defaultEffort = readDefaultEffortFromEnvironment(env);
  const originator = options.originator ?? DEFAULT_ORIGINATOR;
  const userAgent = options.userAgent ?? buildDefaultUserAgent();
  const defaultInstructions = options.defaultInstructions ?? DEFAULT_INSTRUCTIONS;
  const fallbackMemory = createTransportFallbackMemory({
    stickyMs: options.fallbackStickyMs ?? DEFAULT_FALLBACK_STICKY_MS,
    now,
  });

  let lastRateLimits: RateLimitSnapshot | undefined;
  let authSession: Promise<AuthSession> | undefined;
  let ownedHttpTransport: CodexTransport | undefined;
  let ownedWebSocketTransport: CodexTransport | undefined;
  let closed = false;

  const getAuth = (): Promise<AuthSession> => {
    if (authSession === undefined) {
      const pending = resolveAuthSession({
        auth,
        env,
        issuer: endpoints.issuer,
        fetch: options.fetch,
        now: options.now,
      });
      authSession = pending;
      // Not logged in now does not mean never: try again on the next call.
      pending.catch(() => {
        if (authSession === pending) authSession = undefined;
      });
    }
    return authSession;
  };

  const httpTransport = (): CodexTransport => {
    if (options.httpTransport !== undefined) return options.httpTransport;
    if (ownedHttpTransport === undefined) {
      const created: CodexTransport = createHttpTransport({
        ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
        ...(options.now === undefined ? {} : { now: options.now }),
      });
      ownedHttpTransport = created;
      return created;
    }
    return ownedHttpTransport;
  };

  const webSocketTransport = (): CodexTransport => {
    if (options.webSocketTransport !== undefined) return options.webSocketTransport;
    if (ownedWebSocketTransport === undefined) {
      const created: CodexTransport = createWebSocketTransport(
        options.now === undefined ? {} : { now: options.now },
      );
      ownedWebSocketTransport = created;
      return created;
    }
    return ownedWebSocketTransport;
  };

  const rememberRateLimits = (snapshot: unknown): void => {
    if (typeof snapshot !== 'object' || snapshot === null) return;
    const candidate = snapshot as RateLimitSnapshot;
    const hasData =
      candidate.primary !== undefined ||
      candidate.secondary !== undefined ||
      candidate.planType !== undefined ||
      candidate.creditsBalance !== undefined;
    if (hasData || lastRateLimits === undefined) lastRateLimits = candidate;
  };

  interface EstablishInput {
    session: AuthSession;
    body: Record<string, unknown>;
    sessionId: string;
    signal: AbortSignal | undefined;
    requestedModel: string;
    /** The transport mode for this attempt (the provider's, or `http` after a fallback mid-turn). */
    mode: TransportMode;
    /** The token or key sent with the latest attempt: scrubbed from any server text in errors. */
    sentSecret?: string;
  }

  const sendOnce = async (
    input: EstablishInput,
    wire: 'http' | 'websocket',
    credentials: { bearerToken: string; accountId?: string },
  ): Promise<CodexTransportResponse> => {
    const baseUrl = input.session.backend === 'chatgpt' ? endpoints.chatgptBaseUrl : endpoints.openaiBaseUrl;
    const request: CodexTransportRequest = {
      url: `${baseUrl}/responses`,
      headers: buildRequestHeaders({
        backend: input.session.backend,
        wire,
        bearerToken: credentials.bearerToken,
        accountId: credentials.accountId,
        sessionId: input.sessionId,
        originator,
        userAgent,
      }),
      body: input.body,
      sessionId: input.sessionId,
    };
    if (input.signal !== undefined) request.signal = input.signal;
    const transport = wire === 'http' ? httpTransport() : webSocketTransport();
    const response = await raceAbort(transport.stream(request), input.signal, (late) =>
      closeIteratorQuietly(late.events[Symbol.asyncIterator]()),
    );
    rememberRateLimits(response.rateLimits);
    return primeResponse(response, input.signal);
  };

  /**
   * Errors that say the request itself is refused (auth, usage limit, a 4xx about the request): HTTP
   * would be refused just the same. 404/426 (no WebSocket endpoint) and 408 are about the wire.
   */
  const isRefusal = (fields: ReturnType<typeof readTransportErrorFields>): boolean =>
    (fields.status !== undefined &&
      fields.status >= 400 &&
      fields.status < 500 &&
      !WIRE_STATUSES.has(fields.status)) ||
    NO_FALLBACK_CODES.has(fields.code ?? '') ||
    fields.errorType === 'usage_limit_reached';

  /** A WebSocket failure before any event (nothing reached the caller): HTTP can take over. */
  const shouldFallBack = (error: unknown): boolean => {
    const fields = readTransportErrorFields(error);
    return fields.fallbackSafe === true && !isRefusal(fields);
  };

  /**
   * A WebSocket that dropped after lifecycle events but before any output chunk reached the caller:
   * still safe to replay over HTTP (the caller has seen nothing).
   */
  const shouldFallBackBeforeOutput = (error: unknown): boolean => {
    const fields = readTransportErrorFields(error);
    if (isRefusal(fields)) return false;
    return fields.fallbackSafe === true || fields.closeCode !== undefined;
  };

  const rememberFallback = (input: EstablishInput, error: unknown): void => {
    const fields = readTransportErrorFields(error);
    const baseUrl = input.session.backend === 'chatgpt' ? endpoints.chatgptBaseUrl : endpoints.openaiBaseUrl;
    const endpointWide = fields.status === 426 || fields.status === 404;
    if (endpointWide) fallbackMemory.rememberEndpointFallback(`${baseUrl}/responses`);
    fallbackMemory.rememberSessionFallback(input.sessionId);
    const info: TransportFallbackInfo = {
      sessionId: input.sessionId,
      reason: fields.code ?? 'websocket-error',
      endpointWide,
    };
    if (fields.status !== undefined) info.status = fields.status;
    options.onTransportFallback?.(info);
  };

  const sendWithFallback = async (
    input: EstablishInput,
    credentials: { bearerToken: string; accountId?: string },
  ): Promise<CodexTransportResponse> => {
    const baseUrl = input.session.backend === 'chatgpt' ? endpoints.chatgptBaseUrl : endpoints.openaiBaseUrl;
    const endpoint = `${baseUrl}/responses`;
    if (input.mode === 'http') return sendOnce(input, 'http', credentials);
    if (input.mode === 'websocket') return sendOnce(input, 'websocket', credentials);
    if (fallbackMemory.shouldUseHttp(endpoint, input.sessionId)) return sendOnce(input, 'http', credentials);
    try {
      return await sendOnce(input, 'websocket', credentials);
    } catch (error) {
      if (input.signal?.aborted || !shouldFallBack(error)) throw error;
      rememberFallback(input, error);
      return sendOnce(input, 'http', credentials);
    }
  };

  /** Sends with the chosen transport; a plain 401 on a ChatGPT token forces one refresh and one retry. */
  const establish = async (input: EstablishInput): Promise<CodexTransportResponse> => {
    let refreshed = false;
    for (;;) {
      if (closed) {
        throw new CodexProviderError('invalid-request', 'The provider was closed. Create a new provider.', {
          isRetryable: false,
        });
      }
      if (input.signal?.aborted) throw abortedError(input.signal.reason);
      // A token refresh may be slow (network): the caller's abort must not wait for it.
      const credentials = await raceAbort(input.session.getCredentials(), input.signal);
      input.sentSecret = credentials.bearerToken;
      try {
        return await sendWithFallback(input, credentials);
      } catch (error) {
        if (error instanceof CodexProviderError) throw error;
        if (typeof error === 'object' && error !== null && 'rateLimits' in error) {
          rememberRateLimits((error as { rateLimits?: unknown }).rateLimits);
        }
        const fields = readTransportErrorFields(error);
        const canRefresh =
          !refreshed &&
          input.session.mode === 'chatgpt' &&
          isUnauthorized(fields) &&
          !isMissingScope(fields) &&
          !isMissingAccountId(fields);
        if (canRefresh) {
          refreshed = true;
          await raceAbort(input.session.refreshAfterRejection(credentials.bearerToken), input.signal);
          continue;
        }
        throw mapTransportError(error, {
          backend: input.session.backend,
          model: input.requestedModel,
          now: now(),
          planType: lastRateLimits?.planType,
          secrets: [credentials.bearerToken],
        });
      }
    }
  };

  const toProviderError = (
    error: unknown,
    backend: Backend,
    model: string,
    sentSecret: string | undefined,
  ): CodexProviderError =>
    error instanceof CodexProviderError
      ? error
      : mapTransportError(error, {
          backend,
          model,
          now: now(),
          planType: lastRateLimits?.planType,
          secrets: sentSecret === undefined ? [] : [sentSecret],
          midStream: true,
        });

  const buildBody = (
    request: CompletionRequest,
    backend: Backend,
    sessionId: string,
  ): Record<string, unknown> => {
    try {
      return buildResponsesRequestBody(request, {
        backend,
        sessionId,
        ...(defaultEffort === undefined ? {} : { defaultEffort }),
        defaultInstructions,
        ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
      }) as unknown as Record<string, unknown>;
    } catch (error) {
      throw new CodexProviderError(
        'invalid-request',
        `The request could not be built: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error, isRetryable: false },
      );
    }
  };

  /**
   * The stream behind {@link CodexProvider.completeStream}. `onError` receives the provider error behind
   * an `error` chunk so {@link CodexProvider.complete} can rethrow it with its status and reset time.
   */
  async function* streamCompletion(
    request: CompletionRequest,
    requestOptions: CodexRequestOptions,
    onError: (error: CodexProviderError) => void,
  ): AsyncGenerator<StreamChunk, void, undefined> {
    const { signal } = requestOptions;
    if (signal?.aborted) throw abortedError(signal.reason);
    const sessionId = requestOptions.sessionId ?? randomUUID();
    const mode = resolveTransportMode(options.transport, env);
    const session = await raceAbort(getAuth(), signal);
    validateModelForBackend(request.model, session.backend);
    const body = buildBody(request, session.backend, sessionId);
    const input: EstablishInput = { session, body, sessionId, signal, requestedModel: request.model, mode };
    for (;;) {
      const response = await establish(input);
      const parser = createResponsesEventParser();
      const iterator = guardIterator(response.events[Symbol.asyncIterator](), signal);
      let yieldedOutput = false;
      let exhausted = false;
      let retryOverHttp = false;
      let sawTerminal = false;
      try {
        while (!sawTerminal) {
          let next: IteratorResult<unknown>;
          try {
            next = await iterator.next();
          } catch (error) {
            exhausted = true;
            const canReplay =
              !yieldedOutput &&
              input.mode === 'auto' &&
              response.transport === 'websocket' &&
              signal?.aborted !== true &&
              shouldFallBackBeforeOutput(error);
            if (canReplay) {
              // The socket dropped before the caller saw any output: replay the turn over HTTP.
              rememberFallback(input, error);
              input.mode = 'http';
              retryOverHttp = true;
              break;
            }
            const mapped = toProviderError(error, session.backend, request.model, input.sentSecret);
            onError(mapped);
            yield { type: 'error', message: mapped.message, code: mapped.code };
            return;
          }
          if (next.done) {
            exhausted = true;
            break;
          }
          for (const chunk of parser.feed(next.value)) {
            if (chunk.type === 'done' || chunk.type === 'error') sawTerminal = true;
            yieldedOutput = true;
            yield chunk;
          }
        }
        if (retryOverHttp) continue;
        if (!sawTerminal) for (const chunk of parser.end()) yield chunk;
        return;
      } finally {
        // Releases the transport stream on abort, early exit by the consumer, or after the terminal event.
        if (!exhausted || signal?.aborted) iterator.close();
        else iterator.dispose();
      }
    }
  }

  const provider: CodexProvider = {
    async resolveAuth() {
      return (await getAuth()).describe();
    },
    async listModels() {
      return listModelsForBackend((await getAuth()).backend);
    },
    async validateModel(model) {
      validateModelForBackend(model, (await getAuth()).backend);
    },
    completeStream(request, requestOptions = {}) {
      return streamCompletion(request, requestOptions, () => {});
    },
    async complete(request, requestOptions = {}) {
      let streamError: CodexProviderError | undefined;
      try {
        return await collectCompletion(
          streamCompletion(request, requestOptions, (error) => {
            streamError = error;
          }),
        );
      } catch (error) {
        if (error instanceof CodexProviderError) throw error;
        if (streamError !== undefined) throw streamError;
        const code = (error as { code?: unknown }).code;
        const message = error instanceof Error ? error.message : String(error);
        const providerCode: CodexProviderErrorCode =
          typeof code === 'string' && PROVIDER_ERROR_CODES.has(code)
            ? (code as CodexProviderErrorCode)
            : 'upstream-error';
        throw new CodexProviderError(providerCode, message, { cause: error });
      }
    },
    async createResponseStream(body, requestOptions = {}) {
      const { signal } = requestOptions;
      if (signal?.aborted) throw abortedError(signal.reason);
      const sessionId = requestOptions.sessionId ?? randomUUID();
      const session = await raceAbort(getAuth(), signal);
      const prepared = preparePassthroughBody(body, {
        backend: session.backend,
        sessionId,
        defaultEffort,
        defaultInstructions,
      });
      validateModelForBackend(prepared.requestedModel, session.backend);
      const input: EstablishInput = {
        session,
        body: prepared.body,
        sessionId,
        signal,
        requestedModel: prepared.requestedModel,
        mode: resolveTransportMode(options.transport, env),
      };
      const response = await establish(input);
      const source = response.events;
      const mapError = (error: unknown): CodexProviderError =>
        error instanceof CodexProviderError
          ? error
          : mapTransportError(error, {
              backend: session.backend,
              model: prepared.requestedModel,
              now: now(),
              planType: lastRateLimits?.planType,
              secrets: input.sentSecret === undefined ? [] : [input.sentSecret],
              midStream: true,
            });
      const events = {
        [Symbol.asyncIterator]() {
          const iterator = guardIterator(source[Symbol.asyncIterator](), signal);
          return {
            async next() {
              try {
                const result = await iterator.next();
                if (result.done === true) iterator.dispose();
                return result;
              } catch (error) {
                iterator.close();
                throw mapError(error);
              }
            },
            async return(value?: unknown) {
              iterator.close();
              return { done: true as const, value };
            },
          };
        },
      };
      return { ...response, events: events as CodexTransportResponse['events'] };
    },
    get lastRateLimits() {
      return lastRateLimits;
    },
    async close() {
      closed = true;
      const owned = [ownedHttpTransport, ownedWebSocketTransport].filter(
        (transport): transport is CodexTransport => transport !== undefined,
      );
      ownedHttpTransport = undefined;
      ownedWebSocketTransport = undefined;
      await Promise.allSettled(owned.map((transport) => transport.close()));
    },
  };
  return provider;
}
