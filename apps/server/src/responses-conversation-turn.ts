import { randomUUID } from 'node:crypto';
import type { ConversationInput } from '@codetether/provider-codex';
import { CodexProviderError } from '@codetether/provider-codex';
import type { ResponseItem, StreamChunk } from '@codetether/responses-protocol';
import { authorizationOf } from './api-key-header.js';
import { ArrivingEvents } from './arriving-events.js';
import { ConversationIndex, clientTagOf, type IndexedConversation } from './conversation-index.js';
import {
  type IndexPlacement,
  type PlannedConversationTurn,
  runConversationTurn,
} from './conversation-turn.js';
import { FinalResponseAssembly } from './final-response-assembly.js';
import { type GatewayContext, readSessionId } from './gateway-context.js';
import type { GatewayConversation, GatewayResponseStream } from './gateway-provider.js';
import { responseWithoutEncryptedReasoning } from './hidden-encrypted-reasoning.js';
import { isRecord } from './is-record.js';
import { withItemReferencesResolved } from './item-references.js';
import { GatewayError } from './openai-error.js';
import { readMetadata } from './request-metadata.js';
import { storeResponse } from './stored-response.js';
import { upstreamSessionIdOf } from './upstream-session-id.js';

/**
 * Body fields that change per turn; every other field is a setting fixed per conversation.
 * `client_metadata` (the Codex CLI's per-request turn ids and timings) is not forwarded.
 */
const PER_TURN_FIELDS: ReadonlySet<string> = new Set([
  'input',
  'previous_response_id',
  'stream',
  'generate',
  'client_metadata',
]);

/** The body without its per-turn fields: the conversation's request template. */
function templateOf(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([name]) => !PER_TURN_FIELDS.has(name)));
}

/** The input as Responses items (a string is one user message; a message without `type` gets one). */
export function inputItemsOf(input: unknown): ResponseItem[] {
  if (typeof input === 'string')
    return [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: input }] }];
  if (!Array.isArray(input)) return [];
  return input
    .filter(isRecord)
    .map((item) => (item.type === undefined ? { type: 'message', ...item } : item));
}

/**
 * An item as the index compares it: what a client sends back of it (ids, statuses and annotations
 * aside); `undefined` for reasoning items, which the conversation carries itself.
 */
function canonicalItem(item: ResponseItem): unknown {
  const type = typeof item.type === 'string' ? item.type : 'message';
  if (type === 'reasoning') return undefined;
  if (type === 'message') {
    const textType = item.role === 'assistant' ? 'output_text' : 'input_text';
    const content =
      typeof item.content === 'string'
        ? [[textType, item.content]]
        : Array.isArray(item.content)
          ? item.content.filter(isRecord).map((part) => [part.type, part.text ?? part.image_url ?? null])
          : [];
    return [type, item.role, content];
  }
  if (type === 'function_call') return [type, item.call_id, item.name, item.arguments];
  if (type === 'function_call_output') return [type, item.call_id, item.output];
  const { id: _id, status: _status, ...rest } = item;
  return [type, rest];
}

function transcriptOf(settings: string, items: readonly ResponseItem[]): string {
  return JSON.stringify([settings, items.map(canonicalItem).filter((item) => item !== undefined)]);
}

const ANSWER_TYPES: ReadonlySet<string> = new Set(['function_call', 'custom_tool_call', 'reasoning']);
const isAnswerItem = (item: ResponseItem): boolean =>
  ANSWER_TYPES.has(String(item.type)) || (item.type === 'message' && item.role === 'assistant');

/**
 * OpenAI's 400 for a `previous_response_id` it does not know (here: one this gateway did not answer to
 * the same key recently).
 */
export function previousResponseNotFound(responseId: string): GatewayError {
  return new GatewayError(
    400,
    'invalid_request_error',
    `Previous response with id '${responseId}' not found. Only responses this gateway returned recently (to the same key) can be continued; send the full input instead.`,
    { param: 'previous_response_id', code: 'previous_response_not_found' },
  );
}

/** What both the planner and the warm-up read of a Responses request. */
interface ResponsesRequest {
  index: ConversationIndex;
  clientTag: string;
  sessionId: string | undefined;
  template: Record<string, unknown>;
  settings: string;
  items: ResponseItem[];
  /** The input items a stored response lists (`items`, unless a Conversations API turn prepended its conversation). */
  listedItems: readonly ResponseItem[];
  /** Assembles the response the turn answers (observes the upstream events), to store it. */
  assembly: FinalResponseAssembly;
  /** The response as the client sees it, which is what is stored (a copy when it hides something). */
  shownResponse(response: Record<string, unknown>): Record<string, unknown>;
  /** The index key of the conversation: the session's, or its transcript's. */
  keyOf(transcript: string): string;
  /**
   * A new upstream conversation for this request (its model, body, `store` and session id; a random
   * upstream session id when `ownSession`: the session's conversation is running another request).
   */
  newConversation(history?: readonly ResponseItem[], ownSession?: boolean): GatewayConversation;
}

/** Reads a Responses request for continuation; `undefined` when continuation is off or impossible. */
function readResponsesRequest(
  context: GatewayContext,
  body: Record<string, unknown>,
  headers: Headers,
  conversationTurn: ConversationsApiTurn | undefined,
): ResponsesRequest | undefined {
  const index = context.conversations;
  const createConversation = context.provider.createConversation?.bind(context.provider);
  if (index === undefined || createConversation === undefined) return undefined;
  const clientTag = clientTagOf(authorizationOf(headers));
  const sessionId = readSessionId(headers);
  const template = templateOf(body);
  const items = inputItemsOf(body.input);
  return {
    index,
    clientTag,
    sessionId,
    template,
    settings: JSON.stringify(template),
    items,
    listedItems: conversationTurn?.listedInput ?? items,
    assembly: new FinalResponseAssembly(),
    shownResponse:
      conversationTurn?.hideEncryptedReasoning === true
        ? responseWithoutEncryptedReasoning
        : (response) => response,
    keyOf: (transcript) =>
      sessionId === undefined
        ? ConversationIndex.transcriptKey(clientTag, transcript)
        : ConversationIndex.sessionKey(clientTag, sessionId),
    newConversation: (history, ownSession = false) => {
      const options: Parameters<typeof createConversation>[0] = {
        model: String(body.model),
        requestBody: template,
      };
      if (template.store === true) options.store = true;
      if (sessionId !== undefined && !ownSession) options.id = upstreamSessionIdOf(clientTag, sessionId);
      if (history !== undefined) options.history = history;
      return createConversation(options);
    },
  };
}

/**
 * Plans a Responses request as a turn of a conversation: named by `previous_response_id` (a response
 * this gateway returned to the same client key, else OpenAI's 400 `previous_response_not_found`), by
 * a session id header, or recognised by its input (the input of an earlier request plus the output it
 * returned, then new items). A continuing turn sends only the new items; anything else starts a new
 * conversation with the full input — also a request naming an earlier response (not its
 * conversation's last one), which starts from that response's kept history.
 *
 * @returns the turn, or `undefined` for the stateless passthrough (a `store: true` response this
 * gateway does not know)
 */
async function planResponsesTurn(
  body: Record<string, unknown>,
  request: ResponsesRequest,
): Promise<PlannedConversationTurn | undefined> {
  const { index, clientTag, sessionId, template, items, listedItems, keyOf, newConversation } = request;
  let { settings } = request;
  const placementAfter = (conversation: GatewayConversation) => () => {
    const transcript = transcriptOf(settings, conversation.history);
    const final = request.assembly.result();
    const response =
      final === undefined
        ? undefined
        : storeResponse(request.shownResponse(final), listedItems, settings, template);
    return { key: keyOf(transcript), value: { conversation, transcript, settings, response } };
  };
  /** Keeps the turn's response retrievable when it ended incomplete or failed (it continues nothing). */
  const keepUnfinished = () => {
    const final = request.assembly.result();
    if (final === undefined || typeof final.id !== 'string' || final.id === '') return;
    if (final.status !== 'incomplete' && final.status !== 'failed') return;
    index.keepResponse(
      clientTag,
      final.id,
      storeResponse(request.shownResponse(final), listedItems, settings, template),
    );
  };
  /** The planned turn on `conversation`, sending `input` (and going back to `restore` if it fails). */
  const turnOn = (
    conversation: GatewayConversation,
    input: ConversationInput,
    restore?: IndexPlacement,
  ): PlannedConversationTurn => ({
    conversation,
    ...(restore === undefined ? {} : { restore }),
    input,
    clientTag,
    placementAfter: placementAfter(conversation),
    keepUnfinished,
  });
  /** A continuing turn's responses share its conversation's settings string (not one copy per response). */
  const shareSettings = (taken: IndexedConversation) => {
    if (taken.settings === settings) settings = taken.settings;
  };
  const previousResponseId = body.previous_response_id;
  if (typeof previousResponseId === 'string' && previousResponseId !== '') {
    const taken = index.takeByResponseId(clientTag, previousResponseId);
    if (taken === undefined) {
      // Named by another request whose turn runs: a conversation of its own from the response's history.
      const running = index.runningResponse(clientTag, previousResponseId);
      if (running !== undefined) {
        return turnOn(newConversation(running.history, true), items);
      }
      // An earlier response (a later turn answered since, or its conversation left the index): a new
      // conversation from its history, as OpenAI's API continues any response it stored.
      const earlier = index.keptResponseHistory(clientTag, previousResponseId);
      if (earlier !== undefined) {
        const sessionBusy =
          sessionId !== undefined && index.isRunning(ConversationIndex.sessionKey(clientTag, sessionId));
        return turnOn(newConversation(earlier, sessionBusy), items);
      }
      // With `store: true` (API key) the OpenAI API may know responses this gateway never saw.
      if (template.store === true) return undefined;
      throw previousResponseNotFound(previousResponseId);
    }
    if (taken.settings === settings) {
      shareSettings(taken);
      const restore = { key: keyOf(taken.transcript), value: taken };
      index.startTurn(restore.key, {
        clientTag,
        responseId: previousResponseId,
        history: taken.conversation.history,
        stored: taken.response,
      });
      return turnOn(taken.conversation, items, restore);
    }
    // Changed settings: a new conversation from the same history (full input, then continued).
    const history = taken.conversation.history;
    index.keepLastResponse(clientTag, taken);
    await taken.conversation.close().catch(() => {});
    return turnOn(newConversation(history), items);
  }
  const lastAnswer = items.findLastIndex(isAnswerItem);
  const prefix = transcriptOf(settings, items.slice(0, lastAnswer + 1));
  const newItems = items.slice(lastAnswer + 1);
  const continues = lastAnswer >= 0 && newItems.length > 0;
  const key = keyOf(prefix);
  let taken: IndexedConversation | undefined;
  // The session's conversation is running a turn for another request: a conversation of its own.
  let sessionBusy = false;
  if (sessionId !== undefined) {
    sessionBusy = index.isRunning(key);
    taken = index.take(key, () => true);
  } else if (continues) taken = index.take(key, (entry) => entry.transcript === prefix);
  if (taken !== undefined && continues && taken.transcript === prefix) {
    shareSettings(taken);
    // Its last response stays retrievable (and can be named, or deleted) while the turn runs.
    index.startTurn(
      key,
      taken.responseId === undefined
        ? undefined
        : {
            clientTag,
            responseId: taken.responseId,
            history: taken.conversation.history,
            stored: taken.response,
          },
    );
    return turnOn(taken.conversation, newItems, { key, value: taken });
  }
  if (taken !== undefined) {
    index.keepLastResponse(clientTag, taken);
    await taken.conversation.close().catch(() => {});
  }
  return turnOn(newConversation(undefined, sessionBusy), items);
}

/**
 * Answers a warm-up (`generate: false`) without calling the model: the conversation it prepares is
 * remembered under a new response id with the warm-up's input as its history, so the request that
 * names it goes up with that input plus its own items (and later turns continue upstream).
 */
async function answerWarmUp(
  context: GatewayContext,
  body: Record<string, unknown>,
  request: ResponsesRequest,
): Promise<GatewayResponseStream> {
  const { index, clientTag, settings, keyOf } = request;
  let history = request.items;
  const previousResponseId = body.previous_response_id;
  if (typeof previousResponseId === 'string' && previousResponseId !== '') {
    const taken = index.takeByResponseId(clientTag, previousResponseId);
    if (taken === undefined) {
      const earlier = index.keptResponseHistory(clientTag, previousResponseId);
      if (earlier === undefined) throw previousResponseNotFound(previousResponseId);
      history = [...earlier, ...history];
    } else {
      history = [...taken.conversation.history, ...history];
      index.keepLastResponse(clientTag, taken);
      await taken.conversation.close().catch(() => {});
    }
  }
  const conversation = request.newConversation(history);
  const responseId = `resp_${randomUUID().replaceAll('-', '')}`;
  const transcript = transcriptOf(settings, history);
  const response = {
    id: responseId,
    object: 'response',
    created_at: Math.floor(context.now() / 1000),
    status: 'completed',
    model: body.model,
    previous_response_id: namedPreviousResponseId(body),
    output: [],
    usage: { input_tokens: 0, output_tokens: 0, total_tokens: 0 },
  };
  index.put(keyOf(transcript), clientTag, {
    conversation,
    transcript,
    settings,
    responseId,
    response: storeResponse(response, request.listedItems, settings, request.template),
  });
  async function* events(): AsyncGenerator<unknown, void, undefined> {
    yield { type: 'response.created', sequence_number: 0, response: { ...response, status: 'in_progress' } };
    yield { type: 'response.completed', sequence_number: 1, response };
  }
  return { events: events() };
}

/**
 * The body without `background`, which the upstream is never sent (the gateway runs background
 * responses itself, see `background-response-route.ts`), and whether it asked for one.
 */
function withoutBackground(body: Record<string, unknown>): {
  body: Record<string, unknown>;
  background: boolean;
} {
  if (!('background' in body)) return { body, background: false };
  const { background, ...rest } = body;
  return { body: rest, background: background === true };
}

/**
 * Sets `echoes` on the response object an event carries (`response.created`, `.completed`…; other
 * events change nothing): what OpenAI's response objects say of the request that the upstream's do not.
 */
function echoInResponse(event: unknown, echoes: Readonly<Record<string, unknown>>): void {
  if (isRecord(event) && isRecord(event.response) && 'id' in event.response)
    Object.assign(event.response, echoes);
}

/**
 * The passthrough stream with the request's `metadata` echoed in its response objects (the ChatGPT
 * backend is not sent it, and answers `{}`).
 */
function withEchoedMetadata(
  stream: GatewayResponseStream,
  metadata: Record<string, unknown> | undefined,
): GatewayResponseStream {
  if (metadata === undefined) return stream;
  const source = stream.events;
  const echoes = { metadata };
  async function* events(): AsyncGenerator<unknown, void, undefined> {
    for await (const event of source) {
      echoInResponse(event, echoes);
      yield event;
    }
  }
  return { ...stream, events: events() };
}

const RAW_ERROR_TYPES: ReadonlySet<string> = new Set(['error', 'response.failed']);

/** The `previous_response_id` a Responses body names, or `null` (as OpenAI's response objects say it). */
function namedPreviousResponseId(body: Record<string, unknown>): string | null {
  const named = body.previous_response_id;
  return typeof named === 'string' && named !== '' ? named : null;
}

/**
 * Makes the response object an event carries name the Conversations API conversation the request ran
 * on (`conversation: {id}`), as OpenAI's do.
 *
 * @param event - an upstream event (only one carrying a `response` object changes)
 * @param conversationId - the conversation's id
 */
export function echoConversation(event: unknown, conversationId: string): void {
  echoInResponse(event, { conversation: { id: conversationId } });
}

/** What a Conversations API turn tells {@link openResponseStream} besides the body it prepared. */
export interface ConversationsApiTurn {
  /** The conversation's id, echoed in the response objects. */
  conversationId: string;
  /** The request's own input items: what the stored response lists as its input (not the conversation's items). */
  listedInput: readonly ResponseItem[];
  /**
   * The client's `include` did not ask for `reasoning.encrypted_content` (the gateway added it): the
   * stored response (`GET /v1/responses/{id}`, also while streaming) keeps its reasoning items without it.
   */
  hideEncryptedReasoning: boolean;
}

/**
 * The raw Responses events of a conversation turn, as a {@link GatewayResponseStream}: resolves once
 * the upstream accepted the turn or the turn produced its first chunk (failures before either are
 * thrown, like `createResponseStream`'s); its events are relayed as they arrive (see
 * `ConversationCallOptions.onEvent` for when the turn holds them back), not chunk by chunk; a failure
 * the upstream sent no event for (a dropped socket) becomes one `error` event — but the turn's failure for
 * its own upstream signal aborting (the client left, a cancel, a shutdown) is thrown, as the passthrough's
 * is, so each route answers it as it answers any stopped request (`server_shutting_down` for a shutdown).
 * `onEnd` runs once the events are over (read to the end, closed, or failed before the first chunk).
 */
async function conversationResponseStream(
  chunks: AsyncGenerator<StreamChunk, void, undefined>,
  arriving: ArrivingEvents,
  signal: AbortSignal,
  onEnd: () => void,
): Promise<GatewayResponseStream> {
  let pendingChunk: Promise<IteratorResult<StreamChunk, void>> | undefined = chunks.next();
  let result: IteratorResult<StreamChunk, void> | undefined;
  try {
    result = await Promise.race([pendingChunk, arriving.started.then(() => undefined)]);
  } catch (error) {
    onEnd();
    throw error;
  }
  if (result !== undefined) pendingChunk = undefined;
  const accepted = result === undefined;
  async function* events(): AsyncGenerator<unknown, void, undefined> {
    try {
      let relayedError = false;
      for (;;) {
        // The events that arrived so far, each yielded itself (`yield*` over an array costs an extra
        // promise per event); more may arrive meanwhile: taken on the next pass.
        const taken = arriving.take();
        if (taken !== undefined) {
          for (const event of taken) {
            if (!relayedError && isRecord(event) && RAW_ERROR_TYPES.has(String(event.type)))
              relayedError = true;
            yield event;
          }
          continue;
        }
        if (result === undefined) {
          // Waiting for the next chunk: an event that arrives first is relayed at once.
          pendingChunk ??= chunks.next();
          result = await Promise.race([pendingChunk, arriving.arrival()]);
          if (result !== undefined) pendingChunk = undefined;
          // The events that came with the chunk go first.
          continue;
        }
        if (result.done === true) return;
        const chunk = result.value;
        result = undefined;
        if (chunk.type === 'error' && !relayedError) {
          if (signal.aborted)
            throw new CodexProviderError('aborted', chunk.message, { cause: signal.reason });
          yield { type: 'error', code: chunk.code ?? 'upstream_error', message: chunk.message };
          return;
        }
        if (chunk.type === 'done' || chunk.type === 'error') return;
      }
    } finally {
      onEnd();
      // A chunk still being read (the events ran ahead of it) is let finish first — `return()` waits
      // behind it anyway — without holding up the caller's close on an upstream that may be stalled.
      const release = (): Promise<unknown> => chunks.return().catch(() => undefined);
      if (pendingChunk === undefined) await chunks.return();
      else void pendingChunk.then(release, release);
    }
  }
  return { events: events(), accepted };
}

/**
 * The upstream stream of a `/v1/responses` request: a conversation turn when continuation applies,
 * the provider's stateless passthrough otherwise.
 *
 * @param context - shared gateway state
 * @param body - the client's Responses body
 * @param headers - the request headers (client key, session id)
 * @param upstream - the request's upstream signal and session id (a lane when the client sent none)
 * @param conversationTurn - for a Conversations API turn (its `body.input` holds the conversation's
 *   items then the request's): the conversation id and the request's own input
 */
export async function openResponseStream(
  context: GatewayContext,
  body: Record<string, unknown>,
  headers: Headers,
  upstream: { signal: AbortSignal; sessionId: string },
  conversationTurn?: ConversationsApiTurn,
): Promise<GatewayResponseStream> {
  const backgroundRequest = withoutBackground(body);
  const background = backgroundRequest.background;
  body = withItemReferencesResolved(context, backgroundRequest.body, headers);
  const metadata =
    body.metadata === undefined || body.metadata === null ? undefined : readMetadata(body.metadata);
  const request = readResponsesRequest(context, body, headers, conversationTurn);
  if (request === undefined)
    return withEchoedMetadata(await context.provider.createResponseStream(body, upstream), metadata);
  if (body.generate === false) return answerWarmUp(context, body, request);
  const turn = await planResponsesTurn(body, request);
  if (turn === undefined)
    return withEchoedMetadata(await context.provider.createResponseStream(body, upstream), metadata);
  const arriving = new ArrivingEvents();
  const { index, clientTag, assembly } = request;
  // Retrievable while it streams (as OpenAI answers a retrieve then), from its first event on.
  let streamingId: string | undefined;
  const snapshot = () => {
    const partial = upstream.signal.aborted ? undefined : assembly.inProgress();
    return partial === undefined
      ? undefined
      : storeResponse(
          request.shownResponse(partial),
          request.listedItems,
          request.settings,
          request.template,
        );
  };
  // What the response objects say of this request, as OpenAI's do. `previous_response_id`: the one the
  // request named — upstream, a continued turn names the conversation's last response (also when the
  // client sent its whole input) and a turn sent in full names none (also when the client named one).
  const echoes: Record<string, unknown> = { previous_response_id: namedPreviousResponseId(body) };
  if (background) echoes.background = true;
  if (metadata !== undefined) echoes.metadata = metadata;
  if (conversationTurn !== undefined) echoes.conversation = { id: conversationTurn.conversationId };
  const chunks = runConversationTurn(context, turn, {
    signal: upstream.signal,
    onEvent: (event) => {
      echoInResponse(event, echoes);
      assembly.observe(event);
      if (streamingId === undefined) {
        // Cheap until the response has an id (a property read); then registered once.
        streamingId = assembly.responseId();
        if (streamingId !== undefined) index.startStreamingResponse(clientTag, streamingId, snapshot);
      }
      arriving.push(event);
    },
    onResponseStarted: () => arriving.markStarted(),
  });
  return conversationResponseStream(chunks, arriving, upstream.signal, () => {
    if (streamingId !== undefined) index.endStreamingResponse(clientTag, streamingId);
  });
}
