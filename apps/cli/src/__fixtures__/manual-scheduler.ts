import type { ScheduleCallback } from '../schedule.js';

/** A timer a test fires by hand. */
export interface ScheduledCallback {
  /** What runs when it fires. */
  callback: () => void;
  /** The delay asked for. */
  delayMs: number;
  /** Set once the code under test cancelled it. */
  cancelled: boolean;
}

/**
 * A {@link ScheduleCallback} the test fires by hand: no real timer, no sleeps. `scheduled` resolves
 * once the first timer is set.
 */
export function createManualScheduler() {
  const pending: ScheduledCallback[] = [];
  let onScheduled: () => void = () => {};
  const scheduled = new Promise<void>((resolve) => {
    onScheduled = resolve;
  });
  const schedule: ScheduleCallback = (callback, delayMs) => {
    const entry = { callback, delayMs, cancelled: false };
    pending.push(entry);
    onScheduled();
    return () => {
      entry.cancelled = true;
    };
  };
  return {
    schedule,
    scheduled,
    pending,
    /** Fires every timer, cancelled or not (a timer that fires while being cancelled must do nothing). */
    fireAll(): void {
      for (const entry of pending) entry.callback();
    },
  };
}
