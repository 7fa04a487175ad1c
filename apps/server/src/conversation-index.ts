import { hash } from 'node:crypto';
import type { ResponseItem } from '@codetether/responses-protocol';
import type { GatewayConversation } from './gateway-provider.js';
import { KeptHistoryBytes } from './response-history-bytes.js';
import {
  outputItemOf,
  type ParsedOutputs,
  type StoredResponse,
  storedResponseBytes,
} from './stored-response.js';

/** Default most conversations the index keeps (each may hold one warm upstream WebSocket). */
export const DEFAULT_CONVERSATION_INDEX_MAX_ENTRIES = 256;
/** Default longest time a conversation stays in the index without a turn: 30 minutes. */
export const DEFAULT_CONVERSATION_INDEX_MAX_AGE_MS = 30 * 60 * 1000;
/**
 * Default most bytes of transcripts the index keeps: 128 MiB (each conversation's own history takes
 * about as much again). Without it, 256 conversations of a 16 MB body each would hold gigabytes.
 */
export const DEFAULT_CONVERSATION_INDEX_MAX_BYTES = 128 * 1024 * 1024;
/**
 * Default most earlier or unfinished responses the index keeps besides each conversation's last one
 * ({@link ConversationIndexLimits.maxResponses}), per conversation of the size limit.
 */
export const DEFAULT_KEPT_RESPONSES_PER_CONVERSATION = 16;
/**
 * The most response ids whose client key the index remembers after the response itself is gone (a
 * few MiB): an id another key's response had is never forwarded upstream for this key.
 */
export const MAX_REMEMBERED_RESPONSE_OWNERS = 65_536;
/**
 * The most output item ids the index remembers the response of (for `item_reference`s), newest last;
 * beyond it, the oldest are forgotten (their responses are usually gone by then).
 */
export const MAX_REMEMBERED_ITEM_IDS = 65_536;
/**
 * The most responses still streaming the index answers retrieves for (as many as the gateway streams at
 * once, in practice); beyond it, the oldest is no longer retrievable until it ended.
 */
export const MAX_STREAMING_RESPONSES = 4096;

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
  /**
   * The most responses kept besides each conversation's last one: earlier turns' responses and
   * unfinished (incomplete or failed) ones; default `maxEntries` × {@link DEFAULT_KEPT_RESPONSES_PER_CONVERSATION}.
   * They count in `maxBytes` too, and are forgotten `maxAgeMs` after they were kept.
   */
  maxResponses?: number | undefined;
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

/**
 * A response the index keeps on its own: an earlier turn's (a later turn of its conversation
 * completed, or its conversation left the index), retrievable and continuable from its history, or
 * an unfinished one (incomplete or failed), retrievable only.
 */
interface KeptResponse {
  stored: StoredResponse;
  clientTag: string;
  keptAt: number;
  /** The conversation's history up to and including the response, when it can be continued. */
  history: readonly ResponseItem[] | undefined;
}

/** A response still streaming, retrievable as it is so far. */
interface StreamingResponse {
  startedAt: number;
  /** The response as it is so far, `undefined` once it ended (then it is stored, or gone). */
  snapshot: () => StoredResponse | undefined;
}

/**
 * What one client key holds in the index: its entries' keys (oldest first), its kept responses' keys
 * (oldest first) and the bytes of both.
 */
interface ClientShare {
  keys: Set<string>;
  kept: Set<string>;
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
  /** Responses kept on their own, by `clientTag\0responseId`, oldest first. */
  private readonly kept = new Map<string, KeptResponse>();
  /** Responses still streaming, by `clientTag\0responseId`, oldest first. */
  private readonly streaming = new Map<string, StreamingResponse>();
  /** The client tag of every response id the index held, newest last, at most {@link MAX_REMEMBERED_RESPONSE_OWNERS}. */
  private readonly owners = new Map<string, string>();
  /** The response of each output item id (`clientTag\0itemId` → response id), at most {@link MAX_REMEMBERED_ITEM_IDS}. */
  private readonly itemResponses = new Map<string, string>();
  /** The bytes of the kept histories' items (each item once). */
  private keptHistoryBytes = new KeptHistoryBytes();
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

  /**
   * Bytes of the transcripts and responses kept right now (see {@link ConversationIndexLimits.maxBytes}).
   */
  get bytes(): number {
    return this.storedBytes;
  }

  /** Number of responses kept besides each conversation's last one (see {@link ConversationIndexLimits.maxResponses}). */
  get keptResponses(): number {
    return this.kept.size;
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

  /**
   * The turn on the conversation taken from `key` ended (it went elsewhere or was closed); the
   * response it continued stays retrievable as an earlier one.
   */
  finishTurn(key: string): void {
    const turn = this.running.get(key);
    this.running.delete(key);
    const response = turn?.response;
    if (response?.stored !== undefined)
      this.keepResponse(response.clientTag, response.responseId, response.stored, response.history);
  }

  /**
   * Keeps a client's response on its own: an unfinished one (retrievable only), or the last response
   * of a conversation that leaves the index without being evicted or deleted (with `history`, the
   * conversation's history up to and including it: continuable too). It counts in the byte limit (its
   * history included) and the {@link ConversationIndexLimits.maxResponses} limit, and is forgotten
   * `maxAgeMs` after now.
   */
  keepResponse(
    clientTag: string,
    responseId: string,
    stored: StoredResponse,
    history?: readonly ResponseItem[],
  ): void {
    this.addKept(clientTag, responseId, stored, history);
    this.expire();
    this.evictBeyondLimits();
  }

  /**
   * Keeps the last response of a conversation taken out of the index that will not go back (closed,
   * or replaced by a new conversation) as an earlier response, with the conversation's history.
   */
  keepLastResponse(clientTag: string, entry: IndexedConversation): void {
    if (entry.responseId !== undefined && entry.response !== undefined)
      this.keepResponse(clientTag, entry.responseId, entry.response, entry.conversation.history);
  }

  /**
   * The history up to and including a client's earlier response the index keeps on its own (see
   * {@link ConversationIndex.keepResponse}): a request naming it starts a new conversation from it, as
   * OpenAI's API continues any stored response. `undefined` for a response it does not keep so, an
   * unfinished one, or another client's.
   */
  keptResponseHistory(clientTag: string, responseId: string): readonly ResponseItem[] | undefined {
    this.expire();
    return this.kept.get(`${clientTag}\u0000${responseId}`)?.history;
  }

  /**
   * The history up to and including a client's response the index holds — the last response of a
   * waiting conversation, of one running a turn that continues it, or one kept on its own — without
   * taking anything out: what a request naming it as `previous_response_id` starts from. `undefined`
   * for a response it does not hold so (unknown, unfinished, another client's).
   */
  responseHistory(clientTag: string, responseId: string): readonly ResponseItem[] | undefined {
    this.expire();
    const key = this.keysByResponse.get(`${clientTag}\u0000${responseId}`);
    const stored = key === undefined ? undefined : this.entries.get(key);
    if (stored !== undefined && stored.value.responseId === responseId)
      return stored.value.conversation.history;
    return (
      this.runningResponse(clientTag, responseId)?.history ??
      this.kept.get(`${clientTag}\u0000${responseId}`)?.history
    );
  }

  /** Adds a kept response (the caller applies the limits). */
  private addKept(
    clientTag: string,
    responseId: string,
    stored: StoredResponse,
    history: readonly ResponseItem[] | undefined,
  ): void {
    const keptKey = `${clientTag}\u0000${responseId}`;
    const previous = this.kept.get(keptKey);
    if (previous !== undefined) this.removeKept(keptKey, previous);
    this.rememberOwner(clientTag, responseId);
    this.rememberItems(clientTag, responseId, stored);
    const bytes =
      storedResponseBytes(stored) + (history === undefined ? 0 : this.keptHistoryBytes.hold(history));
    const kept: KeptResponse = { stored, clientTag, keptAt: this.now(), history };
    this.kept.set(keptKey, kept);
    const share = this.shareOf(clientTag);
    share.kept.add(keptKey);
    share.bytes += bytes;
    this.storedBytes += bytes;
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
    return (
      this.runningResponse(clientTag, responseId)?.stored ??
      this.kept.get(`${clientTag}\u0000${responseId}`)?.stored ??
      this.streamingResponse(clientTag, responseId)
    );
  }

  /**
   * Makes a client's response retrievable while it streams: `snapshot` tells it as it is so far, and
   * `undefined` once it ended (its turn then stores it as usual). Call
   * {@link ConversationIndex.endStreamingResponse} when its stream is over; it is forgotten `maxAgeMs`
   * after it started anyway.
   */
  startStreamingResponse(
    clientTag: string,
    responseId: string,
    snapshot: () => StoredResponse | undefined,
  ): void {
    const key = `${clientTag}\u0000${responseId}`;
    this.streaming.delete(key);
    this.streaming.set(key, { startedAt: this.now(), snapshot });
    this.rememberOwner(clientTag, responseId);
    if (this.streaming.size > MAX_STREAMING_RESPONSES) {
      const oldest = this.streaming.keys().next().value;
      if (oldest !== undefined) this.streaming.delete(oldest);
    }
  }

  /** The stream of a response started with {@link ConversationIndex.startStreamingResponse} is over. */
  endStreamingResponse(clientTag: string, responseId: string): void {
    this.streaming.delete(`${clientTag}\u0000${responseId}`);
  }

  /** A client's response as it is so far, while it streams. */
  streamingResponse(clientTag: string, responseId: string): StoredResponse | undefined {
    return this.streaming.get(`${clientTag}\u0000${responseId}`)?.snapshot();
  }

  /**
   * Forgets a client's response (`DELETE /v1/responses/{id}`): a waiting conversation whose last
   * response it is leaves the index and is closed; a running turn that continues it no longer lets
   * other requests fork it, and gives its conversation back without it when the turn fails; an earlier
   * or unfinished response is just forgotten (its conversation still continues from its last response).
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
    const keptKey = `${clientTag}\u0000${responseId}`;
    const kept = this.kept.get(keptKey);
    if (kept === undefined) return false;
    this.removeKept(keptKey, kept);
    return true;
  }

  /**
   * Whether a response id belongs to another client key: the index held it for another key (it may have
   * been evicted or deleted since; the last {@link MAX_REMEMBERED_RESPONSE_OWNERS} ids are remembered).
   * Such an id is never looked up upstream for this key.
   */
  belongsToAnotherClient(clientTag: string, responseId: string): boolean {
    const owner = this.owners.get(responseId);
    return owner !== undefined && owner !== clientTag;
  }

  /**
   * An output item of a response the index holds for the client, by its id — what an `item_reference`
   * names (the AI SDK's Responses model refers to its earlier turns' items so): the item as the client
   * was shown it. `undefined` for an id of no response it holds, or of another client's. `parsed` keeps
   * the responses' parsed outputs across the lookups of one request.
   */
  findItem(clientTag: string, itemId: string, parsed?: ParsedOutputs): Record<string, unknown> | undefined {
    const responseId = this.itemResponses.get(`${clientTag}\u0000${itemId}`);
    if (responseId === undefined) return undefined;
    const stored = this.findResponse(clientTag, responseId);
    return stored === undefined ? undefined : outputItemOf(stored, itemId, parsed);
  }

  /** Remembers the response of each output item of a stored response. */
  private rememberItems(clientTag: string, responseId: string, stored: StoredResponse): void {
    for (const itemId of stored.outputItemIds) {
      const itemKey = `${clientTag}\u0000${itemId}`;
      this.itemResponses.delete(itemKey);
      this.itemResponses.set(itemKey, responseId);
    }
    while (this.itemResponses.size > MAX_REMEMBERED_ITEM_IDS) {
      const oldest = this.itemResponses.keys().next().value;
      if (oldest === undefined) break;
      this.itemResponses.delete(oldest);
    }
  }

  /** Remembers which client key a response id belongs to. */
  private rememberOwner(clientTag: string, responseId: string): void {
    if (this.owners.get(responseId) === clientTag) return;
    this.owners.delete(responseId);
    this.owners.set(responseId, clientTag);
    if (this.owners.size > MAX_REMEMBERED_RESPONSE_OWNERS) {
      const oldest = this.owners.keys().next().value;
      if (oldest !== undefined) this.owners.delete(oldest);
    }
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
    const turn = this.running.get(key);
    const deletedResponseId = turn?.deletedResponseId;
    this.running.delete(key);
    // The response the turn continued stays retrievable once its conversation answered a later one.
    const continued = turn?.response;
    if (continued?.stored !== undefined && continued.responseId !== value.responseId)
      this.addKept(continued.clientTag, continued.responseId, continued.stored, continued.history);
    const previous = this.entries.get(key);
    // A failed turn gives back a conversation whose response was deleted meanwhile: it is not kept.
    if (deletedResponseId !== undefined && value.responseId === deletedResponseId) {
      if (previous?.value.conversation !== value.conversation) void closeQuietly(value);
      this.evictBeyondLimits();
      return;
    }
    if (placement.keepExisting === true && previous !== undefined) {
      if (previous.value.conversation !== value.conversation) {
        if (previous.value.responseId !== value.responseId) this.keepLastResponse(clientTag, value);
        void closeQuietly(value);
      }
      this.evictBeyondLimits();
      return;
    }
    if (previous !== undefined) {
      this.remove(key, previous);
      const displaced = previous.value;
      if (
        displaced.responseId !== undefined &&
        displaced.response !== undefined &&
        displaced.responseId !== value.responseId
      ) {
        // Its history, unless its conversation goes on under the key (it holds later turns then).
        const history =
          displaced.conversation === value.conversation ? undefined : displaced.conversation.history;
        this.addKept(previous.clientTag, displaced.responseId, displaced.response, history);
      }
      if (previous.value.conversation !== value.conversation) void closeQuietly(previous.value);
    }
    const stored: StoredEntry = { value, clientTag, storedAt: this.now() };
    this.entries.set(key, stored);
    if (value.responseId !== undefined) {
      const responseKey = `${clientTag}\u0000${value.responseId}`;
      this.keysByResponse.set(responseKey, key);
      this.rememberOwner(clientTag, value.responseId);
      if (value.response !== undefined) this.rememberItems(clientTag, value.responseId, value.response);
      // Back as a conversation's last response (a failed turn gave it back): no longer kept on its own.
      const kept = this.kept.get(responseKey);
      if (kept !== undefined) this.removeKept(responseKey, kept);
    }
    const share = this.shareOf(clientTag);
    share.keys.add(key);
    share.bytes += bytesOf(stored);
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
    this.kept.clear();
    this.keptHistoryBytes = new KeptHistoryBytes();
    this.streaming.clear();
    this.owners.clear();
    this.itemResponses.clear();
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
    if (share.keys.size === 0 && share.kept.size === 0) this.clients.delete(stored.clientTag);
  }

  private removeKept(keptKey: string, kept: KeptResponse): void {
    this.kept.delete(keptKey);
    const bytes =
      storedResponseBytes(kept.stored) +
      (kept.history === undefined ? 0 : this.keptHistoryBytes.release(kept.history));
    this.storedBytes -= bytes;
    const share = this.clients.get(kept.clientTag);
    if (share === undefined) return;
    share.kept.delete(keptKey);
    share.bytes -= bytes;
    if (share.keys.size === 0 && share.kept.size === 0) this.clients.delete(kept.clientTag);
  }

  /** The share of a client key, created when it holds nothing yet. */
  private shareOf(clientTag: string): ClientShare {
    let share = this.clients.get(clientTag);
    if (share === undefined) {
      share = { keys: new Set<string>(), kept: new Set<string>(), bytes: 0 };
      this.clients.set(clientTag, share);
    }
    return share;
  }

  /**
   * Closes entries while the index holds too many or too many bytes: each time the least recently
   * used entry of the client key that holds the most entries (over the size limit) or the most bytes
   * (over the byte limit) — over the byte limit, that key's oldest kept response goes first. Over the
   * kept-response limit, the oldest kept response of the key that holds the most goes.
   */
  private evictBeyondLimits(): void {
    const maxEntries = Math.max(0, this.limits.maxEntries);
    const maxBytes = Math.max(0, this.limits.maxBytes ?? DEFAULT_CONVERSATION_INDEX_MAX_BYTES);
    const maxResponses = Math.max(
      0,
      this.limits.maxResponses ?? maxEntries * DEFAULT_KEPT_RESPONSES_PER_CONVERSATION,
    );
    for (;;) {
      const overCount = this.entries.size > maxEntries;
      const overResponses = this.kept.size > maxResponses;
      const overBytes = this.storedBytes > maxBytes;
      if (!overCount && !overResponses && !overBytes) return;
      const measure = (candidate: ClientShare): number =>
        overCount ? candidate.keys.size : overResponses ? candidate.kept.size : candidate.bytes;
      let largest: ClientShare | undefined;
      for (const share of this.clients.values()) {
        if (largest === undefined || measure(share) > measure(largest)) largest = share;
      }
      const keptKey = overCount ? undefined : largest?.kept.values().next().value;
      const kept = keptKey === undefined ? undefined : this.kept.get(keptKey);
      if (keptKey !== undefined && kept !== undefined) {
        this.removeKept(keptKey, kept);
        continue;
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
    for (const [keptKey, kept] of this.kept) {
      // Insertion order is age order: a response kept again is re-inserted.
      if (kept.keptAt >= oldestAllowed) break;
      this.removeKept(keptKey, kept);
    }
    // A stream that was never closed leaves its mark no longer than an entry.
    for (const [key, streaming] of this.streaming) {
      if (streaming.startedAt >= oldestAllowed) break;
      this.streaming.delete(key);
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
