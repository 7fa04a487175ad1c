import type { GatewayActivityListener } from './idle-memory-release.js';

/** One request in flight: an open stream, a non-streamed call or a forwarded stored-response request. */
export interface ActiveStream {
  /** Ends the request early: aborts the upstream and tells the client why. */
  stop(reason: 'shutdown'): void;
}

/**
 * Tracks the `/v1` requests in flight — open streams, non-streamed calls, stored-response requests
 * forwarded upstream — so shutdown can wait for them or end them cleanly.
 */
export class ActiveStreamRegistry {
  private readonly streams = new Set<ActiveStream>();
  private waiters: (() => void)[] = [];

  /** @param activity - told when the first stream opens and when the last one ends */
  constructor(private readonly activity?: GatewayActivityListener) {}

  /** Number of requests in flight (streams and the others). */
  get size(): number {
    return this.streams.size;
  }

  /** Registers a stream; returns the function to call when it ends. */
  add(stream: ActiveStream): () => void {
    this.streams.add(stream);
    if (this.streams.size === 1) this.activity?.busy();
    return () => {
      if (!this.streams.delete(stream)) return;
      if (this.streams.size === 0) {
        this.activity?.idle();
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
