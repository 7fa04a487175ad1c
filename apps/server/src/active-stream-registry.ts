/** One open streaming response. */
export interface ActiveStream {
  /** Ends the stream early: aborts the upstream and tells the client why. */
  stop(reason: 'shutdown'): void;
}

/** Tracks open streams so shutdown can wait for them or end them cleanly. */
export class ActiveStreamRegistry {
  private readonly streams = new Set<ActiveStream>();
  private waiters: (() => void)[] = [];

  /** Number of open streams. */
  get size(): number {
    return this.streams.size;
  }

  /** Registers a stream; returns the function to call when it ends. */
  add(stream: ActiveStream): () => void {
    this.streams.add(stream);
    return () => {
      if (!this.streams.delete(stream)) return;
      if (this.streams.size === 0) {
        const waiters = this.waiters;
        this.waiters = [];
        for (const resolve of waiters) resolve();
      }
    };
  }

  /** Resolves once no stream is open. */
  waitForIdle(): Promise<void> {
    if (this.streams.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Stops every open stream. */
  stopAll(reason: 'shutdown'): void {
    for (const stream of [...this.streams]) stream.stop(reason);
  }
}
