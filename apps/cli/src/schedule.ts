/**
 * Runs `callback` once after `delayMs` and returns a function that cancels it. Commands take one from
 * their context, so a test fires it by hand instead of waiting.
 */
export type ScheduleCallback = (callback: () => void, delayMs: number) => () => void;

/**
 * The real {@link ScheduleCallback}: a `setTimeout` that does not keep the process alive on its own.
 *
 * @param callback - what to run
 * @param delayMs - after how many milliseconds
 */
export const scheduleWithTimer: ScheduleCallback = (callback, delayMs) => {
  const timer = setTimeout(callback, delayMs);
  timer.unref();
  return () => clearTimeout(timer);
};
