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
