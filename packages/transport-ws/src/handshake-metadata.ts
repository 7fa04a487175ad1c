import type { RateLimitSnapshot } from '@codetether/responses-protocol';

/** What the handshake of one socket told us. Reused sockets report the metadata of their handshake. */
export interface HandshakeMetadata {
  /** HTTP status (101). */
  status: number;
  /** Lower-cased response headers. */
  headers: Record<string, string>;
  /** Request id from the headers. */
  requestId: string | undefined;
  /** Parsed rate-limit headers. */
  rateLimits: RateLimitSnapshot;
}
