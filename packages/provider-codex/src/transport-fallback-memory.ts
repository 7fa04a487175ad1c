/** Options for {@link createTransportFallbackMemory}. */
export interface TransportFallbackMemoryOptions {
  /** How long a fallback is remembered, ms. */
  stickyMs: number;
  /** Current time, epoch ms. */
  now: () => number;
  /** Most sessions remembered at once (oldest forgotten first). Default 1000. */
  maxSessions?: number;
}

/**
 * Remembers which sessions fell back from WebSocket to HTTP (and which endpoints refuse WebSockets
 * altogether) so later turns go straight to HTTP instead of paying a failed handshake every time.
 */
export interface TransportFallbackMemory {
  /** True when this session (or the whole endpoint) should skip the WebSocket for now. */
  shouldUseHttp(endpoint: string, sessionId: string): boolean;
  /** Remembers that this session fell back. */
  rememberSessionFallback(sessionId: string): void;
  /** Remembers that the endpoint does not support WebSockets (426/404 handshake). */
  rememberEndpointFallback(endpoint: string): void;
  /** Forgets everything. */
  clear(): void;
}

/** Creates a {@link TransportFallbackMemory}. */
export function createTransportFallbackMemory(
  options: TransportFallbackMemoryOptions,
): TransportFallbackMemory {
  const sessions = new Map<string, number>();
  const endpoints = new Map<string, number>();
  const maxSessions = options.maxSessions ?? 1000;
  const isActive = (map: Map<string, number>, key: string): boolean => {
    const until = map.get(key);
    if (until === undefined) return false;
    if (until > options.now()) return true;
    map.delete(key);
    return false;
  };
  return {
    shouldUseHttp(endpoint, sessionId) {
      return isActive(endpoints, endpoint) || isActive(sessions, sessionId);
    },
    rememberSessionFallback(sessionId) {
      if (options.stickyMs <= 0) return;
      sessions.delete(sessionId);
      sessions.set(sessionId, options.now() + options.stickyMs);
      while (sessions.size > maxSessions) {
        const oldest = sessions.keys().next().value;
        if (oldest === undefined) break;
        sessions.delete(oldest);
      }
    },
    rememberEndpointFallback(endpoint) {
      if (options.stickyMs <= 0) return;
      endpoints.set(endpoint, options.now() + options.stickyMs);
    },
    clear() {
      sessions.clear();
      endpoints.clear();
    },
  };
}
