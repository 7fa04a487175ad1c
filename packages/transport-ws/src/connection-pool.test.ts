import { describe, expect, it } from 'vitest';
import { ManualScheduler } from './__fixtures__/manual-scheduler.js';
import {
  ConnectionPool,
  MAX_SPARE_IDLE_SOCKETS,
  RESERVED_SHARED_IDLE_SOCKETS,
  SPARE_IDLE_TIMEOUT_MS,
} from './connection-pool.js';
import type { ResponsesConnection } from './responses-connection.js';

class FakeConnection {
  isOpen = true;
  reuseKey: string | undefined = 'account-a';
  closeCalls = 0;
  keepsProcessAlive = true;
  lastActiveAt: number;
  constructor(readonly openedAt: number) {
    this.lastActiveAt = openedAt;
  }
  close(): Promise<void> {
    this.closeCalls += 1;
    this.isOpen = false;
    return Promise.resolve();
  }
  setKeepsProcessAlive(keepAlive: boolean): void {
    this.keepsProcessAlive = keepAlive;
  }
}

const MINUTE = 60_000;

function setup(maxIdleConnections = 1_000) {
  const scheduler = new ManualScheduler(1_000_000);
  const pool = new ConnectionPool({
    idleTimeoutMs: 5 * MINUTE,
    maxConnectionAgeMs: 55 * MINUTE,
    maxIdleConnections,
    now: scheduler.now,
    scheduler,
  });
  const open = () => new FakeConnection(scheduler.time);
  const asConnection = (fake: FakeConnection) => fake as unknown as ResponsesConnection;
  return { scheduler, pool, open, asConnection };
}

describe('ConnectionPool', () => {
  it('hands the idle socket of a session to the next turn, once', () => {
    const { pool, open, asConnection } = setup();
    const socket = open();
    pool.put('session-a', asConnection(socket));
    expect(socket.keepsProcessAlive).toBe(false);
    expect(pool.take('session-b')).toBeUndefined();
    expect(pool.take('session-a')).toBe(asConnection(socket));
    expect(socket.keepsProcessAlive).toBe(true);
    expect(pool.take('session-a')).toBeUndefined();
  });

  it('closes an idle socket after the idle timeout without sleeping', () => {
    const { scheduler, pool, open, asConnection } = setup();
    const socket = open();
    pool.put('s', asConnection(socket));
    scheduler.advance(5 * MINUTE - 1);
    expect(socket.closeCalls).toBe(0);
    scheduler.advance(1);
    expect(socket.closeCalls).toBe(1);
    expect(pool.size).toBe(0);
    expect(pool.take('s')).toBeUndefined();
  });

  it('restarts the idle timer on every return', () => {
    const { scheduler, pool, open, asConnection } = setup();
    const socket = open();
    pool.put('s', asConnection(socket));
    scheduler.advance(4 * MINUTE);
    expect(pool.take('s')).toBe(asConnection(socket));
    pool.put('s', asConnection(socket));
    scheduler.advance(4 * MINUTE);
    expect(socket.closeCalls).toBe(0);
    expect(pool.take('s')).toBe(asConnection(socket));
  });

  it('closes a socket before it reaches the maximum age', () => {
    const { scheduler, pool, open, asConnection } = setup();
    const socket = open();
    // Used for 53 minutes: only 2 minutes of age are left, less than the idle timeout.
    scheduler.advance(53 * MINUTE);
    pool.put('s', asConnection(socket));
    expect(scheduler.pendingDelays()).toEqual([2 * MINUTE]);
    scheduler.advance(2 * MINUTE);
    expect(socket.closeCalls).toBe(1);
    const old = open();
    scheduler.advance(56 * MINUTE);
    pool.put('t', asConnection(old));
    expect(old.closeCalls).toBe(1);
    expect(pool.size).toBe(0);
  });

  it('does not hand out an expired socket even if its timer was late', () => {
    const { scheduler, pool, open, asConnection } = setup();
    const socket = open();
    pool.put('s', asConnection(socket));
    scheduler.time += 6 * MINUTE; // the clock moved but the timer has not fired yet
    expect(pool.take('s')).toBeUndefined();
    expect(socket.closeCalls).toBe(1);
  });

  it('keeps one idle socket per session: the newest; the older one is closed', () => {
    const { pool, open, asConnection } = setup();
    const first = open();
    const second = open();
    pool.put('s', asConnection(first));
    pool.put('s', asConnection(second));
    expect(first.closeCalls).toBe(1);
    expect(pool.size).toBe(1);
    expect(pool.take('s')).toBe(asConnection(second));
  });

  it('skips closed sockets and forgets removed ones', () => {
    const { scheduler, pool, open, asConnection } = setup();
    const socket = open();
    pool.put('s', asConnection(socket));
    socket.isOpen = false;
    expect(pool.take('s')).toBeUndefined();
    const other = open();
    pool.put('t', asConnection(other));
    pool.remove(asConnection(other));
    expect(pool.size).toBe(0);
    expect(scheduler.pendingDelays()).toEqual([]);
    const drained = open();
    pool.put('u', asConnection(drained));
    expect(pool.drain()).toEqual([asConnection(drained)]);
    expect(scheduler.pendingDelays()).toEqual([]);
  });

  it('ends a session: a socket of its own is handed back to close, a shared one stays for the others', () => {
    const { scheduler, pool, open, asConnection } = setup();
    const own = open();
    pool.put('own', asConnection(own));
    expect(pool.endSession('own')).toBe(asConnection(own));
    expect(pool.size).toBe(0);
    const shared = open();
    pool.put('shared', asConnection(shared), true);
    expect(pool.endSession('shared')).toBeUndefined();
    expect(pool.size).toBe(1);
    // A session that does not share never takes it; a sharing one does.
    expect(pool.take('other', 'account-a')).toBeUndefined();
    expect(pool.take('other', 'account-a', true)).toBe(asConnection(shared));
    // An ended session's socket still closes after the idle timeout.
    const later = open();
    pool.put('later', asConnection(later), true);
    pool.endSession('later');
    scheduler.advance(5 * MINUTE);
    expect(later.closeCalls).toBe(1);
    expect(pool.size).toBe(0);
  });

  it('lets a sharing session take the socket idle the longest once more than the reserve are idle', () => {
    const { scheduler, pool, open, asConnection } = setup();
    const sockets = Array.from({ length: RESERVED_SHARED_IDLE_SOCKETS }, () => open());
    sockets.forEach((socket, index) => {
      pool.put(`conversation-${index}`, asConnection(socket), true);
      scheduler.advance(1_000);
    });
    // As many idle as the reserve: each keeps its socket for its own next turn.
    expect(pool.take('new-1', 'account-a', true)).toBeUndefined();
    const notSharing = open();
    pool.put('not-sharing', asConnection(notSharing));
    expect(pool.take('new-1', 'account-a', true)).toBeUndefined();
    const newest = open();
    pool.put('newest', asConnection(newest), true);
    // One more than the reserve: the oldest goes to the new session; the others stay.
    expect(pool.take('new-2', 'account-a', true)).toBe(asConnection(sockets[0] as FakeConnection));
    expect(pool.take('new-3', 'account-a', true)).toBeUndefined();
    expect(pool.take('conversation-1')).toBe(asConnection(sockets[1] as FakeConnection));
    expect(pool.take('not-sharing')).toBe(asConnection(notSharing));
  });

  it('never hands a sharing session a socket opened for other credentials', () => {
    const { pool, open, asConnection } = setup();
    const otherAccount = open();
    otherAccount.reuseKey = 'account-b';
    pool.put('b', asConnection(otherAccount), true);
    pool.endSession('b');
    expect(pool.take('a', 'account-a', true)).toBeUndefined();
    expect(pool.take('b2', 'account-b', true)).toBe(asConnection(otherAccount));
  });

  it('closes the spare socket of an ended session after SPARE_IDLE_TIMEOUT_MS, not the idle timeout', () => {
    const { scheduler, pool, open, asConnection } = setup();
    const shared = open();
    pool.put('shared', asConnection(shared), true);
    scheduler.advance(1_000);
    expect(pool.endSession('shared')).toBeUndefined();
    scheduler.advance(SPARE_IDLE_TIMEOUT_MS - 1);
    expect(shared.closeCalls).toBe(0);
    scheduler.advance(1);
    expect(shared.closeCalls).toBe(1);
    expect(pool.size).toBe(0);
  });

  it('keeps at most MAX_SPARE_IDLE_SOCKETS spares: one more ended session closes the oldest spare', () => {
    const { pool, open, asConnection } = setup();
    const sockets = Array.from({ length: MAX_SPARE_IDLE_SOCKETS + 1 }, () => open());
    sockets.forEach((socket, index) => {
      pool.put(`conversation-${index}`, asConnection(socket), true);
      pool.endSession(`conversation-${index}`);
    });
    expect(sockets.map((socket) => socket.closeCalls)).toEqual([1, ...sockets.slice(1).map(() => 0)]);
    expect(pool.size).toBe(MAX_SPARE_IDLE_SOCKETS);
    // Spares go to sharing sessions oldest first (they have the least time left).
    expect(pool.take('new', 'account-a', true)).toBe(asConnection(sockets[1] as FakeConnection));
  });

  it('keeps at most maxIdleConnections idle sockets: spares go first, then the one idle the longest', () => {
    const { scheduler, pool, open, asConnection } = setup(3);
    const [first, second, third, fourth, fifth] = Array.from({ length: 5 }, () => open()) as [
      FakeConnection,
      FakeConnection,
      FakeConnection,
      FakeConnection,
      FakeConnection,
    ];
    pool.put('a', asConnection(first));
    scheduler.advance(1_000);
    pool.put('b', asConnection(second), true);
    pool.endSession('b');
    pool.put('c', asConnection(third));
    expect(pool.size).toBe(3);
    pool.put('d', asConnection(fourth));
    // Over the limit: the spare of the ended session closes, although `a` is older.
    expect(second.closeCalls).toBe(1);
    expect(first.closeCalls).toBe(0);
    pool.put('e', asConnection(fifth));
    expect(first.closeCalls).toBe(1);
    expect(pool.size).toBe(3);
    expect(pool.take('a')).toBeUndefined();
    expect(pool.take('c')).toBe(asConnection(third));
    expect(scheduler.pendingDelays()).toHaveLength(2);
  });
});
