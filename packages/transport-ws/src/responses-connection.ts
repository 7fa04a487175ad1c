import type { Socket } from 'node:net';
import type WebSocket from 'ws';
import type { RawData } from 'ws';
import type { HandshakeMetadata } from './handshake-metadata.js';
import { type EarlySocketEvents, MAX_EARLY_FRAMES, type ReceivedFrame } from './open-connection.js';
import type { TransportScheduler } from './scheduler.js';

const OPEN = 1;
/** How long a polite close may wait for the server's close frame before the socket is destroyed. */
export const CLOSE_GRACE_MS = 2_000;

/** Receives the frames and the close of the socket while a turn owns it. */
export interface ConnectionListener {
  /** One message (text or binary). */
  onFrame(data: RawData, isBinary: boolean): void;
  /** The socket closed; `error` is the socket error that preceded the close, if any. */
  onClose(code: number, reason: string, error: Error | undefined): void;
}

/**
 * One open Responses WebSocket with the metadata of its handshake. At most one turn (listener) owns it
 * at a time; frames that arrive while nobody owns it are dropped.
 */
export class ResponsesConnection {
  /** The connection's id, unique within its transport (what a request's `continuation` names). */
  readonly id: string;
  /** The socket. */
  readonly socket: WebSocket;
  /** What the handshake said. */
  readonly handshake: HandshakeMetadata;
  /** When the socket opened, epoch ms. */
  readonly openedAt: number;
  /** When the socket last finished a turn (or opened), epoch ms. */
  lastActiveAt: number;
  /** Turns this socket has carried. */
  turnCount = 0;
  /**
   * What a turn must match to reuse this socket (endpoint and credentials), set by the transport; a
   * pooled socket is never handed to a request for another endpoint or account.
   */
  reuseKey: string | undefined;
  /**
   * True once a frame arrived while no turn owned the socket (e.g. events after `response.completed`).
   * Such a socket is not reused: a late frame could otherwise be taken for the next response's.
   */
  receivedStrayFrame = false;
  /**
   * The id of the last response this socket carried (set when its turn ends): a late event of it
   * that arrives during the next turn is dropped, not taken for the next response's.
   */
  lastResponseId: string | undefined;
  private listener: ConnectionListener | undefined;
  /** Frames that arrived before the first turn took the socket; `undefined` once one did. */
  private earlyFrames: ReceivedFrame[] | undefined;
  private lastError: Error | undefined;
  private closeInfo: { code: number; reason: string } | undefined;
  private readonly closeHandlers = new Set<(connection: ResponsesConnection) => void>();
  /** Called once when the socket starts closing (`close()`, `terminate()`) or closes; cleared then. */
  private closingHandlers: Array<() => void> | undefined = [];
  private readonly closed: Promise<void>;
  private readonly scheduler: TransportScheduler;
  private graceTimer: unknown;

  /**
   * @param id - the connection's id, unique within its transport
   * @param socket - an open socket
   * @param handshake - its handshake metadata
   * @param openedAt - when it opened, epoch ms
   * @param scheduler - timers (for the close grace period)
   * @param early - what the socket received before this object listened (see `takeEarlyEvents`)
   */
  constructor(
    id: string,
    socket: WebSocket,
    handshake: HandshakeMetadata,
    openedAt: number,
    scheduler: TransportScheduler,
    early: EarlySocketEvents = { error: undefined, frames: [] },
  ) {
    this.id = id;
    this.lastError = early.error;
    this.earlyFrames = early.frames;
    this.socket = socket;
    this.scheduler = scheduler;
    this.handshake = handshake;
    this.openedAt = openedAt;
    this.lastActiveAt = openedAt;
    let markClosed: () => void = () => {};
    this.closed = new Promise<void>((resolve) => {
      markClosed = resolve;
    });
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (this.listener !== undefined) this.listener.onFrame(data, isBinary);
      else if (this.earlyFrames !== undefined && this.earlyFrames.length < MAX_EARLY_FRAMES) {
        this.earlyFrames.push({ data, isBinary });
      } else this.receivedStrayFrame = true;
    });
    socket.on('error', (error: Error) => {
      this.lastError = error;
    });
    socket.on('close', (code: number, reason: Buffer) => {
      this.closeInfo = { code, reason: reason.toString('utf8') };
      this.markClosing();
      if (this.graceTimer !== undefined) this.scheduler.clearTimeout(this.graceTimer);
      const listener = this.listener;
      this.listener = undefined;
      listener?.onClose(code, this.closeInfo.reason, this.lastError);
      for (const handler of this.closeHandlers) handler(this);
      this.closeHandlers.clear();
      markClosed();
    });
  }

  /** True while the socket is open and has not started closing. */
  get isOpen(): boolean {
    return this.closeInfo === undefined && this.socket.readyState === OPEN;
  }

  /** True once the socket has closed. */
  get isClosed(): boolean {
    return this.closeInfo !== undefined;
  }

  /**
   * Gives the socket to a turn. The first turn gets, at once, the frames that arrived before it took
   * the socket (the server may answer the upgrade with an `error` event before any request). If the
   * socket already closed, the turn hears about it at once (after those frames).
   */
  attach(listener: ConnectionListener): void {
    const earlyFrames = this.earlyFrames ?? [];
    this.earlyFrames = undefined;
    if (this.closeInfo === undefined) {
      // The error of a socket that is already closing belongs to this turn: its close follows.
      if (this.isOpen) this.lastError = undefined;
      this.listener = listener;
    }
    for (const { data, isBinary } of earlyFrames) listener.onFrame(data, isBinary);
    if (this.closeInfo !== undefined) {
      listener.onClose(this.closeInfo.code, this.closeInfo.reason, this.lastError);
    }
  }

  /** Takes the socket back from a turn (no-op when another listener owns it). */
  detach(listener: ConnectionListener): void {
    if (this.listener === listener) this.listener = undefined;
  }

  /** Sends one text frame; a failure surfaces as the socket's close. */
  send(text: string): void {
    if (!this.isOpen) return;
    this.socket.send(text, (error) => {
      if (error !== undefined && error !== null) this.lastError = error;
    });
  }

  /** Stops reading frames (back-pressure while the consumer is behind). */
  pause(): void {
    if (this.closeInfo === undefined && !this.socket.isPaused) this.socket.pause();
  }

  /** Reads frames again after {@link ResponsesConnection.pause}. */
  resume(): void {
    if (this.closeInfo === undefined && this.socket.isPaused) this.socket.resume();
  }

  /** Calls `handler` once when the socket closes. */
  onClosed(handler: (connection: ResponsesConnection) => void): void {
    if (this.closeInfo !== undefined) handler(this);
    else this.closeHandlers.add(handler);
  }

  /**
   * Calls `handler` once, as soon as the socket starts closing ({@link ResponsesConnection.close},
   * {@link ResponsesConnection.terminate}) or closes, whichever comes first (at once when it already
   * did). The transport frees the socket's place under `maxConnections` there.
   */
  onClosing(handler: () => void): void {
    if (this.closingHandlers === undefined) handler();
    else this.closingHandlers.push(handler);
  }

  /** Runs the {@link ResponsesConnection.onClosing} handlers, the first time only. */
  private markClosing(): void {
    const handlers = this.closingHandlers;
    this.closingHandlers = undefined;
    for (const handler of handlers ?? []) handler();
  }

  /**
   * Closes politely (code 1000) and resolves once the socket is closed; a server that does not answer
   * the close within {@link CLOSE_GRACE_MS} gets the socket destroyed.
   */
  close(): Promise<void> {
    this.markClosing();
    if (this.closeInfo === undefined && this.graceTimer === undefined) {
      this.setKeepsProcessAlive(true);
      this.socket.close(1000);
      this.graceTimer = this.scheduler.setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS);
    }
    return this.closed;
  }

  /** Destroys the socket at once (a response may be in flight) and resolves once it is closed. */
  terminate(): Promise<void> {
    this.markClosing();
    if (this.closeInfo === undefined) this.socket.terminate();
    return this.closed;
  }

  /**
   * Lets an idle pooled socket not keep the process alive (`false`), or makes it count again (`true`)
   * when a turn takes it.
   */
  setKeepsProcessAlive(keepAlive: boolean): void {
    const raw = (this.socket as unknown as { _socket?: Socket | null })._socket;
    if (raw === undefined || raw === null) return;
    if (keepAlive) raw.ref();
    else raw.unref();
  }
}
