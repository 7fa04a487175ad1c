/** One place under {@link ConnectionSlots}' limit, held by a socket from its handshake until it closes. */
export interface ConnectionSlot {
  /** Gives the place back. Only the first call counts: a socket closed twice frees one place. */
  release(): void;
}

/**
 * Counts the sockets of a transport against its `maxConnections`: a place is taken before a
 * handshake starts (so concurrent requests cannot overshoot the limit while their handshakes are in
 * flight) and given back once, when the handshake fails or the socket starts closing.
 */
export class ConnectionSlots {
  /** Most places held at once. */
  readonly limit: number;
  private held = 0;

  /** @param limit - most places held at once (a positive whole number) */
  constructor(limit: number) {
    this.limit = limit;
  }

  /** Places held now. */
  get used(): number {
    return this.held;
  }

  /** Takes a place, or answers `undefined` when all {@link ConnectionSlots.limit} are held. */
  tryAcquire(): ConnectionSlot | undefined {
    if (this.held >= this.limit) return undefined;
    this.held += 1;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.held -= 1;
      },
    };
  }
}
