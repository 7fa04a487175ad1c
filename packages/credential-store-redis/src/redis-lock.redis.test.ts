import { OAuthError } from '@codetether/oauth-pkce';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { hasRedisServer, startTestRedisServer, type TestRedisServer } from './__fixtures__/redis-server.js';
import { createRedisConnection, type RedisConnection } from './redis-connection.js';
import { createRedisCredentialStore } from './redis-credential-store.js';
import { type RedisLockClock, type RedisLockSettings, withRedisLock } from './redis-lock.js';
import { parseRedisStoreUrl } from './redis-store-url.js';

/*
 * The wait for the Redis lock stops at once when the caller's signal fires: a typed `aborted`, its
 * timer cleared, no further Redis command for it (the only exception: releasing a lock that the
 * attempt in flight at the abort took). Against a real redis-server; the wait's clock is injected.
 */

/** A clock whose timers fire only when the test advances it. */
class ManualClock implements RedisLockClock {
  time = 1_000_000;
  private readonly timers = new Map<number, { dueAt: number; callback: () => void }>();
  private nextId = 1;

  now = (): number => this.time;

  setTimeout(callback: () => void, delayMs: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { dueAt: this.time + delayMs, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Timers set and neither fired nor cleared. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time on, firing the timers that fall due. */
  advance(ms: number): void {
    this.time += ms;
    for (const [id, timer] of [...this.timers]) {
      if (timer.dueAt > this.time) continue;
      this.timers.delete(id);
      timer.callback();
    }
  }
}

describe.skipIf(!hasRedisServer)('the Redis lock wait and its AbortSignal', () => {
  let server: TestRedisServer;
  let admin: Redis;
  const connections: RedisConnection[] = [];
  let keyIndex = 0;

  beforeAll(async () => {
    server = await startTestRedisServer();
    admin = new Redis(server.url, { lazyConnect: true });
    await admin.connect();
  });
  afterEach(async () => {
    for (const connection of connections.splice(0)) await connection.close();
  });
  afterAll(async () => {
    admin?.disconnect();
    await server?.close();
  });

  const connect = (): RedisConnection => {
    const connection = createRedisConnection(parseRedisStoreUrl(server.url), {
      connectTimeoutMs: 5000,
      commandTimeoutMs: 5000,
    });
    connections.push(connection);
    return connection;
  };

  /** Settings for a fresh lock key, waited for on `clock`. */
  const lockSettings = (clock: RedisLockClock): RedisLockSettings => {
    keyIndex += 1;
    return {
      key: `lock-test:${keyIndex}`,
      location: 'redis://test',
      ttlMs: 10_000,
      timeoutMs: 60_000,
      clock,
    };
  };

  /** `EVAL` commands Redis has run so far (every lock command is one). */
  const evalCount = async (): Promise<number> => {
    const stats = await admin.info('commandstats');
    return Number(/cmdstat_eval:calls=(\d+)/.exec(stats)?.[1] ?? 0);
  };

  /** Rejection of `promise`, which must reject. */
  const rejection = async (promise: Promise<unknown>): Promise<unknown> =>
    promise.then(
      () => {
        throw new Error('expected a rejection');
      },
      (error: unknown) => error,
    );

  it('stops waiting at once: aborted, timer cleared, no further Redis command', async () => {
    const clock = new ManualClock();
    const settings = lockSettings(clock);
    await admin.set(settings.key, 'another-holder', 'PX', 60_000);
    const controller = new AbortController();
    const fn = vi.fn(async () => 'never');
    const waiting = rejection(withRedisLock(connect(), settings, fn, { signal: controller.signal }));
    // The first attempt found the lock held; the wait now sleeps on the injected clock.
    await vi.waitFor(() => expect(clock.pending).toBe(1));
    const before = await evalCount();
    controller.abort(new Error('caller gone'));
    const error = await waiting;
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({ code: 'aborted', isRetryable: false });
    expect((error as Error).message).toContain('redis://test');
    expect((error as Error).cause).toMatchObject({ message: 'caller gone' });
    expect(clock.pending).toBe(0);
    clock.advance(120_000);
    expect(await evalCount()).toBe(before);
    expect(fn).not.toHaveBeenCalled();
    expect(await admin.get(settings.key)).toBe('another-holder');
  });

  it('sends nothing for a signal that has already fired', async () => {
    const clock = new ManualClock();
    const settings = lockSettings(clock);
    const before = await evalCount();
    const error = await rejection(
      withRedisLock(connect(), settings, async () => 'never', { signal: AbortSignal.abort() }),
    );
    expect(error).toMatchObject({ code: 'aborted' });
    expect(await evalCount()).toBe(before);
    expect(clock.pending).toBe(0);
    expect(await admin.exists(settings.key)).toBe(0);
  });

  it('gives back at once a lock that the attempt in flight at the abort took', async () => {
    const clock = new ManualClock();
    const settings = lockSettings(clock);
    const real = connect();
    let openGate: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    // The first command waits at the gate: the abort comes while it is in flight.
    const gated: RedisConnection = {
      run: (work) => gate.then(() => real.run(work)),
      close: () => real.close(),
    };
    const controller = new AbortController();
    const fn = vi.fn(async () => 'never');
    const waiting = rejection(withRedisLock(gated, settings, fn, { signal: controller.signal }));
    const before = await evalCount();
    controller.abort();
    expect(await waiting).toMatchObject({ code: 'aborted' });
    openGate();
    // The attempt took the free lock after the abort; it is released, not left for its 10 s lifetime.
    await vi.waitFor(async () => expect(await evalCount()).toBe(before + 2));
    await vi.waitFor(async () => expect(await admin.exists(settings.key)).toBe(0));
    expect(fn).not.toHaveBeenCalled();
    expect(clock.pending).toBe(0);
  });

  it('still fails with lock-failed after timeoutMs on the injected clock, and takes a free lock', async () => {
    const clock = new ManualClock();
    const settings = { ...lockSettings(clock), timeoutMs: 500 };
    await admin.set(settings.key, 'another-holder', 'PX', 60_000);
    const connection = connect();
    const waiting = rejection(withRedisLock(connection, settings, async () => 'never'));
    await vi.waitFor(() => expect(clock.pending).toBe(1));
    clock.advance(600);
    expect(await waiting).toMatchObject({ code: 'lock-failed', isRetryable: true });
    expect(clock.pending).toBe(0);

    await admin.del(settings.key);
    const controller = new AbortController();
    const result = await withRedisLock(connection, settings, async () => 'held', {
      signal: controller.signal,
    });
    // A signal that fires after the lock was taken changes nothing.
    controller.abort();
    expect(result).toBe('held');
    expect(await admin.exists(settings.key)).toBe(0);
  });

  it('the store’s withLock takes the signal: the waiter is released while another holds the lock', async () => {
    const holder = createRedisCredentialStore({ url: server.url, keyPrefix: 'abort-store:' });
    const waiter = createRedisCredentialStore({ url: server.url, keyPrefix: 'abort-store:' });
    try {
      let releaseHolder: () => void = () => {};
      const holding = holder.withLock(
        () =>
          new Promise<void>((resolve) => {
            releaseHolder = resolve;
          }),
      );
      await vi.waitFor(async () => expect(await admin.exists('abort-store:lock')).toBe(1));
      const controller = new AbortController();
      const before = await evalCount();
      const waiting = rejection(waiter.withLock(async () => 'never', { signal: controller.signal }));
      // The waiter tried at least once; then it is stopped (long before the 60 s lockTimeoutMs).
      await vi.waitFor(async () => expect(await evalCount()).toBeGreaterThan(before));
      controller.abort();
      expect(await waiting).toMatchObject({ code: 'aborted' });
      releaseHolder();
      await holding;
      expect(await admin.exists('abort-store:lock')).toBe(0);
    } finally {
      await holder.close();
      await waiter.close();
    }
  });
});
