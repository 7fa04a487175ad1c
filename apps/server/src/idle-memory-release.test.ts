import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ActiveStreamRegistry } from './active-stream-registry.js';
import { createIdleMemoryRelease, releaseIdleMemory } from './idle-memory-release.js';

describe('createIdleMemoryRelease', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('collects once after the gateway has been quiet for the given time after serving requests', () => {
    const collect = vi.fn();
    const release = createIdleMemoryRelease(2_000, collect);
    release.busy();
    release.idle();
    vi.advanceTimersByTime(1_999);
    expect(collect).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(collect).toHaveBeenCalledTimes(1);
    // Still idle, nothing served since: no second collection.
    release.idle();
    vi.advanceTimersByTime(10_000);
    expect(collect).toHaveBeenCalledTimes(1);
  });

  it('does nothing for a gateway that served nothing, and waits again when a request comes in', () => {
    const collect = vi.fn();
    const release = createIdleMemoryRelease(2_000, collect);
    release.idle();
    vi.advanceTimersByTime(5_000);
    expect(collect).not.toHaveBeenCalled();
    release.busy();
    release.idle();
    vi.advanceTimersByTime(1_500);
    release.busy();
    vi.advanceTimersByTime(5_000);
    expect(collect).not.toHaveBeenCalled();
    release.idle();
    vi.advanceTimersByTime(2_000);
    expect(collect).toHaveBeenCalledTimes(1);
  });

  it('skips a quiet period in which the resident set did not grow since the last release', async () => {
    // Each release is a full memory-reducing collection (tens of ms) that also shrinks V8's young
    // generation: a gateway used one request at a time, with pauses, must not pay it at every pause.
    let residentBytes = 100 * 1024 * 1024;
    const collect = vi.fn(() => {
      residentBytes = 90 * 1024 * 1024;
    });
    const release = createIdleMemoryRelease(2_000, collect, { residentSetBytes: () => residentBytes });
    const servePauseAndSettle = async (): Promise<void> => {
      release.busy();
      release.idle();
      await vi.advanceTimersByTimeAsync(2_000);
    };
    await servePauseAndSettle();
    expect(collect).toHaveBeenCalledTimes(1);
    // Requests served, but the resident set grew by less than the threshold (10 %): no collection.
    residentBytes = 99 * 1024 * 1024;
    await servePauseAndSettle();
    expect(collect).toHaveBeenCalledTimes(1);
    // Grown by more (a burst of load): collected again.
    residentBytes = 99.5 * 1024 * 1024;
    await servePauseAndSettle();
    expect(collect).toHaveBeenCalledTimes(2);
    // Measured from what the last release left (90 MiB), with a threshold of one's own.
    const strict = createIdleMemoryRelease(2_000, collect, {
      residentSetBytes: () => residentBytes,
      minimumGrowth: 0,
    });
    residentBytes = 90 * 1024 * 1024;
    strict.busy();
    strict.idle();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(collect).toHaveBeenCalledTimes(3);
  });

  it('takes a negative or non-finite growth as 0: a release after every quiet period', async () => {
    for (const minimumGrowth of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const collect = vi.fn();
      const release = createIdleMemoryRelease(10, collect, { residentSetBytes: () => 100, minimumGrowth });
      for (let pause = 0; pause < 3; pause += 1) {
        release.busy();
        release.idle();
        await vi.advanceTimersByTimeAsync(10);
      }
      expect(collect).toHaveBeenCalledTimes(3);
    }
  });

  it('reads the resident set after an asynchronous release has settled', async () => {
    let residentBytes = 200;
    let finish: (() => void) | undefined;
    const collect = vi.fn(
      () =>
        new Promise<void>((resolve) => {
          finish = () => {
            residentBytes = 100;
            resolve();
          };
        }),
    );
    const release = createIdleMemoryRelease(10, collect, { residentSetBytes: () => residentBytes });
    release.busy();
    release.idle();
    await vi.advanceTimersByTimeAsync(10);
    finish?.();
    await vi.advanceTimersByTimeAsync(0);
    residentBytes = 109;
    release.busy();
    release.idle();
    await vi.advanceTimersByTimeAsync(10);
    expect(collect).toHaveBeenCalledTimes(1);
  });

  it('never collects once stopped', () => {
    const collect = vi.fn();
    const release = createIdleMemoryRelease(2_000, collect);
    release.busy();
    release.idle();
    release.stop();
    vi.advanceTimersByTime(5_000);
    expect(collect).not.toHaveBeenCalled();
  });

  it('runs the real memory-reducing collection without --expose-gc and leaves no global gc', () => {
    const release = createIdleMemoryRelease(10);
    release.busy();
    release.idle();
    vi.advanceTimersByTime(10);
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });

  it('releases for real (collection, then the native trim where there is one) without throwing', async () => {
    await expect(releaseIdleMemory()).resolves.toBeUndefined();
    // Bound once, then reused.
    await expect(releaseIdleMemory()).resolves.toBeUndefined();
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});

describe('ActiveStreamRegistry activity', () => {
  it('tells its listener when the first stream opens and when the last one ends', () => {
    const events: string[] = [];
    const registry = new ActiveStreamRegistry({
      busy: () => events.push('busy'),
      idle: () => events.push('idle'),
    });
    const endFirst = registry.add({ stop() {} });
    const endSecond = registry.add({ stop() {} });
    endFirst();
    endFirst();
    endSecond();
    registry.add({ stop() {} })();
    expect(events).toEqual(['busy', 'idle', 'busy', 'idle']);
  });
});
