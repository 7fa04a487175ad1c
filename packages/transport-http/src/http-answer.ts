import type { BodySource } from './body-reader.js';
import type { FetchInitLike } from './transport-types.js';

/** An HTTP answer, whether it came from undici `request()` or from an injected `fetch`. */
export interface HttpAnswer {
  /** HTTP status. */
  status: number;
  /** Status text (may be empty). */
  statusText: string;
  /** Lower-cased names. */
  headers: Record<string, string>;
  /** The body, read once (decompressed when the sender can undo its `content-encoding`). */
  body: BodySource | null;
  /** The `content-encoding` the sender left undone because it cannot decode it, if any. */
  undecodableContentEncoding?: string;
}

/** Sends the transport's POSTs and owns whatever connections it opened for them. */
export interface HttpSender {
  /**
   * Sends one POST and resolves once the response headers arrived; rejects when `init.signal`
   * aborts first (an answer that arrives later is discarded).
   */
  send(url: string, init: FetchInitLike): Promise<HttpAnswer>;
  /** Loads what the first `send` needs (undici), without connecting; never rejects. Optional. */
  prepare?(): Promise<void>;
  /** Closes the connections the sender opened itself (idempotent). */
  close(): Promise<void>;
}
