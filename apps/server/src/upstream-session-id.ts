import { hash } from 'node:crypto';

/**
 * The upstream session id of a conversation a client named with its session header: a UUID-shaped
 * SHA-256 of the client's tag and its session id. Each client key gets its own — two keys that send
 * the same header value never share an upstream session, its idle WebSocket or its
 * `prompt_cache_key`, so one key can neither take nor close another key's socket — while the same
 * key and header always give the same id (the upstream's routing and prompt cache stay sticky).
 *
 * @param clientTag - from `clientTagOf(authorization)`
 * @param sessionId - the client's `session_id` / `session-id` / `x-session-id` header value
 */
export function upstreamSessionIdOf(clientTag: string, sessionId: string): string {
  const digest = hash('sha256', `${clientTag}\u0000${sessionId}`, 'hex');
  return [
    digest.slice(0, 8),
    digest.slice(8, 12),
    `8${digest.slice(13, 16)}`,
    `${((Number.parseInt(digest.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${digest.slice(17, 20)}`,
    digest.slice(20, 32),
  ].join('-');
}
