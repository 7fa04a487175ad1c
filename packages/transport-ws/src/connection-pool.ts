import type { ResponsesConnection } from './responses-connection.js';
import type { TransportScheduler } from './scheduler.js';

/** Options of {@link ConnectionPool}. */
export interface ConnectionPoolOptions {
  /** Close an idle socket after this many ms without a turn. */
  idleTimeoutMs: number;
  /** Never start a turn on a socket older than this (the server closes sockets after ~60 min). */
  maxConnectionAgeMs: number;
  /** Most idle sockets held; beyond it the pool closes spares first, then the one idle the longest. */
  maxIdleConnections: number;
  /** Current time, epoch ms. */
  now: () => number;
  /** Timers for the expiry. */
  scheduler: TransportScheduler;
}

/**
 * How many sharing sessions keep their idle socket for their own next turn: beyond that many, a
 * sharing session without a socket takes the one idle the longest (see {@link ConnectionPool.take}).
 * Conversations that go on come back soon (a tool result, the user's reply); the most recent ones
 * keep their socket, and so their cheap continuation.
 */
export const RESERVED_SHARED_IDLE_SOCKETS = 32;

/**
 * Most spare sockets: idle sockets of ended sharing sessions, kept for the next new sharing session.
 * When one more session ends, the oldest spare closes.
 */
export const MAX_SPARE_IDLE_SOCKETS = 8;

/** A spare socket (see {@link MAX_SPARE_IDLE_SOCKETS}) closes after this many ms without a taker. */
export const SPARE_IDLE_TIMEOUT_MS = 30_000;

interface IdleEntry {
  /** The session the socket waits for; `undefined` once its session ended (any sharing session may take it). */
  sessionId: string | undefined;
  connection: ResponsesConnection;
  timer: unknown;
  /** Its session shares sockets (see {@link ConnectionPool.take}). */
  shared: boolean;
}

/**
 * Keeps at most one idle socket per session id for the next turn of that conversation, and at most
 * `maxIdleConnections` in all. A socket in the pool is never in use; taking it removes it (one
 * response in flight per socket). Idle sockets close after `idleTimeoutMs`, or earlier when they would
 * reach `maxConnectionAgeMs`, and do not keep the process alive. Sessions that share sockets take
 * each other's idle ones when they have none; the socket of an ended sharing session stays a spare
 * for them only briefly (see {@link MAX_SPARE_IDLE_SOCKETS}).
 */
export class ConnectionPool {
  /** Idle sockets by session, in the order they became idle (oldest first). */
  private readonly owned = new Map<string, IdleEntry>();
  /** Idle sockets of sharing sessions that ended (see {@link ConnectionPool.endSession}). */
  private readonly unowned = new Set<IdleEntry>();
  private readonly options: ConnectionPoolOptions;

  /** @param options - expiry settings, clock and timers */
  constructor(options: ConnectionPoolOptions) {
    this.options = options;
  }

  /** Number of idle sockets held. */
  get size(): number {
    return this.owned.size + this.unowned.size;
  }

  /**
   * Takes the idle socket of a session if it is still open, not expired, opened for the same
   * `reuseKey` (endpoint and credentials) and quiet while idle; any other idle socket of the session
   * is closed. A sharing session without one takes an idle socket of another sharing session: one
   * whose session ended; else, when more than {@link RESERVED_SHARED_IDLE_SOCKETS} sharing sessions
   * hold an idle socket, the one idle the longest (its conversation is the least likely to go on
   * soon); else none (a new socket is opened).
   *
   * @param sessionId - the conversation id
   * @param reuseKey - when given, the socket's `reuseKey` must be equal
   * @param share - the session shares sockets with the other sharing sessions
   * @returns the socket, now owned by the caller, or undefined when a new one must be opened
   */
  take(sessionId: string, reuseKey?: string, share = false): ResponsesConnection | undefined {
    const entry = this.owned.get(sessionId);
    if (entry !== undefined) {
      const connection = this.claim(entry, reuseKey);
      if (connection !== undefined) return connection;
    }
    return share ? this.takeShared(reuseKey) : undefined;
  }

  /**
   * Takes a spare for a request of no session (a one-shot request that shares sockets): the idle
   * socket of an ended sharing session, opened for the same `reuseKey`, if one is usable. Idle sockets
   * of live sessions are never taken: their conversations may go on, and continue on them.
   *
   * @param reuseKey - the socket's `reuseKey` must be equal
   * @returns the socket, now owned by the caller, or undefined when a new one must be opened
   */
  takeSpare(reuseKey: string): ResponsesConnection | undefined {
    return this.takeFirstUsable(this.unowned, reuseKey);
  }

  /**
   * Returns a socket whose turn ended cleanly. It becomes the session's idle socket (closing the one
   * held before, if any), unless it is closed or too old, in which case it is closed.
   *
   * @param share - the session shares sockets (its idle socket may go to another sharing session)
   */
  put(sessionId: string, connection: ResponsesConnection, share = false): void {
    const now = this.options.now();
    connection.lastActiveAt = now;
    if (!connection.isOpen) return;
    if (connection.receivedStrayFrame === true) {
      void connection.close();
      return;
    }
    const remainingAge = this.options.maxConnectionAgeMs - (now - connection.openedAt);
    if (remainingAge <= 0) {
      void connection.close();
      return;
    }
    const previous = this.owned.get(sessionId);
    if (previous !== undefined) {
      this.forget(previous);
      if (previous.connection !== connection) void previous.connection.close();
    }
    const entry: IdleEntry = { sessionId, connection, timer: undefined, shared: share };
    this.startTimer(entry, Math.min(this.options.idleTimeoutMs, remainingAge));
    this.owned.set(sessionId, entry);
    connection.setKeepsProcessAlive(false);
    this.closeBeyond(this.options.maxIdleConnections);
  }

  /**
   * The session is over. The idle socket of a session that does not share is removed and returned
   * (the caller closes it). The one of a sharing session becomes a spare for the other sharing
   * sessions for at most {@link SPARE_IDLE_TIMEOUT_MS} (nothing is returned); the oldest spare
   * closes when there are more than {@link MAX_SPARE_IDLE_SOCKETS}.
   */
  endSession(sessionId: string): ResponsesConnection | undefined {
    const entry = this.owned.get(sessionId);
    if (entry === undefined) return undefined;
    this.forget(entry);
    if (!entry.shared) return entry.connection;
    const { connection } = entry;
    const now = this.options.now();
    const remaining = Math.min(
      SPARE_IDLE_TIMEOUT_MS,
      this.options.idleTimeoutMs - (now - connection.lastActiveAt),
      this.options.maxConnectionAgeMs - (now - connection.openedAt),
    );
    if (remaining <= 0) return connection;
    entry.sessionId = undefined;
    this.startTimer(entry, remaining);
    this.unowned.add(entry);
    this.closeSparesBeyond(MAX_SPARE_IDLE_SOCKETS);
    return undefined;
  }

  /** Forgets a socket (e.g. because it closed); it is not closed here. */
  remove(connection: ResponsesConnection): void {
    for (const entry of [...this.owned.values(), ...this.unowned]) {
      if (entry.connection === connection) this.forget(entry);
    }
  }

  /**
   * Closes one idle socket to make room for a busy one (see `maxConnections`): the oldest spare of an
   * ended session, else the socket idle the longest.
   *
   * @returns true when a socket was closed, false when none is idle
   */
  closeLongestIdle(): boolean {
    const entry = this.unowned.values().next().value ?? this.owned.values().next().value;
    if (entry === undefined) return false;
    this.forget(entry);
    void entry.connection.close();
    return true;
  }

  /** Removes every idle socket and returns them (the caller closes them). */
  drain(): ResponsesConnection[] {
    const entries = [...this.owned.values(), ...this.unowned];
    for (const entry of entries) this.forget(entry);
    return entries.map((entry) => entry.connection);
  }

  /** See {@link ConnectionPool.take}: an ended sharing session's socket, else one beyond the reserve. */
  private takeShared(reuseKey: string | undefined): ResponsesConnection | undefined {
    const fromEnded = this.takeFirstUsable(this.unowned, reuseKey);
    if (fromEnded !== undefined) return fromEnded;
    const sharing = [...this.owned.values()].filter((entry) => entry.shared);
    if (sharing.length <= RESERVED_SHARED_IDLE_SOCKETS) return undefined;
    return this.takeFirstUsable(sharing.slice(0, sharing.length - RESERVED_SHARED_IDLE_SOCKETS), reuseKey);
  }

  /**
   * Takes the first usable socket of `entries` (closing the unusable ones met on the way). Taking
   * one out of the pool while iterating is safe: a `Set` skips only what was deleted before it
   * was reached.
   */
  private takeFirstUsable(entries: Iterable<IdleEntry>, reuseKey: string | undefined) {
    for (const entry of entries) {
      if (reuseKey !== undefined && entry.connection.reuseKey !== reuseKey) continue;
      const connection = this.claim(entry, reuseKey);
      if (connection !== undefined) return connection;
    }
    return undefined;
  }

  /**
   * Takes an entry out of the pool: its socket, handed over to the caller when usable; else the
   * socket is closed and `undefined` returned.
   */
  private claim(entry: IdleEntry, reuseKey: string | undefined): ResponsesConnection | undefined {
    this.forget(entry);
    const { connection } = entry;
    if (this.isUsable(connection, reuseKey)) {
      connection.setKeepsProcessAlive(true);
      return connection;
    }
    if (connection.isOpen) void connection.close();
    return undefined;
  }

  private isUsable(connection: ResponsesConnection, reuseKey: string | undefined): boolean {
    return (
      connection.isOpen &&
      (reuseKey === undefined || connection.reuseKey === reuseKey) &&
      connection.receivedStrayFrame !== true &&
      !this.isExpired(connection)
    );
  }

  private startTimer(entry: IdleEntry, delayMs: number): void {
    entry.timer = this.options.scheduler.setTimeout(() => this.expire(entry), delayMs);
  }

  /** Closes the oldest spares while there are more than `limit`. */
  private closeSparesBeyond(limit: number): void {
    for (const entry of this.unowned) {
      if (this.unowned.size <= limit) return;
      this.forget(entry);
      void entry.connection.close();
    }
  }

  /** Closes idle sockets while more than `limit` are held: spares first (oldest first), then the one idle the longest. */
  private closeBeyond(limit: number): void {
    this.closeSparesBeyond(Math.max(0, limit - this.owned.size));
    for (const entry of this.owned.values()) {
      if (this.size <= limit) return;
      this.forget(entry);
      void entry.connection.close();
    }
  }

  /** Takes an entry out of the pool and stops its timer (the socket is left as it is). */
  private forget(entry: IdleEntry): void {
    this.options.scheduler.clearTimeout(entry.timer);
    if (entry.sessionId === undefined) this.unowned.delete(entry);
    else if (this.owned.get(entry.sessionId) === entry) this.owned.delete(entry.sessionId);
  }

  private isExpired(connection: ResponsesConnection): boolean {
    const now = this.options.now();
    return (
      now - connection.lastActiveAt >= this.options.idleTimeoutMs ||
      now - connection.openedAt >= this.options.maxConnectionAgeMs
    );
  }

  private expire(entry: IdleEntry): void {
    const current =
      entry.sessionId === undefined ? this.unowned.has(entry) : this.owned.get(entry.sessionId) === entry;
    if (!current) return;
    this.forget(entry);
    void entry.connection.close();
  }
}
