/**
 * The timers the transport uses (connect timeout, idle-between-events timeout, pooled socket expiry).
 * Inject one to test expiry without sleeping.
 */
export interface TransportScheduler {
  /** Runs `callback` once after `delayMs` milliseconds; returns a handle for {@link TransportScheduler.clearTimeout}. */
  setTimeout(callback: () => void, delayMs: number): unknown;
  /** Cancels a timer; unknown or already fired handles are ignored. */
  clearTimeout(handle: unknown): void;
}

/**
 * The default scheduler: Node timers that do not keep the process alive on their own (an open socket
 * with a response in flight does).
 */
export const systemScheduler: TransportScheduler = {
  setTimeout(callback, delayMs) {
    const handle = setTimeout(callback, delayMs);
    handle.unref();
    return handle;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
