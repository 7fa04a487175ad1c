import type { TransportScheduler } from '../scheduler.js';

interface ManualTimer {
  callback: () => void;
  dueAt: number;
  delayMs: number;
}

/** A scheduler and clock driven by the test: nothing fires until {@link ManualScheduler.advance}. */
export class ManualScheduler implements TransportScheduler {
  private readonly timers = new Map<number, ManualTimer>();
  private nextId = 1;
  /** Current fake time, epoch ms. */
  time: number;

  /** @param start - initial fake time, epoch ms */
  constructor(start = Date.now()) {
    this.time = start;
  }

  /** Clock for `now` options. */
  readonly now = (): number => this.time;

  setTimeout(callback: () => void, delayMs: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { callback, dueAt: this.time + delayMs, delayMs });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Delays of the timers still pending, in creation order. */
  pendingDelays(): number[] {
    return [...this.timers.values()].map((timer) => timer.delayMs);
  }

  /** Moves the clock forward and fires every timer that became due, in due order. */
  advance(ms: number): void {
    this.time += ms;
    for (;;) {
      let dueId: number | undefined;
      let due: ManualTimer | undefined;
      for (const [id, timer] of this.timers) {
        if (timer.dueAt <= this.time && (due === undefined || timer.dueAt < due.dueAt)) {
          dueId = id;
          due = timer;
        }
      }
      if (dueId === undefined || due === undefined) return;
      this.timers.delete(dueId);
      due.callback();
    }
  }
}
