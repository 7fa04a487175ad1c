import { randomUUID } from 'node:crypto';

/**
 * Session ids for requests that arrive without one.
 *
 * The provider keeps one warm upstream WebSocket per session id. Chat Completions clients rarely send a
 * session id, so without lanes every request would pay a fresh WebSocket handshake. A lane is a session
 * id lent to one request at a time and returned when its stream ends, so the next sessionless request
 * reuses the lane's warm socket.
 */
export interface UpstreamSessionLanes {
  /** Lends a free lane id (a new one when all are busy). */
  acquire(): string;
  /** Returns a lane id lent by {@link UpstreamSessionLanes.acquire}. */
  release(laneId: string): void;
  /** How many lanes are free right now. */
  idleCount(): number;
}

/** The most free lanes kept; beyond this a returned lane is forgotten. */
export const DEFAULT_MAX_IDLE_LANES = 256;

/**
 * Creates the lane pool.
 *
 * @param maxIdleLanes - the most free lanes kept (their sockets close on the provider's idle timeout)
 * @param createId - makes a new lane id (injectable for tests)
 */
export function createUpstreamSessionLanes(
  maxIdleLanes: number = DEFAULT_MAX_IDLE_LANES,
  createId: () => string = randomUUID,
): UpstreamSessionLanes {
  const idle: string[] = [];
  const lent = new Set<string>();
  return {
    acquire() {
      const laneId = idle.pop() ?? createId();
      lent.add(laneId);
      return laneId;
    },
    release(laneId) {
      if (!lent.delete(laneId)) return;
      if (idle.length < maxIdleLanes) idle.push(laneId);
    },
    idleCount: () => idle.length,
  };
}
