/** Watches the waits of a consumer for the next event of a stream, and calls `onIdle` when one is too long. */
export interface IdleWatchdog {
  /** True once a wait lasted `idleTimeoutMs` (and `onIdle` ran). */
  hasFired(): boolean;
  /** The consumer starts waiting for the next event. */
  startWaiting(): void;
  /** The wait ended (an event came, the body ended or failed). */
  stopWaiting(): void;
  /** Cancels the timer for good (the stream is finished). */
  stop(): void;
}

/**
 * Creates the idle watchdog of one event stream: a wait for the next event longer than
 * `idleTimeoutMs` calls `onIdle` once; time the consumer spends between waits does not count.
 *
 * One timer serves the whole stream instead of a timer set and cleared around every wait (a
 * busy stream waits hundreds of times per second; each timer costs an insertion in Node's timer
 * lists and its clearing a removal): a wait only notes when it started; the timer, when it fires,
 * checks the wait going on and, if it is younger than the limit, sleeps for the rest of it. So a
 * wait is cut off between `idleTimeoutMs` and `idleTimeoutMs` plus the timer's lateness.
 *
 * @param idleTimeoutMs - the longest wait allowed, ms (0 disables the watchdog)
 * @param onIdle - called once when a wait lasted that long
 * @param now - the clock, ms
 */
export function createIdleWatchdog(
  idleTimeoutMs: number,
  onIdle: () => void,
  now: () => number = Date.now,
): IdleWatchdog {
  let fired = false;
  let stopped = false;
  let waiting = false;
  let waitStartedAt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const check = (): void => {
    timer = undefined;
    if (!waiting || stopped) return;
    const remaining = idleTimeoutMs - (now() - waitStartedAt);
    if (remaining > 0) {
      timer = setTimeout(check, remaining);
      return;
    }
    fired = true;
    stopped = true;
    onIdle();
  };

  return {
    hasFired: () => fired,
    startWaiting() {
      if (idleTimeoutMs <= 0 || stopped) return;
      waiting = true;
      waitStartedAt = now();
      if (timer === undefined) timer = setTimeout(check, idleTimeoutMs);
    },
    stopWaiting() {
      waiting = false;
    },
    stop() {
      stopped = true;
      waiting = false;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
