import { hash } from 'node:crypto';
import type { ResponseItem } from '@codetether/responses-protocol';
import type { GatewayConversation } from './gateway-provider.js';
import { type StoredResponse, storedResponseBytes } from './stored-response.js';

/** Default most conversations the index keeps (each may hold one warm upstream WebSocket). */
export const DEFAULT_CONVERSATION_INDEX_MAX_ENTRIES = 256;
/** Default longest time a conversation stays in the index without a turn: 30 minutes. */
export const DEFAULT_CONVERSATION_INDEX_MAX_AGE_MS = 30 * 60 * 1000;
/**
 * Default most bytes of transcripts the index keeps: 128 MiB (each conversation's own history takes
 * about as much again). Without it, 256 conversations of a 16 MB body each would hold gigabytes.
 */
export const DEFAULT_CONVERSATION_INDEX_MAX_BYTES = 128 * 1024 * 1024;

/** Size and age limits of the {@link ConversationIndex}. */
export interface ConversationIndexLimits {
  /** The most conversations kept; the least recently used one is closed beyond it. */
  maxEntries: number;
  /** How long a conversation is kept after its last turn, in ms. */
  maxAgeMs: number;
  /**
   * The most bytes of transcripts kept (a transcript's length in UTF-16 code units, which is its size
   * in bytes for the ASCII JSON most of it is); default {@link DEFAULT_CONVERSATION_INDEX_MAX_BYTES}.
   */
  maxBytes?: number | undefined;
}

/** A conversation the gateway answered, as the index keeps it between turns. */
export interface IndexedConversation {
  /** The provider's conversation (its own history, reasoning included, and its own socket). */
  conversation: GatewayConversation;
  /**
   * The canonical text of what the client must send to continue it: the request settings and every
   * message or item up to and including the answer the gateway returned. Compared in full before a
   * conversation is continued, so a hash collision can never splice two conversations.
   */
  transcript: string;
  /** The canonical request settings (everything but the messages or input). */
  settings: string;
  /** The id of the last response, for `previous_response_id`. */
  responseId?: string | undefined;
  /**
   * That last response as the gateway answered it (`GET /v1/responses/{id}`, its input items), counted
   * in the byte limit.
   */
  response?: StoredResponse | undefined;
}

interface StoredEntry {
  value: IndexedConversation;
  clientTag: string;
  storedAt: number;
}

/** A conversation taken out of the index for a turn that has not ended yet. */
interface RunningTurn {
  takenAt: number;
  /** The response it continues (for `previous_response_id`), with its client's tag and history. */
  response?: RunningResponse | undefined;
  /**
   * The id of that response once it was deleted while the turn ran: a failed turn does not put it
   * back under that id.
   */
  deletedResponseId?: string | undefined;
}

/** The response a running turn continues, as another request naming it meanwhile may fork it. */
export interface RunningResponse {
  /** The client's tag. */
  clientTag: string;
  /** The response id. */
  responseId: string;
  /** The conversation's history up to and including that response (taken before the turn ran). */
  history: readonly ResponseItem[];
  /** That response as the gateway answered it, for `GET /v1/responses/{id}` while the turn runs. */
  stored?: StoredResponse | undefined;
}

/** What one client key holds in the index: its entries' keys (oldest first) and their bytes. */
interface ClientShare {
  keys: Set<string>;
  bytes: number;
}

const bytesOf = (stored: StoredEntry): number =>
  stored.value.transcript.length +
  (stored.value.response === undefined ? 0 : storedResponseBytes(stored.value.response));

/**
 * A short, stable tag of the client key a request presented: the index keys every entry with it, so
 * two clients' conversations never meet. The key itself is never kept.
 *
 * @param authorization - the request's `Authorization` header (`Bearer <key>`), if any
 */
export function clientTagOf(authorization: string | null | undefined): string {
  const key = /^Bearer[ \t]+(\S+)/i.exec(authorization ?? '')?.[1] ?? '';
  // The one-shot `hash` (no Hash object to create): a few µs less on every request.
  return hash('sha256', key, 'base64url').slice(0, 22);
}

/** The SHA-256 fingerprint of a transcript (hex). */
export function fingerprintOf(transcript: string): string {
  return hash('sha256', transcript, 'hex');
}

/**
 * The bounded in-memory index of conversations the gateway answered recently, keyed per client: by a
 * session id the client sent, by the fingerprint of its transcript, and by its last response id. A
 * conversation is taken out while a turn runs on it (so two requests never share one) and put back
 * under its new keys when the turn completed. Entries older than the age limit are closed; beyond the
 * size or byte limit, the least recently used entry of the client key holding the most entries (or
 * bytes) is closed: a key that opens conversation after conversation evicts its own, never the other
 * keys' ones.
 */
export class ConversationIndex {
  private readonly entries = new Map<string, StoredEntry>();
  private readonly keysByResponse = new Map<string, string>();
  private readonly clients = new Map<string, ClientShare>();
  /** Keys whose conversation was taken for a turn that has not ended yet, with when it was taken. */
  private readonly running = new Map<string, RunningTurn>();
  private storedBytes = 0;

  /**
   * @param limits - size and age limits
   * @param now - wall clock, epoch ms
   */
  constructor(
    private readonly limits: ConversationIndexLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Number of conversations kept right now. */
  get size(): number {
    return this.entries.size;
  }

  /** Bytes of the transcripts kept right now (see {@link ConversationIndexLimits.maxBytes}). */
  get bytes(): number {
    return this.storedBytes;
  }

  /** The key of a client's conversation named by a session id. */
  static sessionKey(clientTag: string, sessionId: string): string {
    return `${clientTag}\u0000session\u0000${sessionId}`;
  }

  /** The key of a client's conversation recognised by its transcript. */
  static transcriptKey(clientTag: string, transcript: string): string {
    return `${clientTag}\u0000transcript\u0000${fingerprintOf(transcript)}`;
  }

  /**
   * Takes a conversation out of the index when its key is known and `accepts` it; one it does not
   * accept stays where it is.
   */
  take(key: string, accepts: (entry: IndexedConversation) => boolean): IndexedConversation | undefined {
    this.expire();
    const stored = this.entries.get(key);
    if (stored === undefined || !accepts(stored.value)) return undefined;
    this.remove(key, stored);
    return stored.value;
  }

  /**
   * Marks the conversation taken from `key` as running a turn, until it is put back under that key
   * or {@link ConversationIndex.finishTurn} is called (or the age limit passed).
   */
  startTurn(key: string, response?: RunningResponse): void {
    this.running.delete(key);
    this.running.set(key, { takenAt: this.now(), response });
  }

  /**
   * The response a running turn continues, when it is a client's `responseId`: a request that names
   * it meanwhile starts from its history (as OpenAI's API forks a response named twice).
   */
  runningResponse(clientTag: string, responseId: string): RunningResponse | undefined {
    for (const turn of this.running.values()) {
      const { response } = turn;
      if (response?.clientTag === clientTag && response.responseId === responseId) return response;
    }
    return undefined;
  }

  /** Whether the conversation under a key is running a turn (see {@link ConversationIndex.startTurn}). */
  isRunning(key: string): boolean {
    return this.running.has(key);
  }

  /** The turn on the conversation taken from `key` ended (it went elsewhere or was closed). */
  finishTurn(key: string): void {
    this.running.delete(key);
  }

  /** Takes a client's conversation out of the index by its last response id. */
  takeByResponseId(clientTag: string, responseId: string): IndexedConversation | undefined {
    const key = this.keysByResponse.get(`${clientTag}\u0000${responseId}`);
    return key === undefined ? undefined : this.take(key, (entry) => entry.responseId === responseId);
  }

  /**
   * A client's response the index keeps: the last response of a conversation that waits in the index,
   * or of one running a turn that continues it. Never another client's (its tag differs).
   */
  findResponse(clientTag: string, responseId: string): StoredResponse | undefined {
    this.expire();
    const key = this.keysByResponse.get(`${clientTag}\u0000${responseId}`);
    const stored = key === undefined ? undefined : this.entries.get(key);
    if (stored !== undefined && stored.value.responseId === responseId) return stored.value.response;
    return this.runningResponse(clientTag, responseId)?.stored;
  }

  /**
   * Forgets a client's response (`DELETE /v1/responses/{id}`): a waiting conversation whose last
   * response it is leaves the index and is closed; a running turn that continues it no longer lets
   * other requests fork it, and gives its conversation back without it when the turn fails.
   *
   * @returns whether the index knew the response
   */
  forgetResponse(clientTag: string, responseId: string): boolean {
    const taken = this.takeByResponseId(clientTag, responseId);
    if (taken !== undefined) {
      void closeQuietly(taken);
      return true;
    }
    for (const turn of this.running.values()) {
      const { response } = turn;
      if (response?.clientTag !== clientTag || response.responseId !== responseId) continue;
      turn.response = undefined;
      turn.deletedResponseId = responseId;
      return true;
    }
    return false;
  }

  /** Whether a conversation waits under a key (not one that is running a turn). */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /**
   * Puts a conversation (back) under a key; a conversation already under that key is closed.
   *
   * @param key - from {@link ConversationIndex.sessionKey} or {@link ConversationIndex.transcriptKey}
   * @param clientTag - the client's tag (for the response id lookup)
   * @param value - the conversation and its transcript
   * @param placement - `keepExisting`: a conversation already under the key stays and `value` is
   *   closed instead (a turn that failed gives its conversation back, but not over one a concurrent
   *   request completed meanwhile)
   */
  put(
    key: string,
    clientTag: string,
    value: IndexedConversation,
    placement: { keepExisting?: boolean } = {},
  ): void {
    const deletedResponseId = this.running.get(key)?.deletedResponseId;
    this.running.delete(key);
    const previous = this.entries.get(key);
    // A failed turn gives back a conversation whose response was deleted meanwhile: it is not kept.
    if (deletedResponseId !== undefined && value.responseId === deletedResponseId) {
      if (previous?.value.conversation !== value.conversation) void closeQuietly(value);
      return;
    }
    if (placement.keepExisting === true && previous !== undefined) {
      if (previous.value.conversation !== value.conversation) void closeQuietly(value);
      return;
    }
    if (previous !== undefined) {
      this.remove(key, previous);
      if (previous.value.conversation !== value.conversation) void closeQuietly(previous.value);
    }
    const stored: StoredEntry = { value, clientTag, storedAt: this.now() };
    this.entries.set(key, stored);
    if (value.responseId !== undefined) this.keysByResponse.set(`${clientTag}\u0000${value.responseId}`, key);
    const share = this.clients.get(clientTag) ?? { keys: new Set<string>(), bytes: 0 };
    share.keys.add(key);
    share.bytes += bytesOf(stored);
    this.clients.set(clientTag, share);
    this.storedBytes += bytesOf(stored);
    this.expire();
    this.evictBeyondLimits();
  }

  /** Closes every conversation and empties the index. */
  async close(): Promise<void> {
    const values = [...this.entries.values()].map((stored) => stored.value);
    this.entries.clear();
    this.keysByResponse.clear();
    this.clients.clear();
    this.running.clear();
    this.storedBytes = 0;
    await Promise.all(values.map(closeQuietly));
  }

  private remove(key: string, stored: StoredEntry): void {
    this.entries.delete(key);
    const { responseId } = stored.value;
    if (responseId !== undefined) this.keysByResponse.delete(`${stored.clientTag}\u0000${responseId}`);
    this.storedBytes -= bytesOf(stored);
    const share = this.clients.get(stored.clientTag);
    if (share === undefined) return;
    share.keys.delete(key);
    share.bytes -= bytesOf(stored);
    if (share.keys.size === 0) this.clients.delete(stored.clientTag);
  }

  /**
   * Closes entries while the index holds too many or too many bytes: each time the least recently
   * used entry of the client key that holds the most entries (over the size limit) or the most bytes
   * (over the byte limit).
   */
  private evictBeyondLimits(): void {
    const maxEntries = Math.max(0, this.limits.maxEntries);
    const maxBytes = Math.max(0, this.limits.maxBytes ?? DEFAULT_CONVERSATION_INDEX_MAX_BYTES);
    for (;;) {
      const overCount = this.entries.size > maxEntries;
      if (!overCount && this.storedBytes <= maxBytes) return;
      let largest: ClientShare | undefined;
      for (const share of this.clients.values()) {
        const measure = (candidate: ClientShare) => (overCount ? candidate.keys.size : candidate.bytes);
        if (largest === undefined || measure(share) > measure(largest)) largest = share;
      }
      const key = largest?.keys.values().next().value;
      const stored = key === undefined ? undefined : this.entries.get(key);
      if (key === undefined || stored === undefined) return;
      this.remove(key, stored);
      void closeQuietly(stored.value);
    }
  }

  private expire(): void {
    const oldestAllowed = this.now() - this.limits.maxAgeMs;
    // A turn that never ended (its stream was never read) leaves its mark no longer than an entry.
    for (const [key, turn] of this.running) {
      if (turn.takenAt >= oldestAllowed) break;
      this.running.delete(key);
    }
    for (const [key, stored] of this.entries) {
      // Insertion order is age order: entries are re-inserted on every put.
      if (stored.storedAt >= oldestAllowed) break;
      this.remove(key, stored);
      void closeQuietly(stored.value);
    }
  }
}

async function closeQuietly(entry: IndexedConversation): Promise<void> {
  try {
    await entry.conversation.close();
  } catch {
    // Closing is best effort: the provider's idle timeout closes the socket anyway.
  }
}
