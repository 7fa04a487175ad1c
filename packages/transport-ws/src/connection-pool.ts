import type { ResponsesConnection } from './responses-connection.js';
import type { TransportScheduler } from './scheduler.js';

/** Options of {@link ConnectionPool}. */
export interface ConnectionPoolOptions {
  /** Close an idle socket after this many ms without a turn. */
  idleTimeoutMs: number;
  /** Never start a turn on a socket older than this (the server closes sockets after ~60 min). */
  maxConnectionAgeMs: number;
  /** Current time, epoch ms. */
  now: () => number;
  /** Timers for the expiry. */
  scheduler: TransportScheduler;
}

interface IdleEntry {
  connection: ResponsesConnection;
  timer: unknown;
}

/**
 * Keeps at most one idle socket per session id for the next turn of that conversation. A socket in
 * the pool is never in use; taking it removes it (one response in flight per socket). Idle sockets
 * close after `idleTimeoutMs`, or earlier when they would reach `maxConnectionAgeMs`, and do not keep
 * the process alive.
 */
export class ConnectionPool {
  private readonly idle = new Map<string, IdleEntry>();
  private readonly options: ConnectionPoolOptions;

  /** @param options - expiry settings, clock and timers */
  constructor(options: ConnectionPoolOptions) {
    this.options = options;
  }

  /** Number of idle sockets held. */
  get size(): number {
    return this.idle.size;
  }

  /**
   * Takes the idle socket of a session if it is still open, not expired, opened for the same
   * `reuseKey` (endpoint and credentials) and quiet while idle; any other idle socket of the session
   * is closed.
   *
   * @param sessionId - the conversation id
   * @param reuseKey - when given, the socket's `reuseKey` must be equal
   * @returns the socket, now owned by the caller, or undefined when a new one must be opened
   */
  take(sessionId: string, reuseKey?: string): ResponsesConnection | undefined {
    const entry = this.idle.get(sessionId);
    if (entry === undefined) return undefined;
    this.idle.delete(sessionId);
    this.options.scheduler.clearTimeout(entry.timer);
    const { connection } = entry;
    if (!connection.isOpen) return undefined;
    const mismatched = reuseKey !== undefined && connection.reuseKey !== reuseKey;
    if (mismatched || connection.receivedStrayFrame === true || this.isExpired(connection)) {
      void connection.close();
      return undefined;
    }
    connection.setKeepsProcessAlive(true);
    return connection;
  }

  /**
   * Returns a socket whose turn ended cleanly. It becomes the session's idle socket (closing the one
   * held before, if any), unless it is closed or too old, in which case it is closed.
   */
  put(sessionId: string, connection: ResponsesConnection): void {
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
    const previous = this.idle.get(sessionId);
    if (previous !== undefined && previous.connection !== connection) {
      this.options.scheduler.clearTimeout(previous.timer);
      void previous.connection.close();
    }
    const delay = Math.min(this.options.idleTimeoutMs, remainingAge);
    const timer = this.options.scheduler.setTimeout(() => this.expire(sessionId, connection), delay);
    this.idle.set(sessionId, { connection, timer });
    connection.setKeepsProcessAlive(false);
  }

  /** Removes the idle socket of a session and returns it (the caller closes it), if there is one. */
  evict(sessionId: string): ResponsesConnection | undefined {
    const entry = this.idle.get(sessionId);
    if (entry === undefined) return undefined;
    this.idle.delete(sessionId);
    this.options.scheduler.clearTimeout(entry.timer);
    return entry.connection;
  }

  /** Forgets a socket (e.g. because it closed); it is not closed here. */
  remove(connection: ResponsesConnection): void {
    for (const [sessionId, entry] of this.idle) {
      if (entry.connection === connection) {
        this.options.scheduler.clearTimeout(entry.timer);
        this.idle.delete(sessionId);
      }
    }
  }

  /** Removes every idle socket and returns them (the caller closes them). */
  drain(): ResponsesConnection[] {
    const connections: ResponsesConnection[] = [];
    for (const entry of this.idle.values()) {
      this.options.scheduler.clearTimeout(entry.timer);
      connections.push(entry.connection);
    }
    this.idle.clear();
    return connections;
  }

  private isExpired(connection: ResponsesConnection): boolean {
    const now = this.options.now();
    return (
      now - connection.lastActiveAt >= this.options.idleTimeoutMs ||
      now - connection.openedAt >= this.options.maxConnectionAgeMs
    );
  }

  private expire(sessionId: string, connection: ResponsesConnection): void {
    const entry = this.idle.get(sessionId);
    if (entry?.connection !== connection) return;
    this.idle.delete(sessionId);
    void connection.close();
  }
}
