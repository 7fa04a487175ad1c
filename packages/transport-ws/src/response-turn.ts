import {
  isTerminalEventType,
  parseRateLimitHeaders,
  type RateLimitSnapshot,
  type ResponsesStreamEvent,
} from '@codetether/responses-protocol';
import type { RawData } from 'ws';
import { decodeFrame, MalformedFrameError } from './frame-decoder.js';
import { abortedError } from './open-connection.js';
import { PingFloodError } from './ping-responder.js';
import { normalizeHeaders } from './response-headers.js';
import type { ConnectionListener, ResponsesConnection } from './responses-connection.js';
import type { TransportScheduler } from './scheduler.js';
import { errorFromServerFailure, readErrorEventStatus } from './server-error.js';
import { WebSocketTransportError } from './web-socket-transport-error.js';

/** How a turn hands its socket back. */
export type TurnOutcome = 'reusable' | 'discard';

/** Options of {@link ResponseTurn}. */
export interface ResponseTurnOptions {
  /** The socket to send the request on. */
  connection: ResponsesConnection;
  /** True when the socket came from the pool (it may have gone stale while idle). */
  reused: boolean;
  /**
   * The `response.create` frame to send on a socket, serialized: asked again for the fresh socket of
   * a resend (whose frame may differ: a continuation is only understood by the socket that produced
   * the previous response).
   */
  payloadFor(connection: ResponsesConnection): string;
  /** Cancels the turn. */
  signal?: AbortSignal | undefined;
  /** Fail when no frame arrives for this long while the response is in flight. */
  idleEventTimeoutMs: number;
  /**
   * On a reused socket, no frame this long after sending means the socket went stale while idle
   * (e.g. the server vanished without closing it): it is destroyed and the request resent once on a
   * fresh socket. Unset: only `idleEventTimeoutMs` applies.
   */
  staleSocketTimeoutMs?: number | undefined;
  /** Timers. */
  scheduler: TransportScheduler;
  /** Current time, epoch ms. */
  now: () => number;
  /** Host name for messages. */
  host: string;
  /** Opens a fresh socket when a reused one closes before answering (tried once). */
  reconnect?: (() => Promise<ResponsesConnection>) | undefined;
  /** Gives a socket back: `reusable` after a clean terminal event, `discard` otherwise. */
  release(connection: ResponsesConnection, outcome: TurnOutcome): void;
  /** Receives the rate limits of a `codex.rate_limits` event. */
  onRateLimits?: ((snapshot: RateLimitSnapshot) => void) | undefined;
  /** Called once when the turn no longer owns a socket. */
  onSettled?: (() => void) | undefined;
}

type QueueItem =
  | { kind: 'event'; event: ResponsesStreamEvent }
  | { kind: 'end' }
  | { kind: 'error'; error: WebSocketTransportError };

interface Waiter {
  resolve(result: IteratorResult<ResponsesStreamEvent, undefined>): void;
  reject(error: unknown): void;
}

const MESSAGE_TOO_BIG = 1009;
/** Undelivered events at which the socket stops reading until the consumer catches up. */
export const QUEUE_HIGH_WATER_MARK = 1024;
/** Undelivered events at which a paused socket reads again. */
export const QUEUE_LOW_WATER_MARK = 256;
const RATE_LIMITS_EVENT = 'codex.rate_limits';
const RESPONSE_CREATED_EVENT = 'response.created';

/** The id of the response an event carries (`response.created`, `response.completed`…), if any. */
function responseIdOf(event: ResponsesStreamEvent): string | undefined {
  const response = (event as { response?: unknown }).response;
  if (typeof response !== 'object' || response === null) return undefined;
  const id = (response as { id?: unknown }).id;
  return typeof id === 'string' ? id : undefined;
}

/** An id as shown in a message: a hostile server's 1 MB id is cut short. */
function shownId(id: string): string {
  return id.length > 64 ? `${id.slice(0, 64)}…` : id;
}

/**
 * One response on one socket: sends `response.create`, turns frames into events for a single
 * consumer, ends after the terminal event and hands the socket back. A close, error, idle timeout or
 * abort before the terminal event ends the turn with a {@link WebSocketTransportError} whose
 * `fallbackSafe` is true only when no event of this response was received; the socket is then
 * discarded, never returned to the pool mid-response.
 */
export class ResponseTurn implements AsyncIterator<ResponsesStreamEvent, undefined>, ConnectionListener {
  private connection: ResponsesConnection | undefined;
  private reused: boolean;
  private readonly options: ResponseTurnOptions;
  private readonly queue: QueueItem[] = [];
  private readonly waiters: Waiter[] = [];
  private received = 0;
  /** The id of the response this turn carries, from the first event that names one. */
  private responseId: string | undefined;
  private settled = false;
  private drained = false;
  private retried = false;
  private paused = false;
  private idleTimer: unknown;
  /** Whether the armed idle timer is the stale-socket probe, and its delay (to restart it in place). */
  private idleTimerProbing = false;
  private idleTimerMs = 0;
  private readonly onAbort = (): void => {
    this.fail(abortedError(this.options.signal, this.received === 0), true);
  };

  /** @param options - socket, request frame, timers and the release callback */
  constructor(options: ResponseTurnOptions) {
    this.options = options;
    this.connection = options.connection;
    this.reused = options.reused;
  }

  /** Sends the request. Call once. */
  start(): void {
    const { signal } = this.options;
    if (signal?.aborted) {
      this.onAbort();
      return;
    }
    signal?.addEventListener('abort', this.onAbort, { once: true });
    if (this.connection !== undefined) this.sendOn(this.connection);
  }

  /** Ends the turn with `error` (dropping undelivered events) and discards the socket. */
  cancel(error: WebSocketTransportError): void {
    this.fail(error, true);
  }

  /** Number of events received for this response. */
  get receivedCount(): number {
    return this.received;
  }

  /** @internal socket listener */
  onFrame(data: RawData, isBinary: boolean): void {
    if (this.settled) return;
    this.armIdleTimer();
    let event: ResponsesStreamEvent;
    try {
      event = decodeFrame(data, isBinary);
    } catch (error) {
      const reason = error instanceof MalformedFrameError ? error.message : 'a frame could not be decoded';
      this.fail(
        new WebSocketTransportError(
          'protocol',
          `The Responses WebSocket sent a malformed frame: ${reason}. This is a server or proxy problem; try again or use the HTTP transport.`,
          { fallbackSafe: this.received === 0, isRetryable: false, cause: error },
        ),
      );
      return;
    }
    if (event.type === 'error') {
      const record = event as unknown as Record<string, unknown>;
      const status = readErrorEventStatus(record);
      if (status !== undefined) {
        const headers =
          typeof record.headers === 'object' && record.headers !== null
            ? normalizeHeaders(record.headers as Record<string, unknown>)
            : {};
        this.fail(
          errorFromServerFailure({
            origin: 'event',
            status,
            headers,
            body: record,
            fallbackSafe: this.received === 0,
            now: this.options.now(),
          }),
        );
        return;
      }
      this.received += 1;
      this.push({ kind: 'event', event });
      this.settle('discard');
      this.push({ kind: 'end' });
      return;
    }
    if (!this.belongsToThisResponse(event)) return;
    this.received += 1;
    if ((event.type as string) === RATE_LIMITS_EVENT)
      this.readRateLimits(event as unknown as Record<string, unknown>);
    this.push({ kind: 'event', event });
    if (isTerminalEventType(event.type)) {
      this.settle('reusable');
      this.push({ kind: 'end' });
    }
  }

  /** @internal socket listener */
  onClose(code: number, reason: string, error: Error | undefined): void {
    if (this.settled) return;
    const connection = this.connection;
    const reconnect = this.options.reconnect;
    if (this.reused && this.received === 0 && !this.retried && reconnect !== undefined) {
      this.retried = true;
      this.reused = false;
      this.connection = undefined;
      this.clearIdleTimer();
      if (connection !== undefined) this.options.release(connection, 'discard');
      reconnect().then(
        (fresh) => {
          if (this.settled) {
            this.options.release(fresh, 'discard');
            return;
          }
          this.connection = fresh;
          this.sendOn(fresh);
        },
        (connectError: unknown) => {
          this.fail(
            connectError instanceof WebSocketTransportError
              ? connectError
              : new WebSocketTransportError('network', 'Could not reopen the Responses WebSocket.', {
                  fallbackSafe: true,
                  isRetryable: true,
                  cause: connectError,
                }),
          );
        },
      );
      return;
    }
    const fallbackSafe = this.received === 0;
    const shownReason = reason === '' ? '' : `: ${reason}`;
    const localErrorCode = (error as { code?: unknown } | undefined)?.code;
    if (error instanceof PingFloodError) {
      this.fail(
        new WebSocketTransportError(
          'protocol',
          `The Responses WebSocket to ${this.options.host} was closed: ${error.message}. This is a server or proxy problem; try again or use the HTTP transport.`,
          { fallbackSafe, isRetryable: false, closeCode: code, cause: error },
        ),
      );
      return;
    }
    if (localErrorCode === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') code = MESSAGE_TOO_BIG;
    else if (typeof localErrorCode === 'string' && localErrorCode.startsWith('WS_ERR_')) {
      this.fail(
        new WebSocketTransportError(
          'protocol',
          `The Responses WebSocket broke the WebSocket protocol (${localErrorCode}); the socket was closed. Try again or use the HTTP transport.`,
          { fallbackSafe, isRetryable: false, closeCode: code, cause: error },
        ),
      );
      return;
    }
    if (code === MESSAGE_TOO_BIG) {
      this.fail(
        new WebSocketTransportError(
          'message-too-big',
          `The Responses WebSocket closed with code 1009 (message too big${shownReason}). Shorten the conversation or use the HTTP transport.`,
          { fallbackSafe, isRetryable: false, closeCode: code, closeReason: reason, cause: error },
        ),
      );
      return;
    }
    const advice = fallbackSafe
      ? 'Nothing of the response arrived, so it is safe to retry or to send it over HTTP.'
      : 'Part of the response was already delivered; retrying would repeat it.';
    this.fail(
      new WebSocketTransportError(
        'closed-before-completion',
        `The Responses WebSocket to ${this.options.host} closed before the response completed (code ${code}${shownReason}). ${advice}`,
        { fallbackSafe, isRetryable: fallbackSafe, closeCode: code, closeReason: reason, cause: error },
      ),
    );
  }

  /** Next event; throws the turn's {@link WebSocketTransportError} if it failed. */
  next(): Promise<IteratorResult<ResponsesStreamEvent, undefined>> {
    const item = this.queue.shift();
    if (this.paused && this.queue.length <= QUEUE_LOW_WATER_MARK) this.resumeReading();
    if (item !== undefined) return this.deliver(item);
    if (this.drained) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
    });
  }

  /** Stops consuming: a response still in flight is abandoned and its socket discarded. */
  return(): Promise<IteratorResult<ResponsesStreamEvent, undefined>> {
    if (!this.settled) {
      this.queue.length = 0;
      this.settle('discard');
    }
    this.queue.length = 0;
    this.finishConsumer();
    return Promise.resolve({ done: true, value: undefined });
  }

  private deliver(item: QueueItem): Promise<IteratorResult<ResponsesStreamEvent, undefined>> {
    if (item.kind === 'event') return Promise.resolve({ done: false, value: item.event });
    this.finishConsumer();
    if (item.kind === 'end') return Promise.resolve({ done: true, value: undefined });
    return Promise.reject(item.error);
  }

  private finishConsumer(): void {
    this.drained = true;
    for (const waiter of this.waiters.splice(0)) waiter.resolve({ done: true, value: undefined });
  }

  private push(item: QueueItem): void {
    if (this.drained) return;
    const waiter = this.waiters.shift();
    if (waiter === undefined) {
      this.queue.push(item);
      if (!this.settled && !this.paused && this.queue.length >= QUEUE_HIGH_WATER_MARK) this.pauseReading();
      return;
    }
    if (item.kind === 'event') {
      waiter.resolve({ done: false, value: item.event });
      return;
    }
    if (item.kind === 'end') waiter.resolve({ done: true, value: undefined });
    else waiter.reject(item.error);
    this.finishConsumer();
  }

  private sendOn(connection: ResponsesConnection): void {
    connection.attach(this);
    if (this.settled || this.connection !== connection) return;
    connection.turnCount += 1;
    connection.send(this.options.payloadFor(connection));
    this.armIdleTimer();
  }

  private fail(error: WebSocketTransportError, dropQueued = false): void {
    if (this.settled) return;
    if (dropQueued) this.queue.length = 0;
    this.settle('discard');
    this.push({ kind: 'error', error });
  }

  private settle(outcome: TurnOutcome): void {
    if (this.settled) return;
    this.settled = true;
    this.clearIdleTimer();
    if (this.paused) {
      this.paused = false;
      this.connection?.resume();
    }
    this.options.signal?.removeEventListener('abort', this.onAbort);
    const connection = this.connection;
    this.connection = undefined;
    if (connection !== undefined) {
      if (this.responseId !== undefined) connection.lastResponseId = this.responseId;
      connection.detach(this);
      this.options.release(connection, outcome);
    }
    this.options.onSettled?.();
  }

  /**
   * Checks that an event naming a response names this turn's one (the first named wins). A late
   * event of the previous response on the same socket (other than `response.created`), before this
   * one's first, is dropped (false);
   * any other event of another response — a proxy that mixes streams up — fails the turn with
   * `protocol` (false): taking its `response.completed` for this one's would end the turn with
   * someone else's output.
   */
  private belongsToThisResponse(event: ResponsesStreamEvent): boolean {
    const id = responseIdOf(event);
    if (id === undefined) return true;
    if (
      this.responseId === undefined &&
      id === this.connection?.lastResponseId &&
      event.type !== RESPONSE_CREATED_EVENT
    ) {
      // A late event of the socket's previous response: dropped, and the socket is not reused. (A
      // `response.created` starts this turn's response, even from a server that reuses ids.)
      if (this.connection !== undefined) this.connection.receivedStrayFrame = true;
      return false;
    }
    this.responseId ??= id;
    if (id === this.responseId) return true;
    this.fail(
      new WebSocketTransportError(
        'protocol',
        `The Responses WebSocket sent an event of another response (${shownId(id)}) in the middle of this one (${shownId(this.responseId)}). This is a server or proxy problem; try again or use the HTTP transport.`,
        { fallbackSafe: this.received === 0, isRetryable: false },
      ),
    );
    return false;
  }

  private readRateLimits(event: Record<string, unknown>): void {
    const { onRateLimits } = this.options;
    if (onRateLimits === undefined || typeof event.headers !== 'object' || event.headers === null) return;
    const headers = normalizeHeaders(event.headers as Record<string, unknown>);
    onRateLimits(parseRateLimitHeaders(headers, { now: this.options.now() }));
  }

  /** Back-pressure: stop reading while the consumer is far behind; the idle timer pauses too. */
  private pauseReading(): void {
    this.paused = true;
    this.clearIdleTimer();
    this.connection?.pause();
  }

  private resumeReading(): void {
    this.paused = false;
    if (this.settled) return;
    this.connection?.resume();
    this.armIdleTimer();
  }

  private armIdleTimer(): void {
    if (this.paused) {
      this.clearIdleTimer();
      return;
    }
    const { staleSocketTimeoutMs } = this.options;
    const probingReusedSocket =
      this.reused && this.received === 0 && !this.retried && staleSocketTimeoutMs !== undefined;
    const timeoutMs = probingReusedSocket
      ? Math.min(staleSocketTimeoutMs, this.options.idleEventTimeoutMs)
      : this.options.idleEventTimeoutMs;
    // Called for every frame: restart a Node timer of the same kind in place instead of replacing it.
    const armed = this.idleTimer as { refresh?: unknown } | undefined;
    if (
      armed !== undefined &&
      typeof armed.refresh === 'function' &&
      this.idleTimerProbing === probingReusedSocket &&
      this.idleTimerMs === timeoutMs
    ) {
      (armed as { refresh(): void }).refresh();
      return;
    }
    this.clearIdleTimer();
    this.idleTimerProbing = probingReusedSocket;
    this.idleTimerMs = timeoutMs;
    this.idleTimer = this.options.scheduler.setTimeout(() => {
      this.idleTimer = undefined;
      if (probingReusedSocket && this.received === 0 && this.connection !== undefined) {
        // The pooled socket does not answer: destroy it; onClose resends on a fresh socket.
        void this.connection.terminate();
        return;
      }
      this.fail(
        new WebSocketTransportError(
          'timeout-idle',
          `No event arrived on the Responses WebSocket for ${timeoutMs} ms. The stream was closed; try again or use the HTTP transport.`,
          { fallbackSafe: this.received === 0, isRetryable: this.received === 0 },
        ),
      );
    }, timeoutMs);
  }

  private clearIdleTimer(): void {
    if (this.idleTimer === undefined) return;
    this.options.scheduler.clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}
