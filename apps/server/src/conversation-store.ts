import { randomBytes } from 'node:crypto';

/** Default most Conversations API conversations the gateway keeps, all client keys together. */
export const DEFAULT_STORED_CONVERSATIONS_MAX = 1000;
/** Default longest time a conversation is kept after it was last used: 24 hours. */
export const DEFAULT_STORED_CONVERSATION_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** Default most bytes of conversation items and metadata kept, all client keys together: 64 MiB. */
export const DEFAULT_STORED_CONVERSATION_MAX_BYTES = 64 * 1024 * 1024;
/** Bytes counted for a conversation besides its items and metadata (its id, times, bookkeeping). */
export const CONVERSATION_OVERHEAD_BYTES = 256;

/** Size and age limits of the {@link ConversationStore}. */
export interface ConversationStoreLimits {
  /** The most conversations kept (default {@link DEFAULT_STORED_CONVERSATIONS_MAX}). */
  maxConversations?: number | undefined;
  /** How long a conversation is kept after it was last used, in ms (default 24 hours). */
  maxAgeMs?: number | undefined;
  /**
   * The most bytes kept: each item's JSON length, each conversation's metadata JSON length and
   * {@link CONVERSATION_OVERHEAD_BYTES} per conversation (default 64 MiB).
   */
  maxBytes?: number | undefined;
}

/** Why a conversation left the store without being deleted. */
export type ConversationEvictionReason = 'count' | 'bytes' | 'age';

/** A conversation as the Conversations API answers it. */
export interface ConversationObject {
  /** `conv_…`. */
  id: string;
  /** Always `conversation`. */
  object: 'conversation';
  /** Epoch seconds. */
  created_at: number;
  /** The client's string pairs (an empty object when it set none). */
  metadata: Record<string, string>;
}

/** One item of a conversation: its id, the item (with that id) and its JSON length. */
export interface StoredConversationItem {
  /** The item's id (the client's, the model's, or one the gateway gave it). */
  readonly id: string;
  /** The item as listed, its `id` included. Never mutated once stored. */
  readonly item: Readonly<Record<string, unknown>>;
  /** Its JSON length, counted in the byte limit. */
  readonly bytes: number;
}

/** The failures of a {@link ConversationStore} operation that are the caller's to answer. */
export type ConversationStoreErrorCode = 'conversation_locked' | 'conversation_too_large';

/** A refused store operation: a response already running on the conversation, or too many bytes. */
export class ConversationStoreError extends Error {
  /** What went wrong. */
  readonly code: ConversationStoreErrorCode;

  /**
   * @param code - what went wrong
   * @param message - what happened and what to do
   */
  constructor(code: ConversationStoreErrorCode, message: string) {
    super(message);
    this.name = 'ConversationStoreError';
    this.code = code;
  }
}

/** A response running on a conversation: it holds the conversation until it completes or is released. */
export interface ConversationTurn {
  /** The conversation's items when the turn started, in order. */
  readonly items: readonly StoredConversationItem[];
  /**
   * The response completed (or ended incomplete): its input and output items are appended (each
   * keeping its id, or given one) and the conversation is free again. Does nothing once released, or
   * when the conversation was deleted or evicted meanwhile.
   *
   * @returns the items as appended (empty when nothing was)
   */
  complete(items: readonly Record<string, unknown>[]): StoredConversationItem[];
  /** The response ended without completing: the conversation is free again, unchanged. Idempotent. */
  release(): void;
}

interface ConversationRecord {
  readonly id: string;
  readonly clientTag: string;
  readonly createdAt: number;
  metadata: Record<string, string>;
  metadataBytes: number;
  items: StoredConversationItem[];
  itemsById: Map<string, StoredConversationItem>;
  itemBytes: number;
  lastUsedAt: number;
  /** When a running response took it (a turn left unreleased counts no longer than `maxAgeMs`). */
  turnStartedAt: number | undefined;
  /** Bumped by every turn, so a released turn's late `complete` changes nothing. */
  turnNumber: number;
}

/** The id prefix of an item by its type (OpenAI's where known, `item` otherwise). */
const ID_PREFIXES: Readonly<Record<string, string>> = {
  message: 'msg',
  function_call: 'fc',
  function_call_output: 'fco',
  custom_tool_call: 'ctc',
  custom_tool_call_output: 'ctco',
  reasoning: 'rs',
  compaction: 'cmp',
};

/** A new conversation id: `conv_` and 48 hex digits (unguessable). */
export function newConversationId(): string {
  return `conv_${randomBytes(24).toString('hex')}`;
}

/** A new item id for an item of `type`: `msg_…`, `fc_…`, … and 48 hex digits. */
export function newItemId(type: unknown): string {
  const prefix = typeof type === 'string' ? (ID_PREFIXES[type] ?? 'item') : 'item';
  return `${prefix}_${randomBytes(24).toString('hex')}`;
}

const bytesOfRecord = (record: ConversationRecord): number =>
  CONVERSATION_OVERHEAD_BYTES + record.metadataBytes + record.itemBytes;

/**
 * The gateway's in-memory store of Conversations API conversations (`/v1/conversations`), per client
 * key: each conversation is visible only to the key (its tag) that created it. Bounded by count, bytes
 * and age: a conversation unused for `maxAgeMs` is dropped; beyond the count or byte limit the least
 * recently used conversation of the client key holding the most conversations (or bytes) is dropped,
 * so one key filling the store evicts its own conversations, never the other keys' ones. Expiry is
 * checked on every operation (no timers: nothing to stop at shutdown). Not the continuation index
 * (`ConversationIndex`), which holds upstream conversations.
 */
export class ConversationStore {
  /** Every conversation by `clientTag\0id`, least recently used first. */
  private readonly records = new Map<string, ConversationRecord>();
  /** Each client tag's conversation keys, least recently used first. */
  private readonly byClient = new Map<string, Set<string>>();
  /** Each client tag's bytes. */
  private readonly bytesByClient = new Map<string, number>();
  private storedBytes = 0;
  private readonly maxConversations: number;
  private readonly maxAgeMs: number;
  private readonly maxBytes: number;

  /**
   * @param limits - count, age and byte limits (defaults above)
   * @param now - wall clock, epoch ms
   * @param onEvict - told about each conversation dropped by a limit
   */
  constructor(
    limits: ConversationStoreLimits = {},
    private readonly now: () => number = Date.now,
    private readonly onEvict?: (reason: ConversationEvictionReason) => void,
  ) {
    this.maxConversations = Math.max(0, limits.maxConversations ?? DEFAULT_STORED_CONVERSATIONS_MAX);
    this.maxAgeMs = Math.max(0, limits.maxAgeMs ?? DEFAULT_STORED_CONVERSATION_MAX_AGE_MS);
    this.maxBytes = Math.max(0, limits.maxBytes ?? DEFAULT_STORED_CONVERSATION_MAX_BYTES);
  }

  /** Conversations kept right now. */
  get size(): number {
    return this.records.size;
  }

  /** Bytes kept right now (see {@link ConversationStoreLimits.maxBytes}). */
  get bytes(): number {
    return this.storedBytes;
  }

  /**
   * Creates a conversation of a client with its first items (each keeping its id, or given one).
   *
   * @throws {ConversationStoreError} `conversation_too_large` when it alone would pass the byte limit
   */
  create(
    clientTag: string,
    metadata: Record<string, string>,
    items: readonly Record<string, unknown>[],
  ): ConversationObject {
    this.expire();
    const record: ConversationRecord = {
      id: newConversationId(),
      clientTag,
      createdAt: Math.floor(this.now() / 1000),
      metadata: { ...metadata },
      metadataBytes: JSON.stringify(metadata).length,
      items: [],
      itemsById: new Map(),
      itemBytes: 0,
      lastUsedAt: this.now(),
      turnStartedAt: undefined,
      turnNumber: 0,
    };
    const prepared = prepareItems(record, items);
    this.refuseTooLarge(bytesOfRecord(record) + sumBytes(prepared));
    appendPrepared(record, prepared);
    const key = keyOf(clientTag, record.id);
    this.records.set(key, record);
    let keys = this.byClient.get(clientTag);
    if (keys === undefined) {
      keys = new Set();
      this.byClient.set(clientTag, keys);
    }
    keys.add(key);
    this.addBytes(clientTag, bytesOfRecord(record));
    this.evictBeyondLimits();
    return objectOf(record);
  }

  /** A client's conversation, or `undefined` (unknown, expired, deleted, evicted, another key's). */
  get(clientTag: string, id: string): ConversationObject | undefined {
    const record = this.use(clientTag, id);
    return record === undefined ? undefined : objectOf(record);
  }

  /** Replaces a client's conversation's metadata; `undefined` when it has no such conversation. */
  updateMetadata(
    clientTag: string,
    id: string,
    metadata: Record<string, string>,
  ): ConversationObject | undefined {
    const record = this.use(clientTag, id);
    if (record === undefined) return undefined;
    const before = bytesOfRecord(record);
    record.metadata = { ...metadata };
    record.metadataBytes = JSON.stringify(metadata).length;
    this.addBytes(clientTag, bytesOfRecord(record) - before);
    this.evictBeyondLimits();
    return objectOf(record);
  }

  /** Deletes a client's conversation and its items; whether it had it. A running response's items are dropped. */
  delete(clientTag: string, id: string): boolean {
    const record = this.use(clientTag, id);
    if (record === undefined) return false;
    this.remove(record);
    return true;
  }

  /** A client's conversation's items, oldest first; `undefined` when it has no such conversation. */
  items(clientTag: string, id: string): readonly StoredConversationItem[] | undefined {
    return this.use(clientTag, id)?.items;
  }

  /** One item of a client's conversation; `undefined` when either is unknown. */
  item(clientTag: string, id: string, itemId: string): StoredConversationItem | undefined {
    return this.use(clientTag, id)?.itemsById.get(itemId);
  }

  /**
   * Appends items to a client's conversation (each keeping its id unless another item of the
   * conversation has it, else given one).
   *
   * @returns the items as appended, or `undefined` when it has no such conversation
   * @throws {ConversationStoreError} `conversation_too_large` when the conversation would pass the byte limit
   */
  addItems(
    clientTag: string,
    id: string,
    items: readonly Record<string, unknown>[],
  ): StoredConversationItem[] | undefined {
    const record = this.use(clientTag, id);
    if (record === undefined) return undefined;
    const prepared = prepareItems(record, items);
    this.refuseTooLarge(bytesOfRecord(record) + sumBytes(prepared));
    appendPrepared(record, prepared);
    this.addBytes(clientTag, sumBytes(prepared));
    this.evictBeyondLimits();
    return prepared;
  }

  /**
   * Deletes one item of a client's conversation.
   *
   * @returns the conversation, or `undefined` when the conversation or the item is unknown
   */
  deleteItem(clientTag: string, id: string, itemId: string): ConversationObject | undefined {
    const record = this.use(clientTag, id);
    const stored = record?.itemsById.get(itemId);
    if (record === undefined || stored === undefined) return undefined;
    record.itemsById.delete(itemId);
    record.items.splice(record.items.indexOf(stored), 1);
    record.itemBytes -= stored.bytes;
    this.addBytes(clientTag, -stored.bytes);
    return objectOf(record);
  }

  /**
   * Starts a response on a client's conversation: it holds the conversation until the turn completes
   * or is released (or `maxAgeMs` passed), so two responses never run on one conversation at once.
   *
   * @param pendingBytes - the bytes the turn will add at least (its input): refused up front when the
   *   conversation would then pass the byte limit
   * @returns the turn, or `undefined` when the client has no such conversation
   * @throws {ConversationStoreError} `conversation_locked` when a response runs on it,
   *   `conversation_too_large` when it would pass the byte limit
   */
  startTurn(clientTag: string, id: string, pendingBytes = 0): ConversationTurn | undefined {
    const record = this.use(clientTag, id);
    if (record === undefined) return undefined;
    if (record.turnStartedAt !== undefined && record.turnStartedAt >= this.now() - this.maxAgeMs)
      throw new ConversationStoreError(
        'conversation_locked',
        `Another response is running on conversation '${id}'. Wait until it has finished (its stream ended), then send this one.`,
      );
    this.refuseTooLarge(bytesOfRecord(record) + pendingBytes);
    record.turnNumber += 1;
    record.turnStartedAt = this.now();
    const turnNumber = record.turnNumber;
    const key = keyOf(clientTag, id);
    const holds = (): boolean =>
      this.records.get(key) === record &&
      record.turnNumber === turnNumber &&
      record.turnStartedAt !== undefined;
    return {
      items: [...record.items],
      complete: (items) => {
        if (!holds()) return [];
        record.turnStartedAt = undefined;
        this.touch(record);
        const prepared = prepareItems(record, items);
        appendPrepared(record, prepared);
        this.addBytes(clientTag, sumBytes(prepared));
        this.evictBeyondLimits();
        return prepared;
      },
      release: () => {
        if (holds()) record.turnStartedAt = undefined;
      },
    };
  }

  /** Drops every conversation (the gateway is closing). */
  close(): void {
    this.records.clear();
    this.byClient.clear();
    this.bytesByClient.clear();
    this.storedBytes = 0;
  }

  /** A client's conversation, marked as just used; expired ones are dropped first. */
  private use(clientTag: string, id: string): ConversationRecord | undefined {
    this.expire();
    const record = this.records.get(keyOf(clientTag, id));
    if (record === undefined) return undefined;
    this.touch(record);
    return record;
  }

  private touch(record: ConversationRecord): void {
    const key = keyOf(record.clientTag, record.id);
    record.lastUsedAt = this.now();
    this.records.delete(key);
    this.records.set(key, record);
    const keys = this.byClient.get(record.clientTag);
    keys?.delete(key);
    keys?.add(key);
  }

  private refuseTooLarge(bytes: number): void {
    if (bytes <= this.maxBytes) return;
    throw new ConversationStoreError(
      'conversation_too_large',
      `The conversation would hold ${bytes} bytes, more than this gateway keeps (${this.maxBytes} bytes, --max-stored-conversation-bytes). Start a new conversation, or delete items from this one.`,
    );
  }

  private addBytes(clientTag: string, bytes: number): void {
    this.storedBytes += bytes;
    this.bytesByClient.set(clientTag, (this.bytesByClient.get(clientTag) ?? 0) + bytes);
  }

  private remove(record: ConversationRecord): void {
    const key = keyOf(record.clientTag, record.id);
    if (this.records.get(key) !== record) return;
    this.records.delete(key);
    const keys = this.byClient.get(record.clientTag);
    keys?.delete(key);
    this.addBytes(record.clientTag, -bytesOfRecord(record));
    if (keys !== undefined && keys.size === 0) {
      this.byClient.delete(record.clientTag);
      this.bytesByClient.delete(record.clientTag);
    }
  }

  private expire(): void {
    const oldestAllowed = this.now() - this.maxAgeMs;
    // Least recently used first: the first one young enough ends the walk.
    for (const record of this.records.values()) {
      if (record.lastUsedAt >= oldestAllowed) break;
      this.remove(record);
      this.onEvict?.('age');
    }
  }

  /** Drops the least recently used conversation of the client key holding the most while over a limit. */
  private evictBeyondLimits(): void {
    for (;;) {
      const overCount = this.records.size > this.maxConversations;
      const overBytes = this.storedBytes > this.maxBytes;
      if (!overCount && !overBytes) return;
      let largest: string | undefined;
      let largestMeasure = -1;
      for (const [clientTag, keys] of this.byClient) {
        const measure = overCount ? keys.size : (this.bytesByClient.get(clientTag) ?? 0);
        if (measure > largestMeasure) {
          largest = clientTag;
          largestMeasure = measure;
        }
      }
      const key = largest === undefined ? undefined : this.byClient.get(largest)?.values().next().value;
      const record = key === undefined ? undefined : this.records.get(key);
      if (record === undefined) return;
      this.remove(record);
      this.onEvict?.(overCount ? 'count' : 'bytes');
    }
  }
}

function keyOf(clientTag: string, id: string): string {
  return `${clientTag}\u0000${id}`;
}

function objectOf(record: ConversationRecord): ConversationObject {
  return {
    id: record.id,
    object: 'conversation',
    created_at: record.createdAt,
    metadata: { ...record.metadata },
  };
}

function sumBytes(items: readonly StoredConversationItem[]): number {
  let total = 0;
  for (const item of items) total += item.bytes;
  return total;
}

/**
 * The items as they will be stored in `record`: each keeps its string `id` unless the conversation (or
 * an earlier item of the same batch) has it, else it gets a new one.
 */
function prepareItems(
  record: ConversationRecord,
  items: readonly Record<string, unknown>[],
): StoredConversationItem[] {
  const taken = new Set<string>();
  return items.map((item) => {
    let id = typeof item.id === 'string' && item.id !== '' ? item.id : undefined;
    if (id === undefined || record.itemsById.has(id) || taken.has(id)) id = newItemId(item.type);
    taken.add(id);
    const { id: _given, ...fields } = item;
    const stored = { id, ...fields };
    return { id, item: stored, bytes: JSON.stringify(stored).length };
  });
}

function appendPrepared(record: ConversationRecord, prepared: readonly StoredConversationItem[]): void {
  for (const stored of prepared) {
    record.items.push(stored);
    record.itemsById.set(stored.id, stored);
    record.itemBytes += stored.bytes;
  }
}
