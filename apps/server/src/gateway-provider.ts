import type {
  CompactedHistory,
  Conversation,
  ConversationOptions,
  EmbeddingsAnswer,
  HistoryCompactionRequest,
  ModelInfo,
  StoredResponseAnswer,
  StoredResponseRequest,
} from '@codetether/provider-codex';
import type { CompletionRequest, RateLimitSnapshot, StreamChunk } from '@codetether/responses-protocol';

/** What the gateway uses of a provider's conversation (see `Conversation` of `@codetether/provider-codex`). */
export type GatewayConversation = Pick<Conversation, 'id' | 'history' | 'send' | 'close'>;

/** Per-request options the gateway passes to the provider. */
export interface GatewayProviderRequestOptions {
  /** Aborted when the client disconnects or the gateway shuts down. */
  signal?: AbortSignal | undefined;
  /**
   * The upstream session id: from the client's `session_id` / `x-session-id` header scoped to its key
   * (`upstreamSessionIdOf`), else a lane the gateway lends.
   */
  sessionId?: string | undefined;
  /**
   * Told when the upstream accepted the request (its first `response.*` event arrived), before any
   * chunk: later failures come as `error` chunks (see provider-codex's `CodexRequestOptions`).
   */
  onResponseStarted?: (() => void) | undefined;
}

/** A model as the provider lists it (only `id` is required by the gateway). */
export interface GatewayModel {
  /** Model id clients put in requests. */
  id: string;
}

/**
 * A model as the gateway knows it: the id, plus whatever the provider described (a `CodexProvider`
 * lists full {@link ModelInfo}s; a minimal provider only ids).
 */
export type DescribedGatewayModel = GatewayModel & Partial<ModelInfo>;

/** The upstream Responses stream returned by {@link GatewayProvider.createResponseStream}. */
export interface GatewayResponseStream {
  /** Responses stream events (plain objects with a `type`). */
  events: AsyncIterable<unknown>;
  /** The account's usage windows for this response (`x-codex-*` headers or the `codex.rate_limits` event). */
  rateLimits?: RateLimitSnapshot | undefined;
  /**
   * The upstream accepted the request but its events may be held back a while (a conversation turn that
   * could still be replayed invisibly): the answer's head may go before the first event; a failure
   * after this comes in the stream. Absent: the first event is what says the upstream accepted it.
   */
  accepted?: boolean | undefined;
}

/**
 * What the gateway needs from a provider: `@codetether/provider-codex`'s `CodexProvider` satisfies it;
 * tests can pass any object of this shape. Failures are thrown as `CodexProviderError`-shaped errors
 * (`code`, `status`, `retryAfterMs`, `resetsAt` in epoch ms).
 */
export interface GatewayProvider {
  /** The model catalogue of the active backend. */
  listModels(): Promise<readonly GatewayModel[]>;
  /** Streams a completion; pre-stream failures are thrown by the first `next()`. */
  completeStream(
    request: CompletionRequest,
    options?: GatewayProviderRequestOptions,
  ): AsyncIterable<StreamChunk>;
  /** Raw Responses passthrough with the account's credentials; resolves once the upstream answered. */
  createResponseStream(
    body: Record<string, unknown>,
    options?: GatewayProviderRequestOptions,
  ): Promise<GatewayResponseStream>;
  /**
   * Opens a conversation with its own history and upstream WebSocket (continuation). Without it the
   * gateway sends every request in full.
   */
  createConversation?(options: ConversationOptions): GatewayConversation;
  /**
   * Every model the provider accepts, hidden ones included (with their `visibility`): what the Codex
   * CLI's catalogue lists. Without it, the catalogue has the listed models only.
   */
  readModelList?(): Promise<{ models: readonly DescribedGatewayModel[] }>;
  /**
   * Checks a model name as a request would use it: resolves its description, or `undefined` when the
   * provider checks nothing (an API key); rejects with the provider's refusal (`unsupported-model`…).
   * Without it, `GET /v1/models/{id}` answers listed models only.
   */
  validateModel?(model: string): Promise<unknown>;
  /**
   * A response the upstream stored (an API key's `store: true` responses on the OpenAI API): forwards
   * `GET`/`DELETE /responses/{id}` and `GET …/input_items` (see `CodexProvider.requestStoredResponse`).
   * `undefined` when the upstream does not know the id or stores nothing; without it, the gateway
   * answers 404 for every id it does not hold.
   */
  requestStoredResponse?(request: StoredResponseRequest): Promise<StoredResponseAnswer | undefined>;
  /**
   * Compacts a history with the backend's compaction endpoint (`POST /v1/responses/compact`, see
   * `CodexProvider.compactHistory`); without it the gateway answers that route with a 501.
   */
  compactHistory?(
    request: HistoryCompactionRequest,
    options?: GatewayProviderRequestOptions,
  ): Promise<CompactedHistory>;
  /**
   * The upstream's exact count of a Responses body's input tokens (`POST /v1/responses/input_tokens`, see
   * `CodexProvider.countInputTokens`), or `undefined` when the upstream cannot count (a ChatGPT login):
   * the gateway then estimates.
   */
  countInputTokens?(
    body: Readonly<Record<string, unknown>>,
    options?: GatewayProviderRequestOptions,
  ): Promise<number | undefined>;
  /**
   * The upstream's embeddings of a client's Embeddings body (`POST /v1/embeddings`, see
   * `CodexProvider.createEmbeddings`), or `undefined` when the upstream has none (a ChatGPT login).
   */
  createEmbeddings?(
    body: Readonly<Record<string, unknown>>,
    options?: GatewayProviderRequestOptions,
  ): Promise<EmbeddingsAnswer | undefined>;
  /** The account's usage windows from the latest response, when the provider tracks them. */
  readonly lastRateLimits?: RateLimitSnapshot | undefined;
  /**
   * Loads what the first request will need (e.g. transport modules) without sending anything; the
   * listening gateway calls it once, right after it starts to listen. Never rejects.
   */
  prepare?(): Promise<void>;
  /** Releases the provider's connections. */
  close?(): Promise<void>;
}
