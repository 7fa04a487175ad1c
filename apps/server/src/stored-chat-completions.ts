import { isRecord } from './is-record.js';

/** The most stored chat completions kept, all keys together, by default. */
export const DEFAULT_STORED_CHAT_COMPLETIONS_MAX = 1000;
/** The most bytes of stored chat completions (their answers and messages as JSON), by default. */
export const DEFAULT_STORED_CHAT_COMPLETION_MAX_BYTES = 64 * 1024 * 1024;
/** How long a stored chat completion is kept after it was made, in ms, by default. */
export const DEFAULT_STORED_CHAT_COMPLETION_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** Limits of a {@link StoredChatCompletionStore}. */
export interface StoredChatCompletionLimits {
  /** See {@link DEFAULT_STORED_CHAT_COMPLETIONS_MAX}. */
  maxCompletions?: number | undefined;
  /** See {@link DEFAULT_STORED_CHAT_COMPLETION_MAX_BYTES}. */
  maxBytes?: number | undefined;
  /** See {@link DEFAULT_STORED_CHAT_COMPLETION_MAX_AGE_MS}. */
  maxAgeMs?: number | undefined;
}

/** A string map, as OpenAI's `metadata`. */
export type Metadata = Readonly<Record<string, string>>;

/** One stored chat completion: its answer and the messages it answered, as JSON, and what lists filter on. */
interface StoredChatCompletion {
  readonly id: string;
  readonly model: string;
  /** When it was stored, epoch ms (its age). */
  readonly storedAt: number;
  metadata: Metadata;
  /** The `chat.completion` object (without `metadata`) as JSON. */
  readonly completion: string;
  /** The request's messages as OpenAI lists them (`ChatCompletionStoreMessage`s) as JSON. */
  readonly messages: string;
  readonly bytes: number;
}

/** A text part's text, or the empty string. */
function textOfPart(part: unknown): string {
  return isRecord(part) && part.type === 'text' && typeof part.text === 'string' ? part.text : '';
}

/**
 * The request's messages as OpenAI's stored chat completions list them: each with an id
 * (`<completion id>-<position>`), its text `content` (a content array's text parts joined; `null`
 * without text) and, for a content array, its text and image parts as `content_parts`.
 */
function storeMessagesOf(completionId: string, messages: readonly unknown[]): Record<string, unknown>[] {
  return messages.filter(isRecord).map((message, position) => {
    const { content, ...rest } = message;
    const stored: Record<string, unknown> = { ...rest, id: `${completionId}-${position}` };
    if (Array.isArray(content)) {
      const text = content.map(textOfPart).join('');
      stored.content = text === '' ? null : text;
      stored.content_parts = content.filter(
        (part) => isRecord(part) && (part.type === 'text' || part.type === 'image_url'),
      );
    } else {
      stored.content = typeof content === 'string' ? content : null;
      stored.content_parts = null;
    }
    return stored;
  });
}

/**
 * The chat completions clients asked to store (`store: true` on `POST /v1/chat/completions`), per
 * client key, for OpenAI's stored-completion endpoints (list, retrieve, update metadata, delete, list
 * messages). Kept in this process's memory within a count, a byte and an age limit: beyond them, the
 * oldest go first.
 */
export class StoredChatCompletionStore {
  /** By `clientTag\0id`, oldest first. */
  private readonly completions = new Map<string, StoredChatCompletion>();
  private totalBytes = 0;
  private readonly maxCompletions: number;
  private readonly maxBytes: number;
  private readonly maxAgeMs: number;

  /**
   * @param limits - count, byte and age limits (defaults above)
   * @param now - wall clock, epoch ms
   */
  constructor(
    limits: StoredChatCompletionLimits = {},
    private readonly now: () => number = Date.now,
  ) {
    this.maxCompletions = limits.maxCompletions ?? DEFAULT_STORED_CHAT_COMPLETIONS_MAX;
    this.maxBytes = limits.maxBytes ?? DEFAULT_STORED_CHAT_COMPLETION_MAX_BYTES;
    this.maxAgeMs = limits.maxAgeMs ?? DEFAULT_STORED_CHAT_COMPLETION_MAX_AGE_MS;
  }

  /** Number of stored chat completions, all keys. */
  get size(): number {
    this.evict();
    return this.completions.size;
  }

  /** Bytes of their answers and messages. */
  get bytes(): number {
    return this.totalBytes;
  }

  /**
   * Stores a completion the gateway answered to a key: the `chat.completion` object, the messages of
   * its request and its `metadata`.
   */
  put(
    clientTag: string,
    completion: Readonly<{ id: string; model?: unknown }>,
    messages: readonly unknown[],
    metadata: Metadata,
  ): void {
    const id = String(completion.id);
    const completionText = JSON.stringify(completion);
    const messagesText = JSON.stringify(storeMessagesOf(id, messages));
    const bytes = completionText.length + messagesText.length + JSON.stringify(metadata).length;
    // One too large for the whole store is not kept (it would evict everything else).
    if (bytes > this.maxBytes) return;
    this.remove(`${clientTag}\0${id}`);
    this.completions.set(`${clientTag}\0${id}`, {
      id,
      model: typeof completion.model === 'string' ? completion.model : '',
      storedAt: this.now(),
      metadata,
      completion: completionText,
      messages: messagesText,
      bytes,
    });
    this.totalBytes += bytes;
    this.evict();
  }

  /** A key's stored completion as OpenAI answers it (the `chat.completion` with its `metadata`), or undefined. */
  get(clientTag: string, id: string): Record<string, unknown> | undefined {
    const stored = this.find(clientTag, id);
    return stored === undefined ? undefined : answerOf(stored);
  }

  /**
   * A key's stored completions, oldest first, with those filters: the model they answered, and
   * metadata pairs they all have.
   */
  list(
    clientTag: string,
    filter: { model?: string | undefined; metadata: Metadata },
  ): Record<string, unknown>[] {
    this.evict();
    const prefix = `${clientTag}\0`;
    const pairs = Object.entries(filter.metadata);
    const listed: Record<string, unknown>[] = [];
    for (const [key, stored] of this.completions) {
      if (!key.startsWith(prefix)) continue;
      if (filter.model !== undefined && stored.model !== filter.model) continue;
      if (!pairs.every(([name, value]) => stored.metadata[name] === value)) continue;
      listed.push(answerOf(stored));
    }
    return listed;
  }

  /** The messages of a key's stored completion, in the order they were sent, or undefined. */
  messages(clientTag: string, id: string): Record<string, unknown>[] | undefined {
    const stored = this.find(clientTag, id);
    return stored === undefined ? undefined : (JSON.parse(stored.messages) as Record<string, unknown>[]);
  }

  /** Replaces a key's stored completion's metadata; returns it as OpenAI answers it, or undefined. */
  updateMetadata(clientTag: string, id: string, metadata: Metadata): Record<string, unknown> | undefined {
    const stored = this.find(clientTag, id);
    if (stored === undefined) return undefined;
    stored.metadata = metadata;
    return answerOf(stored);
  }

  /** Deletes a key's stored completion; returns whether it was kept. */
  delete(clientTag: string, id: string): boolean {
    this.evict();
    return this.remove(`${clientTag}\0${id}`);
  }

  private find(clientTag: string, id: string): StoredChatCompletion | undefined {
    this.evict();
    return this.completions.get(`${clientTag}\0${id}`);
  }

  private remove(key: string): boolean {
    const stored = this.completions.get(key);
    if (stored === undefined) return false;
    this.completions.delete(key);
    this.totalBytes -= stored.bytes;
    return true;
  }

  /** Drops the oldest completions past their age, or beyond the count or byte limit. */
  private evict(): void {
    const now = this.now();
    for (const [key, stored] of this.completions) {
      const over = this.completions.size > this.maxCompletions || this.totalBytes > this.maxBytes;
      if (!over && now - stored.storedAt <= this.maxAgeMs) break;
      this.remove(key);
    }
  }
}

/** A stored completion as OpenAI answers it: the `chat.completion` object with its `metadata`. */
function answerOf(stored: StoredChatCompletion): Record<string, unknown> {
  return { ...(JSON.parse(stored.completion) as Record<string, unknown>), metadata: { ...stored.metadata } };
}
