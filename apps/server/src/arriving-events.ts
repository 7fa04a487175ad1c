/**
 * The raw upstream events of a turn on their way to the client: pushed as they arrive (from inside
 * the turn's chunk iteration), taken in order by the relay, which awaits {@link ArrivingEvents.arrival}
 * when none wait. Also carries the turn's "the upstream accepted it" signal
 * ({@link ArrivingEvents.started}), which may come before any event is passed on.
 */
export class ArrivingEvents {
  private waiting: unknown[] = [];
  private wake: (() => void) | undefined;
  private resolveStarted: (() => void) | undefined;
  /** Resolves once the upstream accepted the turn or an event arrived, whichever is first. */
  readonly started: Promise<void>;

  constructor() {
    this.started = new Promise<void>((resolve) => {
      this.resolveStarted = resolve;
    });
  }

  /** An event arrived. */
  push(event: unknown): void {
    this.waiting.push(event);
    this.markStarted();
    const wake = this.wake;
    if (wake !== undefined) {
      this.wake = undefined;
      wake();
    }
  }

  /** The upstream accepted the turn (its events may still be held back: see `onResponseStarted`). */
  markStarted(): void {
    const resolve = this.resolveStarted;
    if (resolve === undefined) return;
    this.resolveStarted = undefined;
    resolve();
  }

  /** The events that arrived since the last call, in order (`undefined` when none). */
  take(): unknown[] | undefined {
    if (this.waiting.length === 0) return undefined;
    const taken = this.waiting;
    this.waiting = [];
    return taken;
  }

  /** Resolves (with `undefined`) at the next {@link ArrivingEvents.push}; call when `take()` found none. */
  arrival(): Promise<undefined> {
    return new Promise<undefined>((resolve) => {
      this.wake = () => resolve(undefined);
    });
  }
}
