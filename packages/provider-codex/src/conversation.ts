import {
  type Backend,
  buildResponsesRequestBody,
  type CompletionRequest,
  createResponsesEventParser,
  type DoneChunk,
  type ReasoningEffort,
  type ReasoningSummary,
  type ResponseFormat,
  type ResponseItem,
  ResponsesTransportError,
  type ServiceTier,
  type StreamChunk,
  type TextVerbosity,
  type ToolDefinition,
  type TransportResponse,
  type Usage,
} from '@codetether/responses-protocol';
import type { AuthSession } from './auth.js';
import { isAutoCompactionDue, recompactionInputTokens } from './auto-compaction-rule.js';
import { streamTurnChunks } from './completion-stream.js';
import type { TransportMode } from './configuration.js';
import {
  type ContinuationRequest,
  continuationRequest,
  type PreviousExchange,
  type RequestBody,
} from './continuation-rule.js';
import { ConversationHistory, type ConversationInput, startsUserTurn } from './conversation-history.js';
import { abortedError, CodexProviderError } from './errors.js';
import { closeIteratorQuietly, raceCallerAbort } from './event-iteration.js';
import { type CompactionEndpoints, compactHistoryOfTurn } from './history-compaction.js';
import { type LinkedAbortSignal, linkAbortSignals } from './linked-abort-signal.js';
import type { ModelInfo } from './model-catalogue.js';
import { withSupportedVerbosity } from './model-validation.js';
import { preparePassthroughBody } from './passthrough-body.js';
import { responseStartListener, startsResponse } from './response-start.js';
import { StreamedAnswerRecorder } from './streamed-answer.js';
import type { Turn, TurnSender } from './turn-sender.js';

/** Default share of the context window at which a conversation compacts itself: 80 %. */
export const DEFAULT_AUTO_COMPACT_SHARE = 0.8;

/** The response header whose value is echoed on the later requests of the same user turn. */
const TURN_STATE_HEADER = 'x-codex-turn-state';

/** Automatic compaction: when the last response's input tokens pass `share` of the context window. */
export interface AutoCompactOptions {
  /** Share of the context window, above 0 and at most 1 (default {@link DEFAULT_AUTO_COMPACT_SHARE}). */
  share?: number;
  /** The model's context window in tokens (default: the model catalogue's; unknown models: never). */
  contextWindow?: number;
}

/** Options of `CodexProvider.createConversation`. Only `model` is required. */
export interface ConversationOptions {
  /** Model id or alias (`gpt-5.4:high`). */
  model: string;
  /** The instructions (system prompt) of every request (default: the provider's default instructions). */
  instructions?: string;
  /** Function tools the model may call. */
  tools?: ToolDefinition[];
  /** How the model picks tools (default `auto`). */
  toolChoice?: CompletionRequest['toolChoice'];
  /** Overrides the effort of the alias and of the environment. */
  reasoningEffort?: ReasoningEffort;
  /** Structured output. */
  responseFormat?: ResponseFormat;
  /** The service tier (`service_tier`: `priority` or `flex`), on models that list it. */
  serviceTier?: ServiceTier;
  /** The reasoning summary (`reasoning.summary`): `auto` (default), `concise` or `detailed`. */
  reasoningSummary?: ReasoningSummary;
  /** Answer length (`text.verbosity`); dropped, with a warning, for models that do not support it. */
  verbosity?: TextVerbosity;
  /** Output token limit (OpenAI API only). */
  maxOutputTokens?: number;
  /** Sampling temperature (OpenAI API only, models without reasoning). */
  temperature?: number;
  /** `parallel_tool_calls` (default true): `false` allows at most one tool call per turn. */
  parallelToolCalls?: boolean;
  /**
   * Let the OpenAI API store responses (`store: true`, API key only): `previous_response_id` then
   * works on any connection and over HTTP. Default false.
   */
  store?: boolean;
  /** The conversation id: `session-id`/`thread-id` headers and `prompt_cache_key` (default a UUID). */
  id?: string;
  /** Items to start from, e.g. a history saved from `conversation.history` (ids are stripped). */
  history?: readonly ResponseItem[];
  /**
   * Continue the previous response with `previous_response_id` and only the new items when the rule
   * allows it (default true). `false` sends the full input every turn.
   */
  continuation?: boolean;
  /**
   * Send a warm-up (`generate: false`) over the WebSocket as soon as the conversation opens, so the
   * server prepares the prompt cache while the caller prepares the first turn (default false).
   */
  warmUp?: boolean;
  /** Automatic compaction (default on at {@link DEFAULT_AUTO_COMPACT_SHARE}); `false` turns it off. */
  autoCompact?: false | AutoCompactOptions;
  /**
   * A client's Responses request body (its `input`, `previous_response_id` and `stream` are ignored)
   * used as every turn's request instead of one built from `tools`, `instructions`, … — with the same
   * fixes as `createResponseStream` (model aliases, `store: false` and default instructions on the
   * ChatGPT backend, `prompt_cache_key` = the conversation id unless the body sets one). For gateways.
   */
  requestBody?: Record<string, unknown>;
}

/** What went upstream for one attempt of a turn (see {@link ConversationCallOptions.onUpstreamRequest}). */
export interface ConversationUpstreamRequest {
  /** True when only the new items went up, with `previous_response_id`. */
  continued: boolean;
  /** Size of the JSON body (or WebSocket frame body) sent, in bytes. */
  bodyBytes: number;
}

/** Per-call options of {@link Conversation.send} and {@link Conversation.compact}. */
export interface ConversationCallOptions {
  /** Cancels the call; a cancelled turn leaves the history as it was. */
  signal?: AbortSignal | undefined;
  /**
   * Receives the raw upstream Responses events of the turn as they arrive, each before the chunks
   * parsed from it are yielded. Events of an attempt the conversation may still retry invisibly (over
   * a WebSocket the turn can replay over HTTP, until its first chunk) wait until that chunk; events
   * of an attempt it retried are never passed.
   */
  onEvent?: ((event: unknown) => void) | undefined;
  /**
   * Told when the upstream accepted the turn: its first `response.*` event arrived (before any chunk
   * is yielded). A later failure comes as an `error` chunk, not thrown; a caller can answer its own
   * client (e.g. send the head of a stream) from here on. Called once per attempt.
   */
  onResponseStarted?: (() => void) | undefined;
  /** Told, once per upstream request of the turn, whether it continued and how many bytes it sent. */
  onUpstreamRequest?: ((request: ConversationUpstreamRequest) => void) | undefined;
}

/**
 * A conversation with a Codex model that keeps its own history and its own upstream WebSocket. Each
 * turn continues the previous response over the same socket when it can (only the new items go
 * up); it sends the full input when it must (first turn, a new socket, HTTP, changed settings). One
 * turn at a time: a second call while one is running fails with `conversation-busy`.
 */
export interface Conversation {
  /** The conversation id (`session-id` header, `prompt_cache_key`). */
  readonly id: string;
  /** The history as Responses items (reasoning with `encrypted_content`), ids stripped; a copy. */
  readonly history: ResponseItem[];
  /** Usage of the last completed turn. */
  readonly lastUsage: Usage | undefined;
  /** Id of the last completed response. */
  readonly lastResponseId: string | undefined;
  /**
   * Sends one turn and streams its chunks (the same `StreamChunk`s as `completeStream`, `done` with
   * `usage`, `responseId` and `outputItems`). Failures before any output are thrown by the first
   * `next()`; later ones arrive as one `error` chunk. The history grows by the turn's items and the
   * response's output once `done` arrives; a failed, aborted or abandoned turn leaves it unchanged
   * (send the same input again to retry).
   */
  send(input: ConversationInput, options?: ConversationCallOptions): AsyncIterable<StreamChunk>;
  /**
   * Replaces the history with a compacted one (`POST {base}/responses/compact`); the next turn starts
   * a fresh chain with the full (shorter) input.
   */
  compact(options?: ConversationCallOptions): Promise<void>;
  /** Aborts a turn in flight (its stream ends with an `aborted` error chunk) and closes the socket. */
  close(): Promise<void>;
}

/** What a conversation needs from its provider. */
export interface ConversationContext extends CompactionEndpoints {
  /** Sends turns (auth refresh, WebSocket with HTTP fallback). */
  sender: TurnSender;
  /** The provider's auth. */
  getAuth(): Promise<AuthSession>;
  /** The transport mode (throws for an invalid `CODETETHER_TRANSPORT`). */
  transportMode(): TransportMode;
  /** Default effort from the environment. */
  defaultEffort: ReasoningEffort | undefined;
  /** Instructions when the conversation sets none. */
  defaultInstructions: string;
  /** Told about dropped input and failed automatic compactions. */
  onWarning: ((message: string) => void) | undefined;
  /** `fetch` for compaction. */
  fetch: typeof fetch;
  /** Current time, epoch ms. */
  now(): number;
  /** Closes the idle WebSocket of a session. */
  closeSession(sessionId: string): Promise<void>;
  /** Conversations without an id of the caller's share idle WebSockets (see `shareIdleWebSockets`). */
  shareIdleWebSockets: boolean;
  /** Checks the model against the backend's live list; what the list says about it (context window). */
  checkModel(session: AuthSession, model: string): Promise<ModelInfo | undefined>;
}

/** The transport error code behind a thrown provider error, or an error chunk's code. */
function serverErrorCode(failure: unknown): string | undefined {
  if (failure instanceof CodexProviderError && failure.cause instanceof ResponsesTransportError)
    return failure.cause.errorCode;
  if (failure instanceof ResponsesTransportError) return failure.errorCode;
  return undefined;
}

const PREVIOUS_RESPONSE_NOT_FOUND = 'previous_response_not_found';

function sentPreviousResponse(request: ContinuationRequest): boolean {
  return request.continuation !== undefined || request.body.previous_response_id !== undefined;
}

function upstreamRequestOf(
  request: ContinuationRequest,
  response: TransportResponse,
): ConversationUpstreamRequest {
  const continued = response.connection?.continued === true && request.continuation !== undefined;
  const body = continued && request.continuation !== undefined ? request.continuation.body : request.body;
  return {
    continued: continued || request.body.previous_response_id !== undefined,
    bodyBytes: Buffer.byteLength(JSON.stringify(body)),
  };
}

function inputTokensOf(usage: Usage): number {
  return usage.promptTokens + (usage.cacheReadTokens ?? 0);
}

/**
 * Creates a conversation (see {@link Conversation}); the provider's `createConversation` calls it.
 *
 * @param context - the provider's sender, auth and settings
 * @param options - model, instructions, tools and conversation switches
 */
export function createConversation(context: ConversationContext, options: ConversationOptions): Conversation {
  return new CodexConversation(context, options);
}

class CodexConversation implements Conversation {
  readonly id: string;
  private readonly items: ConversationHistory;
  private readonly closeController = new AbortController();
  private previous: PreviousExchange | undefined;
  private usage: Usage | undefined;
  /** A compaction ran and no turn completed since (the next turn measures what it achieved). */
  private compactedSinceLastTurn = false;
  /** The input tokens of the first turn after the last compaction (see `isAutoCompactionDue`). */
  private inputAfterCompaction: number | undefined;
  /** What the live model list says about the conversation's model (its context window drives auto-compaction). */
  private modelInfo: ModelInfo | undefined;
  private responseId: string | undefined;
  private turnState: string | undefined;
  private busy = false;
  private closed = false;
  private warnedAboutVerbosity = false;
  private readonly warmedUp: Promise<void>;
  /** The warm-up request is still running (it listens to the close signal). */
  private warmingUp: boolean;

  constructor(
    private readonly context: ConversationContext,
    private readonly options: ConversationOptions,
  ) {
    this.id = options.id ?? globalThis.crypto.randomUUID();
    this.items = new ConversationHistory(options.history ?? [], context.onWarning);
    this.warmingUp = options.warmUp === true;
    this.warmedUp = this.warmingUp
      ? this.warmUp()
          .catch(() => {})
          .finally(() => {
            this.warmingUp = false;
          })
      : Promise.resolve();
  }

  get history(): ResponseItem[] {
    return this.items.snapshot();
  }

  get lastUsage(): Usage | undefined {
    return this.usage;
  }

  get lastResponseId(): string | undefined {
    return this.responseId;
  }

  send(input: ConversationInput, callOptions: ConversationCallOptions = {}): AsyncIterable<StreamChunk> {
    return { [Symbol.asyncIterator]: () => this.runTurn(input, callOptions) };
  }

  async compact(callOptions: ConversationCallOptions = {}): Promise<void> {
    const release = this.claim();
    const { signal, unlink } = this.linkedSignal(callOptions.signal);
    try {
      await this.warmUpFinished(signal);
      await this.compactNow(await this.session(signal), signal);
    } finally {
      unlink();
      release();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Only a call in progress (a turn, a compaction, the warm-up) listens to the close signal. A
    // conversation closed between calls — the gateway closes one on almost every request, when its
    // index replaces or drops one — skips building an error nobody would see (~20 µs).
    if (this.busy || this.warmingUp) this.closeController.abort(new Error('The conversation was closed.'));
    await this.warmedUp;
    await this.context.closeSession(this.id);
  }

  /** Marks the conversation busy; throws when it is closed or another call is running. */
  private claim(): () => void {
    if (this.closed) {
      throw new CodexProviderError(
        'invalid-request',
        'The conversation was closed. Create a new conversation to go on.',
        { isRetryable: false },
      );
    }
    if (this.busy) {
      throw new CodexProviderError(
        'conversation-busy',
        'This conversation is already running a turn (or a compaction). Wait for its stream to end, or abort it, before sending the next turn.',
        { isRetryable: false },
      );
    }
    this.busy = true;
    return () => {
      this.busy = false;
    };
  }

  /** The signal of one call: the caller's and the conversation's close signal, linked until the call ends. */
  private linkedSignal(signal: AbortSignal | undefined): LinkedAbortSignal {
    return signal === undefined
      ? { signal: this.closeController.signal, unlink: () => {} }
      : linkAbortSignals(signal, this.closeController.signal);
  }

  /**
   * Waits for the warm-up (the first turn continues it), or rejects with `aborted` as soon as the
   * call's signal aborts: a warm-up stuck on a silent upstream must not hold an aborted call.
   */
  private async warmUpFinished(signal: AbortSignal): Promise<void> {
    if (this.warmingUp) await raceCallerAbort(this.warmedUp, signal);
  }

  private async session(signal: AbortSignal): Promise<AuthSession> {
    if (signal.aborted) throw abortedError(signal.reason);
    const session = await raceCallerAbort(this.context.getAuth(), signal);
    this.modelInfo = await raceCallerAbort(this.context.checkModel(session, this.options.model), signal);
    return session;
  }

  /** The request body of this conversation without its input (rebuilt per turn: it is cheap). */
  private bodyTemplate(backend: Backend): RequestBody {
    const { options, context } = this;
    if (options.requestBody !== undefined) {
      const { body } = preparePassthroughBody(
        { ...options.requestBody, model: options.model },
        {
          backend,
          sessionId: this.id,
          defaultEffort: context.defaultEffort,
          defaultInstructions: context.defaultInstructions,
        },
      );
      delete body.input;
      delete body.previous_response_id;
      return body as RequestBody;
    }
    const request: CompletionRequest = {
      model: options.model,
      messages: options.instructions === undefined ? [] : [{ role: 'system', content: options.instructions }],
    };
    if (options.tools !== undefined) request.tools = options.tools;
    if (options.toolChoice !== undefined) request.toolChoice = options.toolChoice;
    if (options.reasoningEffort !== undefined) request.reasoningEffort = options.reasoningEffort;
    if (options.responseFormat !== undefined) request.responseFormat = options.responseFormat;
    if (options.serviceTier !== undefined) request.serviceTier = options.serviceTier;
    if (options.reasoningSummary !== undefined) request.reasoningSummary = options.reasoningSummary;
    if (options.verbosity !== undefined) request.verbosity = options.verbosity;
    if (options.maxOutputTokens !== undefined) request.maxOutputTokens = options.maxOutputTokens;
    if (options.temperature !== undefined) request.temperature = options.temperature;
    if (options.parallelToolCalls !== undefined) request.parallelToolCalls = options.parallelToolCalls;
    if (options.store !== undefined) request.store = options.store;
    let body: RequestBody;
    try {
      body = buildResponsesRequestBody(request, {
        backend,
        sessionId: this.id,
        defaultEffort: context.defaultEffort,
        defaultInstructions: context.defaultInstructions,
      });
    } catch (error) {
      throw new CodexProviderError(
        'invalid-request',
        `The conversation's request could not be built: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error, isRetryable: false },
      );
    }
    return withSupportedVerbosity(body, this.modelInfo, this.verbosityWarning());
  }

  /** Warns once per conversation that `text.verbosity` was dropped (the template is rebuilt every turn). */
  private verbosityWarning(): ((message: string) => void) | undefined {
    if (this.warnedAboutVerbosity) return undefined;
    return (message) => {
      this.warnedAboutVerbosity = true;
      this.context.onWarning?.(message);
    };
  }

  private turnOf(session: AuthSession, body: RequestBody, signal: AbortSignal): Turn {
    const turn: Turn = {
      session,
      body,
      sessionId: this.id,
      signal,
      mode: this.context.transportMode(),
      requestedModel: this.options.model,
    };
    // A session the caller named keeps sockets of its own (their handshake carries its id).
    if (this.context.shareIdleWebSockets && this.options.id === undefined) turn.shareConnection = true;
    return turn;
  }

  /** One turn: prepare, send (resending in full once if the previous response is unknown), record. */
  private async *runTurn(
    input: ConversationInput,
    callOptions: ConversationCallOptions,
  ): AsyncGenerator<StreamChunk, void, undefined> {
    const release = this.claim();
    const { signal, unlink } = this.linkedSignal(callOptions.signal);
    try {
      await this.warmUpFinished(signal);
      const session = await this.session(signal);
      await this.compactIfFull(session, signal);
      const newItems = this.items.itemsFor(input);
      if (startsUserTurn(newItems)) this.turnState = undefined;
      const fullBody: RequestBody = {
        ...this.bodyTemplate(session.backend),
        input: this.items.inputWith(newItems),
      };
      const previous = this.options.continuation === false ? undefined : this.previous;
      // Whatever happens now, the previous exchange is spent: only a completed turn sets the next one.
      this.previous = undefined;
      const storedResponses = session.backend === 'openai' && this.options.store === true;
      let request = continuationRequest(previous, fullBody, { storedResponses });
      for (let attempt = 0; ; attempt += 1) {
        const outcome = yield* this.attempt(session, request, fullBody, newItems, signal, {
          mayResend: attempt === 0,
          callOptions,
        });
        if (outcome !== 'resend-in-full') return;
        request = { plan: { kind: 'full', reason: 'no-previous-response' }, body: fullBody };
      }
    } finally {
      unlink();
      release();
    }
  }

  /**
   * One attempt of a turn. A `previous_response_not_found` before any output — thrown, or as the
   * first chunk — asks for a resend in full (once, when a previous response was named); nothing of
   * it reaches the caller.
   */
  private async *attempt(
    session: AuthSession,
    request: ContinuationRequest,
    fullBody: RequestBody,
    newItems: ResponseItem[],
    signal: AbortSignal,
    { mayResend, callOptions }: { mayResend: boolean; callOptions: ConversationCallOptions },
  ): AsyncGenerator<StreamChunk, 'done' | 'resend-in-full', undefined> {
    const turn = this.turnOf(session, request.body, signal);
    if (request.continuation !== undefined) turn.continuation = request.continuation;
    if (this.turnState !== undefined) turn.extraHeaders = { [TURN_STATE_HEADER]: this.turnState };
    const canResend = mayResend && sentPreviousResponse(request);
    let response: TransportResponse | undefined;
    const recorder = new StreamedAnswerRecorder();
    let yielded = false;
    // Raw events wait until the attempt is a response (its first `response.*` event) and, while it may
    // still be replayed over HTTP invisibly, until its first chunk: an attempt resent or replayed passes
    // none on.
    let pendingEvents: unknown[] = [];
    /** Events go on as they arrive: the attempt is a response that is not retried invisibly any more. */
    let relaying = false;
    const { onEvent } = callOptions;
    const flushEvents = (): void => {
      if (pendingEvents.length === 0 || onEvent === undefined) return;
      const events = pendingEvents;
      pendingEvents = [];
      for (const event of events) onEvent(event);
    };
    const noticeStart = responseStartListener(callOptions.onResponseStarted);
    const receive = (event: unknown): void => {
      noticeStart?.(event);
      // Without a listener for them, events are not kept (and pass nothing on: a resend stays invisible).
      if (onEvent === undefined) return;
      pendingEvents.push(event);
      if (!relaying && startsResponse(event))
        relaying = !(turn.mode === 'auto' && response?.transport === 'websocket');
      if (relaying) flushEvents();
    };
    const chunks = streamTurnChunks(
      this.context.sender,
      turn,
      () => {},
      (established) => {
        response = established;
        pendingEvents = [];
        const turnState = established.headers[TURN_STATE_HEADER];
        if (turnState !== undefined && turnState !== '') this.turnState = turnState;
      },
      onEvent === undefined && noticeStart === undefined ? undefined : receive,
    );
    try {
      for await (const chunk of chunks) {
        if (
          !yielded &&
          !relaying &&
          canResend &&
          chunk.type === 'error' &&
          chunk.code === PREVIOUS_RESPONSE_NOT_FOUND
        )
          return 'resend-in-full';
        relaying = true;
        flushEvents();
        recorder.see(chunk);
        // Recorded before the chunk is yielded: a caller may stop reading at `done`.
        if (chunk.type === 'done') this.record(chunk, fullBody, newItems, recorder, response);
        yielded = true;
        yield chunk;
      }
      flushEvents();
    } catch (error) {
      if (!yielded && !relaying && canResend && serverErrorCode(error) === PREVIOUS_RESPONSE_NOT_FOUND)
        return 'resend-in-full';
      throw error;
    } finally {
      if (response !== undefined) callOptions.onUpstreamRequest?.(upstreamRequestOf(request, response));
    }
    return 'done';
  }

  /** Records a completed turn: history, usage, and what the next turn may continue from. */
  private record(
    done: DoneChunk,
    fullBody: RequestBody,
    newItems: ResponseItem[],
    streamed: StreamedAnswerRecorder,
    response: TransportResponse | undefined,
  ): void {
    const output = this.items.commit(newItems, done.outputItems, streamed);
    this.usage = done.usage;
    if (this.compactedSinceLastTurn && done.usage !== undefined) this.measureCompaction(done.usage);
    this.responseId = done.responseId;
    const continuable =
      done.responseId !== undefined &&
      done.outputItems !== undefined &&
      (done.finishReason === 'stop' || done.finishReason === 'tool-calls');
    if (!continuable || done.responseId === undefined) return;
    this.previous = {
      body: fullBody,
      outputItems: output,
      responseId: done.responseId,
      connectionId: response?.transport === 'websocket' ? response.connection?.id : undefined,
    };
  }

  /** The share and context window of automatic compaction; `undefined` when it is off or the window unknown. */
  private autoCompactLimits(): { share: number; contextWindow: number } | undefined {
    const { autoCompact } = this.options;
    if (autoCompact === false) return undefined;
    const contextWindow = autoCompact?.contextWindow ?? this.modelInfo?.contextWindow;
    if (contextWindow === undefined) return undefined;
    return { share: autoCompact?.share ?? DEFAULT_AUTO_COMPACT_SHARE, contextWindow };
  }

  /** Records the input of the first turn after a compaction, warning when it is still above the threshold. */
  private measureCompaction(usage: Usage): void {
    this.compactedSinceLastTurn = false;
    const inputTokens = inputTokensOf(usage);
    this.inputAfterCompaction = inputTokens;
    const limits = this.autoCompactLimits();
    if (limits === undefined || inputTokens < limits.share * limits.contextWindow) return;
    const again = Math.ceil(recompactionInputTokens(inputTokens, limits.contextWindow));
    this.context.onWarning?.(
      `After compaction the conversation still sends ${inputTokens} input tokens, over ${Math.round(limits.share * 100)} % of the ${limits.contextWindow}-token context window; it is compacted again only once its input reaches ${again} tokens. Start a new conversation if its turns fail for length.`,
    );
  }

  /**
   * Compacts first when the last response's input passed the configured share of the context window
   * (not again right away when the last compaction left it above: see `isAutoCompactionDue`).
   */
  private async compactIfFull(session: AuthSession, signal: AbortSignal): Promise<void> {
    const limits = this.autoCompactLimits();
    if (limits === undefined || this.usage === undefined) return;
    const due = isAutoCompactionDue({
      inputTokens: inputTokensOf(this.usage),
      ...limits,
      inputAfterCompaction: this.inputAfterCompaction,
    });
    if (!due) return;
    try {
      await this.compactNow(session, signal);
    } catch (error) {
      if (signal.aborted) throw abortedError(signal.reason);
      this.context.onWarning?.(
        `The conversation could not be compacted (${error instanceof Error ? error.message : String(error)}); it goes on with its full history.`,
      );
    }
  }

  private async compactNow(session: AuthSession, signal: AbortSignal): Promise<void> {
    if (this.items.length === 0) return;
    const template = this.bodyTemplate(session.backend);
    const turn = this.turnOf(session, template, signal);
    const { output } = await compactHistoryOfTurn(this.context, turn, {
      model: String(template.model),
      instructions: typeof template.instructions === 'string' ? template.instructions : undefined,
      input: this.items.snapshot(),
    });
    this.items.replace(output);
    // The compacted history starts a fresh chain: no previous response, no stale usage.
    this.previous = undefined;
    this.usage = undefined;
    this.compactedSinceLastTurn = true;
  }

  /**
   * A `generate: false` request over the WebSocket: the server prepares the prompt cache and answers
   * with an empty response, which the first turn then continues (never a response with output).
   * Skipped when the conversation would not use the WebSocket; its failures are ignored (the first
   * turn reports real problems).
   */
  private async warmUp(): Promise<void> {
    const signal = this.closeController.signal;
    const session = await this.session(signal);
    const template: RequestBody = { ...this.bodyTemplate(session.backend), input: [] };
    const turn = this.turnOf(session, { ...template, generate: false }, signal);
    if (!this.context.sender.prefersWebSocket(turn)) return;
    turn.mode = 'websocket';
    const response = await this.context.sender.send(turn);
    const parser = createResponsesEventParser();
    const iterator = response.events[Symbol.asyncIterator]();
    // A server that answered the warm-up with output anyway: that output is in no history, so the
    // first turn must not continue it (the model would see an answer the conversation never had).
    let answered = false;
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done === true) return;
        const chunks = parser.feed(next.value);
        answered ||= chunks.some((chunk) => chunk.type !== 'done' && chunk.type !== 'error');
        const done = chunks.find((chunk) => chunk.type === 'done');
        if (done?.type !== 'done') continue;
        answered ||= (done.outputItems?.length ?? 0) > 0;
        if (
          done.responseId !== undefined &&
          !answered &&
          this.options.continuation !== false &&
          !this.closed
        ) {
          this.previous = {
            body: template,
            outputItems: [],
            responseId: done.responseId,
            connectionId: response.connection?.id,
          };
        }
        return;
      }
    } finally {
      closeIteratorQuietly(iterator);
    }
  }
}
