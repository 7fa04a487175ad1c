import { resolveCodetetherHome } from '@codetether/oauth-pkce';
import {
  type Backend,
  buildResponsesRequestBody,
  type Completion,
  type CompletionRequest,
  collectCompletion,
  DEFAULT_INSTRUCTIONS,
  type RateLimitSnapshot,
  type ReasoningEffort,
  type ResponsesTransport,
  readDefaultEffortFromEnvironment,
  resolveModelAlias,
  type StreamChunk,
  type TransportResponse,
} from '@codetether/responses-protocol';
import { type AuthDescription, type AuthSession, type CodexAuthOption, resolveAuthSession } from './auth.js';
import { readBoundedJsonBody } from './bounded-json-body.js';
import { streamTurnChunks } from './completion-stream.js';
import {
  DEFAULT_CODEX_CLIENT_VERSION,
  DEFAULT_FALLBACK_STICKY_MS,
  DEFAULT_ORIGINATOR,
  type ResolvedEndpoints,
  resolveEndpoints,
  resolveModelsCacheTtlMs,
  resolveTransportMode,
  type TransportMode,
} from './configuration.js';
import {
  type Conversation,
  type ConversationContext,
  type ConversationOptions,
  createConversation,
} from './conversation.js';
import { type EmbeddingsAnswer, requestEmbeddings } from './embeddings-request.js';
import { abortedError, CodexProviderError } from './errors.js';
import { guardResponseEvents, raceCallerAbort } from './event-iteration.js';
import {
  type CompactedHistory,
  type CompactionBody,
  type CompactionEndpoints,
  compactHistoryOfTurn,
  compactionBodyOf,
  type HistoryCompactionRequest,
} from './history-compaction.js';
import { requestInputTokenCount } from './input-token-count.js';
import {
  createLiveModelCatalogue,
  type LiveModelCatalogue,
  type ModelListRequest,
} from './live-model-catalogue.js';
import {
  bundledModelList,
  findModel,
  listedModels,
  type ModelInfo,
  type ModelList,
} from './model-catalogue.js';
import {
  checkModelAgainstAvailableList,
  checkModelName,
  checkModelRequest,
  withSupportedVerbosity,
} from './model-validation.js';
import { preparePassthroughBody } from './passthrough-body.js';
import { createProviderTransports } from './provider-transports.js';
import { buildJsonGetHeaders, buildRequestHeaders } from './request-headers.js';
import { responseStartListener } from './response-start.js';
import {
  DEFAULT_STORED_RESPONSE_TIMEOUT_MS,
  type StoredResponseAnswer,
  type StoredResponseRequest,
  sendStoredResponseRequest,
} from './stored-response-requests.js';
import { createTransportFallbackMemory } from './transport-fallback-memory.js';
import { createTurnSender, type TransportFallbackInfo, type Turn } from './turn-sender.js';
import { parseUsageBody } from './usage-body.js';
import { buildDefaultUserAgent } from './user-agent.js';

/** Options of {@link createCodexProvider}. Everything is optional; the environment fills the rest. */
export interface CodexProviderOptions {
  /** How to authenticate (default `auto`: stored ChatGPT login, else `OPENAI_API_KEY`). */
  auth?: CodexAuthOption;
  /** Environment to read (default `process.env`). */
  env?: Record<string, string | undefined>;
  /**
   * The login profile for `auto` auth (default `CODETETHER_PROFILE`, else `default`): a named profile's
   * login is `$CODETETHER_HOME/profiles/<name>/auth.json` (or its Redis keys). Invalid names are `invalid-request`.
   */
  profile?: string;
  /** OAuth issuer (default `CODETETHER_AUTH_ISSUER` or https://auth.openai.com). */
  issuer?: string;
  /** ChatGPT Codex backend base URL (default `CODETETHER_CHATGPT_BASE_URL` or https://chatgpt.com/backend-api/codex). */
  chatgptBaseUrl?: string;
  /** OpenAI API base URL (default `CODETETHER_OPENAI_BASE_URL` or https://api.openai.com/v1). */
  openaiBaseUrl?: string;
  /** `auto` (WebSocket first, HTTP fallback), `websocket` or `http` (default `CODETETHER_TRANSPORT` or `auto`). */
  transport?: TransportMode;
  /** HTTP transport to use (default: one created with `fetch`). Not closed by {@link CodexProvider.close}. */
  httpTransport?: ResponsesTransport;
  /** WebSocket transport to use (default: a new one). Not closed by {@link CodexProvider.close}. */
  webSocketTransport?: ResponsesTransport;
  /**
   * Conversations created without an `id` share idle WebSockets (default false: each conversation
   * reuses only its own socket). A new one then takes an idle socket of another instead of opening
   * one (a handshake), and a closed one leaves its socket to the others until the idle timeout.
   * For gateways and servers that start many short conversations (the gateway turns it on); a
   * conversation whose socket was taken sends its next turn in full. A conversation with an `id`
   * keeps sockets of its own. A request without a `sessionId` (`complete`, `completeStream`) then
   * takes the idle socket of an ended sharing conversation, if there is one, instead of opening one
   * (never a live conversation's socket, and the socket closes after that response).
   */
  shareIdleWebSockets?: boolean;
  /** `fetch` for the HTTP transport and token refreshes. */
  fetch?: typeof fetch;
  /** Clock, epoch ms. */
  now?: () => number;
  /** How long a session that fell back to HTTP stays there (default 10 minutes). */
  fallbackStickyMs?: number;
  /** `originator` header for the ChatGPT backend (default `codex_cli_rs`). */
  originator?: string;
  /** `User-Agent` header (default `codetether/<version> (<os>; <arch>) node/<version>`). */
  userAgent?: string;
  /** Instructions used when a request has no system message. */
  defaultInstructions?: string;
  /** Called with request-building warnings (e.g. a dropped tool result without a matching call). */
  onWarning?: (message: string) => void;
  /** Called when a turn falls back from the WebSocket to HTTP. */
  onTransportFallback?: (info: TransportFallbackInfo) => void;
  /** Folder of the model-list cache (default `CODETETHER_HOME`); `false` keeps the lists in memory only. */
  home?: string | false;
  /** How long a model list is used before asking the backend again, ms (default `CODETETHER_MODELS_CACHE_TTL_SECONDS` or 5 minutes). */
  modelsCacheTtlMs?: number;
  /** `client_version` sent with `GET /models` (default {@link DEFAULT_CODEX_CLIENT_VERSION}). */
  clientVersion?: string;
  /** How long one stored-response request ({@link CodexProvider.requestStoredResponse}) may take, ms (default 30 s). */
  storedResponseTimeoutMs?: number;
}

/** Per-call options of {@link CodexProvider.completeStream} and friends. */
export interface CodexRequestOptions {
  /** Cancels the request; the stream stops promptly and the transport stream is closed. */
  signal?: AbortSignal | undefined;
  /**
   * The conversation id (`session-id` header, `prompt_cache_key`). When absent, a UUID is generated
   * and the request is one-shot: its WebSocket is closed once the response ends instead of being
   * kept for a later request of the same session.
   */
  sessionId?: string | undefined;
  /**
   * Told when the upstream accepted the request: its first `response.*` event arrived (before any
   * chunk of it is yielded; once, even when a WebSocket request is replayed over HTTP). A later
   * failure comes as an `error` chunk, not thrown: a caller can answer its own client (e.g. send the
   * head of a stream) from here on.
   */
  onResponseStarted?: (() => void) | undefined;
}

/** The Codex provider: one API over a ChatGPT login or an API key, WebSocket or HTTP. */
export interface CodexProvider {
  /** Describes the active auth (no secrets); throws `not-logged-in` when there is none. */
  resolveAuth(): Promise<AuthDescription>;
  /**
   * The models of the active backend as the backend lists them (hidden ones left out), read live and
   * cached (see {@link ModelListRequest}); never fails because the list could not be fetched.
   */
  listModels(request?: ModelListRequest): Promise<ModelInfo[]>;
  /** The full list (hidden models included) with where it came from. */
  readModelList(request?: ModelListRequest): Promise<ModelList>;
  /**
   * Checks a model or alias against the live list and returns what the list says about it.
   * `unsupported-model` names the plan and the models it can use; an unsupported `:effort` or `-fast`
   * is `invalid-request`. API keys: any model is accepted (the API reports unknown ones).
   */
  validateModel(model: string): Promise<ModelInfo | undefined>;
  /** Streams a completion. Pre-stream failures are thrown by the first `next()`; later ones arrive as an `error` chunk. */
  completeStream(request: CompletionRequest, options?: CodexRequestOptions): AsyncIterable<StreamChunk>;
  /** Collects a completion; any failure rejects with a {@link CodexProviderError}. */
  complete(request: CompletionRequest, options?: CodexRequestOptions): Promise<Completion>;
  /**
   * Opens a conversation: its own history (reasoning carried across turns), its own upstream
   * WebSocket with `previous_response_id` continuation, and compaction. See {@link Conversation}.
   */
  createConversation(options: ConversationOptions): Conversation;
  /** Raw Responses passthrough (the server's `/v1/responses`): auth headers, backend fixes, same fallback. */
  createResponseStream(
    body: Record<string, unknown>,
    options?: CodexRequestOptions,
  ): Promise<TransportResponse>;
  /**
   * A response the upstream stored (`store: true`): `GET /responses/{id}`, `DELETE /responses/{id}` or
   * `GET /responses/{id}/input_items` on the OpenAI API with the API key (no redirect followed, bounded
   * time and size). `undefined` when the upstream does not know the id (its 404) or stores nothing (a
   * ChatGPT login: no request is sent). Failures are {@link CodexProviderError}s.
   */
  requestStoredResponse(request: StoredResponseRequest): Promise<StoredResponseAnswer | undefined>;
  /**
   * Compacts a history with the backend's compaction endpoint (`POST {base}/responses/compact`, what
   * the Codex CLI's remote compaction and the OpenAI API's `responses.compact` use): answers a shorter
   * history — the latest user messages, then one encrypted `compaction` item — to send as the next
   * input instead. One request, no conversation (a {@link Conversation} compacts its own history with
   * `compact()`). Failures are {@link CodexProviderError}s, the upstream's refusals with its status,
   * `param` and `code`; an answer without a list of items is `upstream-error`.
   */
  compactHistory(request: HistoryCompactionRequest, options?: CodexRequestOptions): Promise<CompactedHistory>;
  /**
   * The OpenAI API's exact count of a Responses body's input tokens (`POST {openai}/responses/input_tokens`,
   * the openai SDKs' `responses.inputTokens.count()`), with an API key; `undefined` for a ChatGPT login,
   * whose backend has no such endpoint (no request is sent). A model alias is resolved; refusals are
   * {@link CodexProviderError}s with the upstream's status and `upstreamError`.
   */
  countInputTokens(
    body: Readonly<Record<string, unknown>>,
    options?: CodexRequestOptions,
  ): Promise<number | undefined>;
  /**
   * The OpenAI API's embeddings of a client's Embeddings body (`POST {openai}/embeddings`, sent as it
   * is: the openai SDKs' `embeddings.create()`), with an API key; `undefined` for a ChatGPT login, whose
   * backend has no embeddings (no request is sent). Refusals are {@link CodexProviderError}s with the
   * upstream's status and `upstreamError`.
   */
  createEmbeddings(
    body: Readonly<Record<string, unknown>>,
    options?: CodexRequestOptions,
  ): Promise<EmbeddingsAnswer | undefined>;
  /** The rate-limit snapshot from the latest response's headers. */
  readonly lastRateLimits: RateLimitSnapshot | undefined;
  /**
   * The usage windows from the ChatGPT backend's `GET /usage`, without spending a model request;
   * `undefined` for an API key or when the backend could not tell (use {@link lastRateLimits} then).
   */
  readUsage(): Promise<RateLimitSnapshot | undefined>;
  /**
   * Loads what the first request will need — the transport modules of the configured transport mode
   * (undici for HTTP, ws for the WebSocket) — without reading the login or connecting, so that
   * request does not wait for them (~30 ms on a small machine). For servers, once they listen; a
   * one-shot CLI does not need it. Never rejects.
   */
  prepare(): Promise<void>;
  /** Closes the transports this provider created. */
  close(): Promise<void>;
}

/** What a request body is built from, besides the request itself. */
interface BodySettings {
  backend: Backend;
  sessionId: string;
  defaultEffort: ReasoningEffort | undefined;
  defaultInstructions: string;
  onWarning: ((message: string) => void) | undefined;
}

/** The Responses body of a completion request; a request that cannot be built is `invalid-request`. */
function buildCompletionBody(request: CompletionRequest, settings: BodySettings): Record<string, unknown> {
  try {
    return buildResponsesRequestBody(request, {
      backend: settings.backend,
      sessionId: settings.sessionId,
      ...(settings.defaultEffort === undefined ? {} : { defaultEffort: settings.defaultEffort }),
      defaultInstructions: settings.defaultInstructions,
      ...(settings.onWarning === undefined ? {} : { onWarning: settings.onWarning }),
    }) as unknown as Record<string, unknown>;
  } catch (error) {
    throw new CodexProviderError(
      'invalid-request',
      `The request could not be built: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error, isRetryable: false },
    );
  }
}

/**
 * Resolves the transport mode once. An invalid `CODETETHER_TRANSPORT` does not stop the provider from
 * being created (auth and models still work); every request then fails with its `invalid-request`.
 */
function resolveModeOnce(
  option: TransportMode | undefined,
  env: Record<string, string | undefined>,
): () => TransportMode {
  try {
    const mode = resolveTransportMode(option, env);
    return () => mode;
  } catch (error) {
    return () => {
      throw error;
    };
  }
}

/**
 * Remembers the latest rate-limit snapshot; an empty one (a response without `x-codex-*` headers)
 * does not replace one with data.
 */
class RateLimitMemory {
  /** The latest snapshot with data (or the first one). */
  latest: RateLimitSnapshot | undefined;

  remember(snapshot: RateLimitSnapshot | undefined): void {
    if (snapshot === undefined) return;
    const hasData =
      snapshot.primary !== undefined ||
      snapshot.secondary !== undefined ||
      snapshot.planType !== undefined ||
      snapshot.creditsBalance !== undefined;
    if (hasData || this.latest === undefined) this.latest = snapshot;
  }
}

/** Shares one pending or resolved `load()`; a rejection is not kept (not logged in now does not mean never). */
function cacheUntilRejected<T>(load: () => Promise<T>): () => Promise<T> {
  let cached: Promise<T> | undefined;
  return () => {
    if (cached === undefined) {
      const pending = load();
      cached = pending;
      pending.catch(() => {
        if (cached === pending) cached = undefined;
      });
    }
    return cached;
  };
}

/** `{chatgpt, openai}` URLs: each backend's base URL plus `path`. */
function backendUrls(endpoints: ResolvedEndpoints, path: string): Readonly<Record<Backend, string>> {
  return { chatgpt: `${endpoints.chatgptBaseUrl}${path}`, openai: `${endpoints.openaiBaseUrl}${path}` };
}

/**
 * Collects a completion stream; any failure rejects with a {@link CodexProviderError}: the one behind an
 * `error` chunk when the stream reported it (with its status and reset time), else an `upstream-error`
 * for an error chunk of the response itself (`response.failed`, a server `error` event…).
 *
 * @param stream - starts the stream, handing it the callback that receives the error behind an error chunk
 */
async function collectOrThrow(
  stream: (onError: (error: CodexProviderError) => void) => AsyncIterable<StreamChunk>,
): Promise<Completion> {
  let streamError: CodexProviderError | undefined;
  try {
    return await collectCompletion(
      stream((error) => {
        streamError = error;
      }),
    );
  } catch (error) {
    if (error instanceof CodexProviderError) throw error;
    if (streamError !== undefined) throw streamError;
    throw new CodexProviderError('upstream-error', error instanceof Error ? error.message : String(error), {
      cause: error,
    });
  }
}

/** The provider's live model catalogue: `/models` of the backend, cached under the home folder. */
function createProviderCatalogue(
  options: CodexProviderOptions,
  env: Record<string, string | undefined>,
  endpoints: ResolvedEndpoints,
  client: { now: () => number; originator: string; userAgent: string },
): LiveModelCatalogue {
  const { now, originator, userAgent } = client;
  return createLiveModelCatalogue({
    modelsUrl: (backend) =>
      backend === 'chatgpt'
        ? `${endpoints.chatgptBaseUrl}/models?client_version=${encodeURIComponent(options.clientVersion ?? DEFAULT_CODEX_CLIENT_VERSION)}`
        : `${endpoints.openaiBaseUrl}/models`,
    headers: (backend, credentials) =>
      buildJsonGetHeaders({ backend, ...credentials, originator, userAgent }),
    fetch: options.fetch ?? fetch,
    now,
    home: options.home === false ? undefined : (options.home ?? resolveCodetetherHome(env)),
    ttlMs: resolveModelsCacheTtlMs(options.modelsCacheTtlMs, env),
    timeoutMs: 10_000,
  });
}

/**
 * What the list says about a model, checked against the ChatGPT backend's live list (an unknown model
 * first refreshes the list: it may have appeared since — unless the list failed to load a moment ago).
 * While the live list cannot be read, a well-formed unknown model is sent as is (`undefined`): the
 * bundled or cached list may predate it, and the backend answers for itself. API keys: no check, no request. A name that is no model name at all is refused first, for both.
 *
 * @param catalogue - the live model catalogue
 * @param latestPlanType - the plan type of the latest response's rate-limit headers
 */
function createModelChecker(
  catalogue: LiveModelCatalogue,
  latestPlanType: () => string | undefined,
): (session: AuthSession, model: string) => Promise<ModelInfo | undefined> {
  return async (session, model) => {
    checkModelName(model);
    if (session.backend !== 'chatgpt') {
      const list = catalogue.known(session.backend) ?? bundledModelList(session.backend);
      return findModel(list, resolveModelAlias(model).model);
    }
    const account = async () => ({ planType: latestPlanType() ?? (await session.describe()).planType });
    const list = await catalogue.get(session);
    if (
      findModel(list, resolveModelAlias(model).model) !== undefined ||
      findModel(list, model) !== undefined
    ) {
      // A listed model: the account only words the error for an unlisted one, so it is not looked up.
      return checkModelRequest(model, list, {});
    }
    const refreshed = await catalogue.get(session, { refresh: true, unlessRecentlyFailed: true });
    return checkModelAgainstAvailableList(model, refreshed, await account());
  };
}

/** The largest `GET /usage` answer read. */
const MAX_USAGE_BODY_BYTES = 1024 * 1024;

/** `GET {chatgpt}/usage`: the usage windows without spending a request; undefined when unavailable. */
async function fetchUsageWindows(
  fetchFunction: typeof fetch,
  url: string,
  headers: Record<string, string>,
  now: () => number,
): Promise<RateLimitSnapshot | undefined> {
  try {
    // Never follows a redirect (the credentials stay with the backend): a 3xx is not ok, so unavailable.
    const response = await fetchFunction(url, {
      headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) {
      await response.body?.cancel();
      return undefined;
    }
    return parseUsageBody(await readBoundedJsonBody(response, MAX_USAGE_BODY_BYTES), now());
  } catch {
    return undefined;
  }
}

/** The compaction URLs and headers of the provider's endpoints. */
function compactionEndpointsOf(
  endpoints: ResolvedEndpoints,
  client: { originator: string; userAgent: string },
): CompactionEndpoints {
  const { originator, userAgent } = client;
  return {
    compactUrls: backendUrls(endpoints, '/responses/compact'),
    jsonHeaders: (backend, credentials, sessionId) => ({
      ...buildRequestHeaders({ backend, wire: 'http', ...credentials, sessionId, originator, userAgent }),
      accept: 'application/json',
    }),
  };
}

/** What a conversation needs from its provider (see `createConversation`). */
function conversationContext(
  shared: Pick<
    ConversationContext,
    'sender' | 'getAuth' | 'transportMode' | 'defaultEffort' | 'defaultInstructions' | 'checkModel'
  >,
  options: CodexProviderOptions,
  endpoints: ResolvedEndpoints,
  client: { now: () => number; originator: string; userAgent: string },
  transports: { closeSession(sessionId: string): Promise<void> },
): ConversationContext {
  const { now, originator, userAgent } = client;
  return {
    ...shared,
    onWarning: options.onWarning,
    ...compactionEndpointsOf(endpoints, { originator, userAgent }),
    fetch: options.fetch ?? fetch,
    now,
    closeSession: (sessionId) => transports.closeSession(sessionId),
    shareIdleWebSockets: options.shareIdleWebSockets === true,
  };
}

/**
 * Creates the Codex provider. Auth, base URLs, transport and default effort come from the options,
 * then the environment (`CODETETHER_*`, `OPENAI_API_KEY`), then the defaults of ARCHITECTURE.md; they
 * are resolved once, here.
 *
 * @example
 * ```ts
 * const provider = createCodexProvider();
 * for await (const chunk of provider.completeStream({ model: 'gpt-5.4', messages: [{ role: 'user', content: 'Hi' }] })) {
 *   if (chunk.type === 'text') process.stdout.write(chunk.text);
 * }
 * await provider.close();
 * ```
 */
// About 150 lines: the provider's methods are closures over the settings resolved once here; each
// hands its work to its own module (turn sender, catalogue, conversation, completion stream).
export function createCodexProvider(options: CodexProviderOptions = {}): CodexProvider {
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now;
  const endpoints = resolveEndpoints(options, env);
  const transportMode = resolveModeOnce(options.transport, env);
  const defaultEffort = readDefaultEffortFromEnvironment(env);
  const defaultInstructions = options.defaultInstructions ?? DEFAULT_INSTRUCTIONS;
  const transports = createProviderTransports(options);
  const rateLimits = new RateLimitMemory();
  let closed = false;
  const getAuth = cacheUntilRejected(() =>
    resolveAuthSession({
      auth: options.auth ?? { type: 'auto' },
      env,
      profile: options.profile,
      issuer: endpoints.issuer,
      fetch: options.fetch,
      now: options.now,
    }),
  );

  const originator = options.originator ?? DEFAULT_ORIGINATOR;
  const userAgent = options.userAgent ?? buildDefaultUserAgent();
  const sender = createTurnSender({
    responsesUrls: backendUrls(endpoints, '/responses'),
    originator,
    userAgent,
    transportFor: (wire) => transports.get(wire),
    fallbackMemory: createTransportFallbackMemory({
      stickyMs: options.fallbackStickyMs ?? DEFAULT_FALLBACK_STICKY_MS,
      now,
    }),
    onTransportFallback: options.onTransportFallback,
    rememberRateLimits: (snapshot) => rateLimits.remember(snapshot),
    planType: () => rateLimits.latest?.planType,
    supportedModels: (backend) => {
      const list = catalogue.known(backend);
      return list === undefined ? undefined : listedModels(list).map((model) => model.id);
    },
    now,
    isClosed: () => closed,
  });

  const catalogue = createProviderCatalogue(options, env, endpoints, { now, originator, userAgent });
  /** What the one-request calls other than `/responses` (compaction, token counting) send with. */
  const oneRequestContext = {
    ...compactionEndpointsOf(endpoints, { originator, userAgent }),
    sender,
    fetch: options.fetch ?? fetch,
    now,
  };
  const checkModel = createModelChecker(catalogue, () => rateLimits.latest?.planType);

  /** Checks the signal, resolves the auth and builds the turn's body (`build` validates the model). */
  const prepareTurn = async (
    requestOptions: CodexRequestOptions,
    build: (
      session: AuthSession,
      sessionId: string,
    ) => Promise<{ body: Record<string, unknown>; requestedModel: string }>,
  ): Promise<Turn> => {
    const { signal } = requestOptions;
    if (signal?.aborted) throw abortedError(signal.reason);
    const sessionId = requestOptions.sessionId ?? globalThis.crypto.randomUUID();
    const mode = transportMode();
    const session = await raceCallerAbort(getAuth(), signal);
    const oneShot = requestOptions.sessionId === undefined;
    return {
      session,
      sessionId,
      oneShot,
      // A one-shot request may take a spare socket of an ended sharing conversation (see shareIdleWebSockets).
      ...(oneShot && options.shareIdleWebSockets === true ? { shareConnection: true } : {}),
      signal,
      mode,
      ...(await raceCallerAbort(build(session, sessionId), signal)),
    };
  };

  async function* completeStream(
    request: CompletionRequest,
    requestOptions: CodexRequestOptions,
    onError: (error: CodexProviderError) => void,
  ): AsyncGenerator<StreamChunk, void, undefined> {
    const turn = await prepareTurn(requestOptions, async (session, sessionId) => {
      const info = await checkModel(session, request.model);
      const settings = { backend: session.backend, sessionId, defaultEffort, defaultInstructions };
      const body = buildCompletionBody(request, { ...settings, onWarning: options.onWarning });
      return {
        body: withSupportedVerbosity(body, info, options.onWarning),
        requestedModel: request.model,
      };
    });
    yield* streamTurnChunks(
      sender,
      turn,
      onError,
      undefined,
      responseStartListener(requestOptions.onResponseStarted),
    );
  }

  return {
    async resolveAuth() {
      return (await getAuth()).describe();
    },
    async listModels(request) {
      return listedModels(await catalogue.get(await getAuth(), request));
    },
    async readModelList(request) {
      return catalogue.get(await getAuth(), request);
    },
    async validateModel(model) {
      return checkModel(await getAuth(), model);
    },
    completeStream(request, requestOptions = {}) {
      return completeStream(request, requestOptions, () => {});
    },
    complete(request, requestOptions = {}) {
      return collectOrThrow((onError) => completeStream(request, requestOptions, onError));
    },
    createConversation(conversationOptions) {
      const shared = { sender, getAuth, transportMode, defaultEffort, defaultInstructions, checkModel };
      const context = conversationContext(
        shared,
        options,
        endpoints,
        { now, originator, userAgent },
        transports,
      );
      return createConversation(context, conversationOptions);
    },
    async createResponseStream(body, requestOptions = {}) {
      const turn = await prepareTurn(requestOptions, async (session, sessionId) => {
        const prepared = preparePassthroughBody(body, {
          backend: session.backend,
          sessionId,
          defaultEffort,
          defaultInstructions,
        });
        const info = await checkModel(session, prepared.requestedModel);
        return { ...prepared, body: withSupportedVerbosity(prepared.body, info, options.onWarning) };
      });
      const response = await sender.send(turn);
      return guardResponseEvents(
        response,
        turn.signal,
        (error) => sender.toProviderError(error, turn, { midStream: true }),
        turn.sentSecret === undefined ? [] : [turn.sentSecret],
      );
    },
    async compactHistory(request, requestOptions = {}) {
      let body: CompactionBody | undefined;
      const turn = await prepareTurn(requestOptions, async (session) => {
        body = compactionBodyOf(request, session.backend, defaultInstructions);
        await checkModel(session, request.model);
        return { body: {}, requestedModel: request.model };
      });
      return compactHistoryOfTurn(oneRequestContext, turn, body as CompactionBody);
    },
    async countInputTokens(body, requestOptions = {}) {
      const requestedModel = typeof body.model === 'string' ? body.model : '';
      const turn = await prepareTurn(requestOptions, async () => ({ body: {}, requestedModel }));
      if (turn.session.backend !== 'openai') return undefined;
      return sender.request(turn, (credentials) =>
        requestInputTokenCount({
          url: `${endpoints.openaiBaseUrl}/responses/input_tokens`,
          headers: oneRequestContext.jsonHeaders('openai', credentials, turn.sessionId),
          body,
          signal: turn.signal,
          fetch: oneRequestContext.fetch,
          now: now(),
        }),
      );
    },
    async createEmbeddings(body, requestOptions = {}) {
      const turn = await prepareTurn(requestOptions, async () => ({ body: {}, requestedModel: '' }));
      if (turn.session.backend !== 'openai') return undefined;
      return sender.request(turn, (credentials) =>
        requestEmbeddings({
          url: `${endpoints.openaiBaseUrl}/embeddings`,
          headers: oneRequestContext.jsonHeaders('openai', credentials, turn.sessionId),
          body,
          signal: turn.signal,
          fetch: oneRequestContext.fetch,
          now: now(),
        }),
      );
    },
    async requestStoredResponse(request) {
      const session = await raceCallerAbort(getAuth(), request.signal);
      if (session.backend !== 'openai') return undefined;
      const credentials = await raceCallerAbort(session.getCredentials(), request.signal);
      return sendStoredResponseRequest(
        {
          baseUrl: endpoints.openaiBaseUrl,
          credentials,
          headers: buildJsonGetHeaders({ backend: 'openai', ...credentials, originator, userAgent }),
          fetch: options.fetch ?? fetch,
          timeoutMs: options.storedResponseTimeoutMs ?? DEFAULT_STORED_RESPONSE_TIMEOUT_MS,
        },
        request,
      );
    },
    // biome-ignore lint/plugin: one provider lives as long as its user; the public property stays a property.
    get lastRateLimits() {
      return rateLimits.latest;
    },
    async readUsage() {
      const session = await getAuth();
      if (session.backend !== 'chatgpt') return undefined;
      const headers = buildJsonGetHeaders({
        backend: 'chatgpt',
        ...(await session.getCredentials()),
        originator,
        userAgent,
      });
      const snapshot = await fetchUsageWindows(
        options.fetch ?? fetch,
        `${endpoints.chatgptBaseUrl}/usage`,
        headers,
        now,
      );
      if (snapshot !== undefined) rateLimits.remember(snapshot);
      return snapshot;
    },
    async prepare() {
      if (closed) return;
      let mode: TransportMode;
      try {
        mode = transportMode();
      } catch {
        return; // an invalid CODETETHER_TRANSPORT: the first request reports it
      }
      await transports.prepare(
        mode === 'auto' ? ['websocket', 'http'] : mode === 'websocket' ? ['websocket'] : ['http'],
      );
    },
    async close() {
      closed = true;
      await transports.close();
    },
  };
}
