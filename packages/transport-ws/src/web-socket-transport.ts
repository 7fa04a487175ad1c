import { createHash } from 'node:crypto';
import {
  collectRequestSecrets,
  type RateLimitSnapshot,
  type ResponsesStreamEvent,
  type ResponsesTransport,
  redactErrorInPlace,
  type TransportRequest,
  type TransportResponse,
} from '@codetether/responses-protocol';
import WebSocket from 'ws';
import {
  type ConnectionOpenerSettings,
  createConnectionOpener,
  transportClosedError,
} from './connection-opener.js';
import { ConnectionPool } from './connection-pool.js';
import { createContinuationPayload } from './continuation-payload.js';
import { buildHandshakeHeaders } from './handshake-headers.js';
import { abortedError, type WebSocketConstructor } from './open-connection.js';
import { ResponseTurn, type TurnOutcome } from './response-turn.js';
import type { ResponsesConnection } from './responses-connection.js';
import { systemScheduler, type TransportScheduler } from './scheduler.js';
import { toWebSocketUrl } from './web-socket-url.js';

/** Default: an idle pooled socket is closed after 5 minutes without a turn. */
export const DEFAULT_IDLE_TIMEOUT_MS = 5 * 60_000;
/** Default: no turn starts on a socket older than 55 minutes (the server's limit is 60). */
export const DEFAULT_MAX_CONNECTION_AGE_MS = 55 * 60_000;
/** Default: the handshake must finish within 15 seconds. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
/** Default: a response fails when no frame arrives for 5 minutes. */
export const DEFAULT_IDLE_EVENT_TIMEOUT_MS = 5 * 60_000;
/** Default: at most 256 idle sockets are kept; beyond that the one idle the longest closes. */
export const DEFAULT_MAX_IDLE_CONNECTIONS = 256;
/**
 * Default: at most 1024 sockets open (or opening) at once, busy and idle together; a request that
 * needs one more while all are busy fails with `too-many-connections` (idle ones are closed first).
 */
export const DEFAULT_MAX_CONNECTIONS = 1024;
/** Default: messages larger than 64 MiB close the socket (code 1009). */
export const DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

/** Options of {@link createWebSocketTransport}. All are optional. */
export interface WebSocketTransportOptions {
  /** WebSocket class (default: `ws`'s). */
  WebSocket?: WebSocketConstructor;
  /** Close an idle pooled socket after this many ms (default 5 min). */
  idleTimeoutMs?: number;
  /** Never start a turn on a socket older than this many ms; idle ones are closed before (default 55 min). */
  maxConnectionAgeMs?: number;
  /**
   * Most idle sockets kept for later turns, all sessions together (default 256). Beyond it, spare
   * sockets of ended sessions close first, then the one idle the longest.
   */
  maxIdleConnections?: number;
  /**
   * Most sockets open or opening at once, busy and idle together (default 1024; sockets closing do
   * not count). A request that needs a new socket beyond it closes an idle one to make room; when
   * every socket carries a response, it fails at once with the fallback-safe, retryable
   * `too-many-connections` (it does not wait), so the caller can send it over HTTP instead.
   */
  maxConnections?: number;
  /** Current time, epoch ms (default `Date.now`). */
  now?: () => number;
  /**
   * Handshake timeout, ms (default 15 s). Also how long a turn on a reused pooled socket waits for
   * the first frame before it takes the socket for stale and resends the request on a fresh one.
   */
  connectTimeoutMs?: number;
  /** Fail a response when no frame arrives for this many ms (default 5 min). */
  idleEventTimeoutMs?: number;
  /** Timers (default Node timers that do not keep the process alive). Inject to test expiry without sleeping. */
  scheduler?: TransportScheduler;
  /** Offer permessage-deflate compression (default false: lower latency). */
  perMessageDeflate?: boolean;
  /** Largest accepted message in bytes (default 64 MiB). */
  maxPayloadBytes?: number;
}

/** Counts of the sockets a transport holds, for monitoring and tests. */
export interface WebSocketTransportState {
  /** Sockets open (busy + idle), closing ones included. */
  openConnections: number;
  /**
   * Sockets counted against `maxConnections`: handshakes in progress plus open sockets that are not
   * closing. 0 once every response ended and every socket closed.
   */
  countedConnections: number;
  /** Idle sockets waiting in the pool. */
  idleConnections: number;
  /** Responses in flight. */
  activeResponses: number;
}

/** The Responses WebSocket transport: a `ResponsesTransport` that also reports its socket counts. */
export interface WebSocketTransport extends ResponsesTransport {
  /**
   * Sends one request and resolves once the socket is open and `response.create` is sent. Reuses the
   * session's idle socket when there is one. Rejects with a {@link WebSocketTransportError} when the
   * socket cannot be opened (all of those are `fallbackSafe`).
   */
  stream(request: TransportRequest): Promise<TransportResponse>;
  /**
   * Releases the socket of a session that is over (a conversation ended or was dropped): closes the
   * idle socket kept for `sessionId` at once and resolves once it is closed. A response of the session
   * still in flight keeps its socket until it ends; the socket is then released the same way instead
   * of waiting in the pool (unless the session sent a new request meanwhile). The idle socket of a
   * session that shares sockets (`TransportRequest.shareConnection`) becomes a spare for the other
   * sharing sessions instead, for at most 30 s and only while fewer than 8 spares are idle
   * (`SPARE_IDLE_TIMEOUT_MS`, `MAX_SPARE_IDLE_SOCKETS`); otherwise it closes at once too.
   */
  closeSession(sessionId: string): Promise<void>;
  /** Ends responses in flight (`transport-closed`), closes every socket and waits until they are closed. */
  close(): Promise<void>;
  /** Current socket counts. */
  state(): WebSocketTransportState;
}

/**
 * What a pooled socket must match to carry a request: the endpoint and the account — the
 * `chatgpt-account-id` header when present (so a refreshed access token keeps the socket), else the
 * credential headers (API keys). A session that switches backend or account gets a fresh socket.
 * Hashed, so no token is kept twice.
 */
function reuseKeyOf(url: string, headers: Record<string, string>): string {
  const hash = createHash('sha256').update(url);
  const pattern = Object.keys(headers).some((name) => name.toLowerCase() === 'chatgpt-account-id')
    ? /^chatgpt-account-id$/i
    : /^(authorization|cookie|x-api-key|api-key|openai-api-key)$/i;
  const names = Object.keys(headers)
    .filter((name) => pattern.test(name))
    .sort();
  for (const name of names) hash.update(`\n${name.toLowerCase()}:${headers[name]}`);
  return hash.digest('hex');
}

/**
 * Whether a request of no session may go out on a spare (the idle socket of an ended sharing
 * session). The server keeps that socket's last response for `previous_response_id`; a request that
 * names no previous response (in its body or as a `continuation`) cannot reach it, and the socket
 * closes after the request's own response, so nothing of either conversation reaches the other.
 */
function mayTakeSpare(request: TransportRequest): boolean {
  const previous = request.body.previous_response_id;
  return request.continuation === undefined && (previous === undefined || previous === null);
}

/** Wraps a turn so every error it throws is scrubbed of the request's credentials first. */
function redactingIterator(
  turn: ResponseTurn,
  secrets: readonly string[],
): AsyncIterator<ResponsesStreamEvent, undefined> {
  return {
    next: () =>
      turn.next().catch((error: unknown) => {
        throw error instanceof Error ? redactErrorInPlace(error, secrets) : error;
      }),
    return: () => turn.return(),
  };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive number of milliseconds (got ${value}).`);
  }
  return value;
}

function positiveCount(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive whole number (got ${value}).`);
  }
  return value;
}

/** The options of {@link createWebSocketTransport} with every default applied and checked. */
interface WebSocketTransportSettings extends ConnectionOpenerSettings {
  idleTimeoutMs: number;
  maxConnectionAgeMs: number;
  maxIdleConnections: number;
  idleEventTimeoutMs: number;
}

function resolveSettings(options: WebSocketTransportOptions): WebSocketTransportSettings {
  return {
    WebSocket: options.WebSocket ?? WebSocket,
    now: options.now ?? Date.now,
    scheduler: options.scheduler ?? systemScheduler,
    idleTimeoutMs: positive(options.idleTimeoutMs, DEFAULT_IDLE_TIMEOUT_MS, 'idleTimeoutMs'),
    maxConnectionAgeMs: positive(
      options.maxConnectionAgeMs,
      DEFAULT_MAX_CONNECTION_AGE_MS,
      'maxConnectionAgeMs',
    ),
    maxIdleConnections: positiveCount(
      options.maxIdleConnections,
      DEFAULT_MAX_IDLE_CONNECTIONS,
      'maxIdleConnections',
    ),
    maxConnections: positiveCount(options.maxConnections, DEFAULT_MAX_CONNECTIONS, 'maxConnections'),
    connectTimeoutMs: positive(options.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS, 'connectTimeoutMs'),
    idleEventTimeoutMs: positive(
      options.idleEventTimeoutMs,
      DEFAULT_IDLE_EVENT_TIMEOUT_MS,
      'idleEventTimeoutMs',
    ),
    maxPayloadBytes: positive(options.maxPayloadBytes, DEFAULT_MAX_PAYLOAD_BYTES, 'maxPayloadBytes'),
    perMessageDeflate: options.perMessageDeflate ?? false,
  };
}

/** The rate-limit snapshot of a response, updated in place from `codex.rate_limits` events. */
function replaceRateLimits(target: RateLimitSnapshot, snapshot: RateLimitSnapshot): void {
  if (Object.keys(snapshot).length === 0) return;
  for (const key of Object.keys(target)) delete target[key as keyof RateLimitSnapshot];
  Object.assign(target, snapshot);
}

/**
 * Creates the Responses WebSocket transport: connects with the caller's headers, sends
 * `{type: 'response.create', ...body}`, yields one event per frame, and keeps one idle socket per
 * session id for the next turn.
 *
 * @example
 * ```ts
 * const transport = createWebSocketTransport();
 * const response = await transport.stream({
 *   url: 'https://chatgpt.com/backend-api/codex/responses',
 *   headers: { Authorization: `Bearer ${token}`, 'chatgpt-account-id': accountId },
 *   body,
 *   sessionId,
 * });
 * for await (const event of response.events) console.log(event.type);
 * await transport.close();
 * ```
 */
export function createWebSocketTransport(options: WebSocketTransportOptions = {}): WebSocketTransport {
  const settings = resolveSettings(options);
  const { now, scheduler } = settings;
  const { idleTimeoutMs, maxConnectionAgeMs, maxIdleConnections } = settings;
  const pool = new ConnectionPool({ idleTimeoutMs, maxConnectionAgeMs, maxIdleConnections, now, scheduler });
  const opener = createConnectionOpener(settings, {
    onConnectionClosed: (connection) => pool.remove(connection),
    closeAnIdleConnection: () => pool.closeLongestIdle(),
  });
  const turns = new Set<ResponseTurn>();
  /** Responses in flight per session id. */
  const turnsPerSession = new Map<string, number>();
  /** Sessions released by `closeSession` while a response of theirs was in flight. */
  const sessionsEnded = new Set<string>();

  const endSession = async (sessionId: string): Promise<void> => {
    if (turnsPerSession.has(sessionId)) sessionsEnded.add(sessionId);
    await pool.endSession(sessionId)?.close();
  };

  const countTurn = (sessionId: string | undefined, change: 1 | -1): void => {
    if (sessionId === undefined) return;
    const count = (turnsPerSession.get(sessionId) ?? 0) + change;
    if (count > 0) {
      turnsPerSession.set(sessionId, count);
      return;
    }
    turnsPerSession.delete(sessionId);
    sessionsEnded.delete(sessionId);
  };

  const connect = async (
    url: string,
    headers: Record<string, string>,
    reuseKey: string,
    signal: AbortSignal | undefined,
  ): Promise<ResponsesConnection> => {
    const connection = await opener.open(url, headers, signal);
    connection.reuseKey = reuseKey;
    return connection;
  };

  const release = (
    sessionId: string | undefined,
    share: boolean,
    connection: ResponsesConnection,
    outcome: TurnOutcome,
  ): void => {
    if (outcome === 'discard') {
      void connection.terminate();
      return;
    }
    if (opener.isClosed() || sessionId === undefined) {
      void connection.close();
      return;
    }
    pool.put(sessionId, connection, share);
    if (sessionsEnded.has(sessionId)) void endSession(sessionId);
  };

  const streamWith = async (
    request: TransportRequest,
    secrets: readonly string[],
  ): Promise<TransportResponse> => {
    if (opener.isClosed()) throw transportClosedError();
    const { signal, sessionId } = request;
    if (signal?.aborted) throw abortedError(signal, true);
    // A new request: the session goes on, whatever an earlier closeSession said.
    if (sessionId !== undefined) sessionsEnded.delete(sessionId);
    const url = toWebSocketUrl(request.url);
    const headers = buildHandshakeHeaders(request.headers);
    const reuseKey = reuseKeyOf(url, headers);
    const share = request.shareConnection === true;
    const pooled =
      sessionId === undefined
        ? share && mayTakeSpare(request)
          ? pool.takeSpare(reuseKey)
          : undefined
        : pool.take(sessionId, reuseKey, share);
    const connection = pooled ?? (await connect(url, headers, reuseKey, signal));
    connection.reuseKey = reuseKey;
    if (signal?.aborted) {
      release(sessionId, share, connection, pooled === undefined ? 'discard' : 'reusable');
      throw abortedError(signal, true);
    }
    const rateLimits: RateLimitSnapshot = { ...connection.handshake.rateLimits };
    const payload = createContinuationPayload(request, connection.id);
    const turn: ResponseTurn = new ResponseTurn({
      connection,
      reused: pooled !== undefined,
      payloadFor: payload.payloadFor,
      signal,
      idleEventTimeoutMs: settings.idleEventTimeoutMs,
      staleSocketTimeoutMs: settings.connectTimeoutMs,
      scheduler,
      now,
      host: new URL(url).host,
      reconnect: () => connect(url, headers, reuseKey, signal),
      release: (owned, outcome) => release(sessionId, share, owned, outcome),
      onRateLimits: (snapshot) => replaceRateLimits(rateLimits, snapshot),
      onSettled: () => {
        turns.delete(turn);
        countTurn(sessionId, -1);
      },
    });
    turns.add(turn);
    countTurn(sessionId, 1);
    turn.start();
    const { handshake } = connection;
    const response: TransportResponse = {
      transport: 'websocket',
      status: handshake.status,
      headers: { ...handshake.headers },
      rateLimits,
      connection: payload.carrier,
      events: { [Symbol.asyncIterator]: () => redactingIterator(turn, secrets) },
    };
    if (handshake.requestId !== undefined) response.requestId = handshake.requestId;
    return response;
  };

  return {
    async stream(request) {
      const secrets = collectRequestSecrets(request.headers, request.url);
      try {
        return await streamWith(request, secrets);
      } catch (error) {
        throw error instanceof Error ? redactErrorInPlace(error, secrets) : error;
      }
    },

    closeSession: endSession,

    async close() {
      await opener.close();
      for (const turn of [...turns]) turn.cancel(transportClosedError());
      const idle = pool.drain();
      await Promise.all([
        ...idle.map((connection) => connection.close()),
        ...[...opener.connections].map((connection) =>
          idle.includes(connection) ? undefined : connection.terminate(),
        ),
      ]);
    },

    state() {
      return {
        openConnections: opener.connections.size,
        countedConnections: opener.countedConnections(),
        idleConnections: pool.size,
        activeResponses: turns.size,
      };
    },
  };
}
