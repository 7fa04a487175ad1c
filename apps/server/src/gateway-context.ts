import type { ActiveStreamRegistry } from './active-stream-registry.js';
import type { BackgroundResponseRegistry } from './background-responses.js';
import type { ConversationIndex } from './conversation-index.js';
import type { ConversationStore } from './conversation-store.js';
import type { GatewayLogger } from './gateway-logger.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import type { GatewayProvider } from './gateway-provider.js';
import type { StoredChatCompletionStore } from './stored-chat-completions.js';
import type { UpstreamSessionLanes } from './upstream-session-lanes.js';

/** When to add `reasoning_content` to chat completions. */
export type ReasoningContentMode = 'auto' | 'always' | 'never';

/** Everything the route handlers share. */
export interface GatewayContext {
  /** The upstream provider. */
  provider: GatewayProvider;
  /** Metrics registry. */
  metrics: GatewayMetrics;
  /** Structured logger. */
  logger: GatewayLogger;
  /**
   * The `/v1` requests in flight — streams, non-streamed calls and forwarded stored-response requests —
   * which graceful shutdown waits for, then ends.
   */
  streams: ActiveStreamRegistry;
  /** Whether the gateway is shutting down (new requests, and new forwards upstream, are refused). */
  isDraining(): boolean;
  /** Wall clock, epoch ms (`created` fields, Retry-After). */
  now: () => number;
  /** When the gateway started, epoch seconds (the `created` of every model it lists). */
  startedAtSeconds: number;
  /** Monotonic clock in ms (latencies). */
  monotonicNow: () => number;
  /** When `reasoning_content` is sent. */
  reasoningContent: ReasoningContentMode;
  /**
   * Whether streams may be written straight to Node's response (behind `@hono/node-server`); false
   * when middleware adds headers to answers (CORS), which only a returned `Response` carries.
   */
  writeStreamsDirectly: boolean;
  /** The deepest JSON nesting a request body may have. */
  maxJsonDepth: number;
  /** Session ids lent to requests that bring none, so upstream sockets are reused. */
  sessionLanes: UpstreamSessionLanes;
  /** The responses the gateway runs in the background (`background: true`). */
  backgroundResponses: BackgroundResponseRegistry;
  /** Conversations the gateway continues; `undefined` when continuation is off. */
  conversations?: ConversationIndex | undefined;
  /** The chat completions stored with `store: true` (`GET /v1/chat/completions`…); `undefined` when turned off. */
  storedChatCompletions?: StoredChatCompletionStore | undefined;
  /** The Conversations API's conversations (`/v1/conversations`); `undefined` when it is turned off. */
  conversationStore?: ConversationStore | undefined;
}

/** Header a client may send to choose whether reasoning text is included: `include` or `omit`. */
export const REASONING_HEADER = 'x-codetether-reasoning';

/**
 * Reads the conversation id a client sent (`session_id` as the Codex CLI sends it, or `x-session-id`).
 *
 * @param headers - the request headers
 */
export function readSessionId(headers: Headers): string | undefined {
  const value = headers.get('session_id') ?? headers.get('session-id') ?? headers.get('x-session-id');
  return value === null || value.trim() === '' ? undefined : value.trim().slice(0, 200);
}

/**
 * Links the client's request signal to a new controller for the upstream call, so either a client
 * disconnect or a gateway-side stop aborts the upstream.
 *
 * @param requestSignal - the incoming request's signal
 */
export function createUpstreamController(requestSignal: AbortSignal | undefined): AbortController {
  const controller = new AbortController();
  if (requestSignal === undefined) return controller;
  if (requestSignal.aborted) controller.abort(requestSignal.reason);
  // Not removed when the upstream ends first: both signals belong to the one request and go with it
  // (aborting a finished controller does nothing). Removing it through the listener's `signal`
  // option cost ~8 µs per request (Node keeps a weak reference and a finalizer for it).
  else requestSignal.addEventListener('abort', () => controller.abort(requestSignal.reason), { once: true });
  return controller;
}
