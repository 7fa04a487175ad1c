import {
  type Backend,
  type RateLimitSnapshot,
  type RequestContinuation,
  type ResponsesTransport,
  ResponsesTransportError,
  type TransportRequest,
  type TransportResponse,
} from '@codetether/responses-protocol';
import type { AuthSession } from './auth.js';
import type { TransportMode } from './configuration.js';
import { abortedError, CodexProviderError } from './errors.js';
import { closeIteratorQuietly, primeResponse, raceCallerAbort } from './event-iteration.js';
import { buildRequestHeaders } from './request-headers.js';
import {
  isMissingAccountId,
  isMissingScope,
  isUnauthorized,
  mapTransportError,
} from './transport-error-mapping.js';
import type { TransportFallbackMemory } from './transport-fallback-memory.js';
import { isEndpointWideFallback, isMomentaryFallback, shouldFallBack } from './transport-fallback-policy.js';

/** Why the provider switched a turn from the WebSocket to HTTP. */
export interface TransportFallbackInfo {
  /** The conversation's session id. */
  sessionId: string;
  /** The WebSocket error code (`http-status`, `timeout-connect`, `closed-before-completion`…). */
  reason: string;
  /** The handshake status, when the server answered one. */
  status?: number;
  /** True when the whole endpoint is now remembered as not supporting WebSockets (426/404). */
  endpointWide: boolean;
}

/** One request of a conversation, as the provider sends it (and re-sends it after a refresh or fallback). */
export interface Turn {
  /** The resolved auth (backend, credentials, refresh). */
  session: AuthSession;
  /** The Responses request body (the full input). */
  body: Record<string, unknown>;
  /**
   * The shorter body a conversation may send on the connection that produced its previous response
   * (see `TransportRequest.continuation`); the WebSocket transport decides, HTTP ignores it.
   */
  continuation?: RequestContinuation | undefined;
  /** Headers added to this turn's requests (e.g. `x-codex-turn-state`). */
  extraHeaders?: Readonly<Record<string, string>> | undefined;
  /** The conversation id (`session-id` header, WebSocket reuse, fallback memory). */
  sessionId: string;
  /** The session shares idle WebSockets with the other sharing sessions (`TransportRequest.shareConnection`). */
  shareConnection?: boolean | undefined;
  /**
   * A request of no session the caller named (its `sessionId` was made up for it): no later turn
   * will use its socket, so none is kept (the transport request has no `sessionId`) and the socket
   * closes once the response ends instead of idling until the pool's idle timeout.
   */
  oneShot?: boolean | undefined;
  /** The caller's signal. */
  signal: AbortSignal | undefined;
  /** The model as the caller spelled it (for messages). */
  requestedModel: string;
  /** The wire for this attempt: the provider's mode, or `http` after a fallback mid-turn. */
  mode: TransportMode;
  /** The token or key sent with the latest attempt: scrubbed from any server text in errors. */
  sentSecret?: string;
}

/** What a {@link TurnSender} needs from the provider. */
export interface TurnSenderContext {
  /** The `/responses` URL of each backend (resolved once). */
  responsesUrls: Readonly<Record<Backend, string>>;
  /** The `originator` header. */
  originator: string;
  /** The `User-Agent` header. */
  userAgent: string;
  /** The transport of a wire (created on first use). */
  transportFor(wire: 'http' | 'websocket'): ResponsesTransport;
  /** Which sessions and endpoints are on HTTP for now. */
  fallbackMemory: TransportFallbackMemory;
  /** Called when a turn falls back from the WebSocket to HTTP. */
  onTransportFallback?: ((info: TransportFallbackInfo) => void) | undefined;
  /** Receives the rate-limit snapshot of every response and failure. */
  rememberRateLimits(snapshot: RateLimitSnapshot | undefined): void;
  /** The plan type of the latest rate limits, for usage-limit messages. */
  planType(): string | undefined;
  /** The models the account can use, named when the backend refuses a model. */
  supportedModels?: ((backend: Backend) => readonly string[] | undefined) | undefined;
  /** Current time, epoch ms. */
  now(): number;
  /** True once the provider was closed. */
  isClosed(): boolean;
}

/**
 * Sends turns: the unit a conversation calls for each request. `send` picks the wire (WebSocket
 * first, HTTP when the session or endpoint fell back, or the mode forces one), falls back to HTTP
 * when the WebSocket fails before any event, refreshes a rejected ChatGPT token once, and resolves
 * once the first event arrived; failures are {@link CodexProviderError}s.
 */
export interface TurnSender {
  /** Sends the turn and resolves with the established response (its first event already received). */
  send(turn: Turn): Promise<TransportResponse>;
  /**
   * Runs another request of the turn (e.g. a compaction) with the turn's credentials: a rejected
   * ChatGPT token is refreshed once and `attempt` runs again; failures become {@link CodexProviderError}s.
   */
  request<T>(turn: Turn, attempt: (credentials: Credentials) => Promise<T>): Promise<T>;
  /** Whether the turn would go over the WebSocket now (its mode, and no remembered fallback). */
  prefersWebSocket(turn: Turn): boolean;
  /**
   * Records that the turn fell back to HTTP: session (and endpoint) memory and `onTransportFallback`.
   * A momentary fallback (`too-many-connections`: the WebSocket transport's sockets were all busy) is
   * reported but not remembered, so the session's next turn tries the WebSocket again.
   */
  rememberFallback(turn: Turn, error: ResponsesTransportError): void;
  /** Maps a failure of the turn (before or during its stream) to a {@link CodexProviderError}. */
  toProviderError(error: unknown, turn: Turn, options: { midStream: boolean }): CodexProviderError;
}

/** The credentials of one attempt. */
export type Credentials = { bearerToken: string; accountId?: string };

/** The socket reached the server's age cap (~60 minutes): retryable on a fresh socket. */
function isConnectionLimitReached(error: unknown): boolean {
  return error instanceof ResponsesTransportError && error.errorCode === 'websocket_connection_limit_reached';
}

/** Creates the {@link TurnSender} of a provider. */
export function createTurnSender(context: TurnSenderContext): TurnSender {
  const sendOnce = async (
    turn: Turn,
    wire: 'http' | 'websocket',
    credentials: Credentials,
  ): Promise<TransportResponse> => {
    const request: TransportRequest = {
      url: context.responsesUrls[turn.session.backend],
      headers: {
        ...buildRequestHeaders({
          backend: turn.session.backend,
          wire,
          bearerToken: credentials.bearerToken,
          accountId: credentials.accountId,
          sessionId: turn.sessionId,
          originator: context.originator,
          userAgent: context.userAgent,
        }),
        ...turn.extraHeaders,
      },
      body: turn.body,
    };
    if (turn.oneShot !== true) request.sessionId = turn.sessionId;
    if (turn.signal !== undefined) request.signal = turn.signal;
    if (turn.continuation !== undefined) request.continuation = turn.continuation;
    if (turn.shareConnection === true) request.shareConnection = true;
    const response = await raceCallerAbort(context.transportFor(wire).stream(request), turn.signal, (late) =>
      closeIteratorQuietly(late.events[Symbol.asyncIterator]()),
    );
    context.rememberRateLimits(response.rateLimits);
    return primeResponse(response, turn.signal);
  };

  const rememberFallback = (turn: Turn, error: ResponsesTransportError): void => {
    const endpointWide = isEndpointWideFallback(error);
    if (endpointWide)
      context.fallbackMemory.rememberEndpointFallback(context.responsesUrls[turn.session.backend]);
    // A full socket cap is momentary and local: only this request goes over HTTP.
    if (!isMomentaryFallback(error)) context.fallbackMemory.rememberSessionFallback(turn.sessionId);
    const info: TransportFallbackInfo = { sessionId: turn.sessionId, reason: error.code, endpointWide };
    if (error.status !== undefined) info.status = error.status;
    context.onTransportFallback?.(info);
  };

  /**
   * One attempt over a wire. A WebSocket the server closed for its age (~60 minutes) is retried once
   * on a fresh socket, where a continuation does not apply, so the full input goes out.
   */
  const sendOverWire = async (
    turn: Turn,
    wire: 'http' | 'websocket',
    credentials: Credentials,
  ): Promise<TransportResponse> => {
    try {
      return await sendOnce(turn, wire, credentials);
    } catch (error) {
      if (wire !== 'websocket' || turn.signal?.aborted || !isConnectionLimitReached(error)) throw error;
      return sendOnce(turn, wire, credentials);
    }
  };

  const prefersWebSocket = (turn: Turn): boolean => {
    if (turn.mode !== 'auto') return turn.mode === 'websocket';
    const endpoint = context.responsesUrls[turn.session.backend];
    return !context.fallbackMemory.shouldUseHttp(endpoint, turn.sessionId);
  };

  const sendWithFallback = async (turn: Turn, credentials: Credentials): Promise<TransportResponse> => {
    if (turn.mode !== 'auto') return sendOverWire(turn, turn.mode, credentials);
    if (!prefersWebSocket(turn)) return sendOverWire(turn, 'http', credentials);
    try {
      return await sendOverWire(turn, 'websocket', credentials);
    } catch (error) {
      if (turn.signal?.aborted || !shouldFallBack(error)) throw error;
      rememberFallback(turn, error);
      return sendOverWire(turn, 'http', credentials);
    }
  };

  const toProviderError = (error: unknown, turn: Turn, options: { midStream: boolean }): CodexProviderError =>
    mapTransportError(error, {
      backend: turn.session.backend,
      model: turn.requestedModel,
      now: context.now(),
      planType: context.planType(),
      supportedModels: context.supportedModels?.(turn.session.backend),
      secrets: turn.sentSecret === undefined ? [] : [turn.sentSecret],
      midStream: options.midStream,
    });

  /** A plain 401 on a ChatGPT token (not a missing scope or account id): worth one forced refresh. */
  const canRefreshAfter = (turn: Turn, error: unknown): boolean =>
    turn.session.mode === 'chatgpt' &&
    error instanceof ResponsesTransportError &&
    isUnauthorized(error) &&
    !isMissingScope(error) &&
    !isMissingAccountId(error);

  const request = async <T>(turn: Turn, attempt: (credentials: Credentials) => Promise<T>): Promise<T> => {
    let refreshed = false;
    for (;;) {
      if (context.isClosed()) {
        throw new CodexProviderError('invalid-request', 'The provider was closed. Create a new provider.', {
          isRetryable: false,
        });
      }
      if (turn.signal?.aborted) throw abortedError(turn.signal.reason);
      // A token refresh may be slow (network): the caller's abort must not wait for it.
      const credentials = await raceCallerAbort(turn.session.getCredentials(), turn.signal);
      turn.sentSecret = credentials.bearerToken;
      try {
        return await attempt(credentials);
      } catch (error) {
        if (error instanceof CodexProviderError) throw error;
        if (error instanceof ResponsesTransportError) context.rememberRateLimits(error.rateLimits);
        if (!refreshed && canRefreshAfter(turn, error)) {
          refreshed = true;
          await raceCallerAbort(turn.session.refreshAfterRejection(credentials.bearerToken), turn.signal);
          continue;
        }
        throw toProviderError(error, turn, { midStream: false });
      }
    }
  };

  return {
    send: (turn) => request(turn, (credentials) => sendWithFallback(turn, credentials)),
    request,
    prefersWebSocket,
    rememberFallback,
    toProviderError,
  };
}
