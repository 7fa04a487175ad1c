import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createIdleWatchdog } from './idle-watchdog.js';

describe('createIdleWatchdog', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires once a single wait lasts the timeout', () => {
    const onIdle = vi.fn();
    const watchdog = createIdleWatchdog(100, onIdle);
    watchdog.startWaiting();
    vi.advanceTimersByTime(99);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onIdle).toHaveBeenCalledTimes(1);
    expect(watchdog.hasFired()).toBe(true);
    vi.advanceTimersByTime(1_000);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('does not count the time between waits, however many waits there are', () => {
    const onIdle = vi.fn();
    const watchdog = createIdleWatchdog(100, onIdle);
    for (let index = 0; index < 50; index += 1) {
      watchdog.startWaiting();
      vi.advanceTimersByTime(60);
      watchdog.stopWaiting();
      // The consumer is busy for longer than the timeout: not a stall of the stream.
      vi.advanceTimersByTime(150);
    }
    expect(onIdle).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBeLessThanOrEqual(1);
  });

  it('measures a wait from its own start, not from the timer it shares', () => {
    const onIdle = vi.fn();
    const watchdog = createIdleWatchdog(100, onIdle);
    watchdog.startWaiting();
    vi.advanceTimersByTime(90);
    watchdog.stopWaiting();
    watchdog.startWaiting();
    vi.advanceTimersByTime(95);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(5);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('leaves no timer behind once stopped, and is off with a zero timeout', () => {
    const onIdle = vi.fn();
    const watchdog = createIdleWatchdog(100, onIdle);
    watchdog.startWaiting();
    watchdog.stop();
    expect(vi.getTimerCount()).toBe(0);
    watchdog.startWaiting();
    expect(vi.getTimerCount()).toBe(0);
    const disabled = createIdleWatchdog(0, onIdle);
    disabled.startWaiting();
    vi.advanceTimersByTime(10_000);
    expect(vi.getTimerCount()).toBe(0);
    expect(onIdle).not.toHaveBeenCalled();
  });
});
