import type { ConversationOptions } from '@codetether/provider-codex';
import type { ChatMessage, CompletionRequest, StreamChunk } from '@codetether/responses-protocol';
import { authorizationOf } from './api-key-header.js';
import { ConversationIndex, clientTagOf, type IndexedConversation } from './conversation-index.js';
import { type PlannedConversationTurn, runConversationTurn, type TurnAnswer } from './conversation-turn.js';
import { type GatewayContext, readSessionId } from './gateway-context.js';
import type { GatewayConversation } from './gateway-provider.js';
import { upstreamSessionIdOf } from './upstream-session-id.js';

/** Who sent a chat request: the client's tag and the session id it named, if any. */
export interface ChatClient {
  /** From `clientTagOf(authorization)`. */
  clientTag: string;
  /** The client's `session-id` / `session_id` / `x-session-id` header. */
  sessionId?: string | undefined;
}

/** A message as the index compares it: what a client sends back of it, nothing more. */
function canonicalMessage(message: ChatMessage): unknown[] {
  switch (message.role) {
    case 'assistant':
      return [
        'assistant',
        message.content ?? '',
        (message.toolCalls ?? []).map((call) => [call.id, call.name, call.arguments]),
      ];
    case 'tool':
      return ['tool', message.toolCallId, message.content];
    default:
      return [message.role, message.content];
  }
}

/** The request without its messages, canonical (model, tools, effort…: fixed per conversation). */
function canonicalSettings(request: CompletionRequest): string {
  const { messages: _messages, ...settings } = request;
  return JSON.stringify(settings);
}

function transcriptOf(settings: string, messages: readonly ChatMessage[]): string {
  return JSON.stringify([settings, messages.map(canonicalMessage)]);
}

function instructionsOf(messages: readonly ChatMessage[]): string | undefined {
  const parts = messages
    .filter((message) => message.role === 'system' || message.role === 'developer')
    .map((message) => message.content)
    .filter((content) => content.trim() !== '');
  return parts.length > 0 ? parts.join('\n\n') : undefined;
}

function conversationOptionsOf(request: CompletionRequest, id: string | undefined): ConversationOptions {
  const options: ConversationOptions = { model: request.model };
  const instructions = instructionsOf(request.messages);
  if (instructions !== undefined) options.instructions = instructions;
  if (request.tools !== undefined) options.tools = request.tools;
  if (request.toolChoice !== undefined) options.toolChoice = request.toolChoice;
  if (request.reasoningEffort !== undefined) options.reasoningEffort = request.reasoningEffort;
  if (request.responseFormat !== undefined) options.responseFormat = request.responseFormat;
  if (request.maxOutputTokens !== undefined) options.maxOutputTokens = request.maxOutputTokens;
  if (request.temperature !== undefined) options.temperature = request.temperature;
  if (request.parallelToolCalls !== undefined) options.parallelToolCalls = request.parallelToolCalls;
  if (request.store !== undefined) options.store = request.store;
  if (id !== undefined) options.id = id;
  return options;
}

const isNewTurnMessage = (message: ChatMessage): boolean =>
  message.role === 'user' || message.role === 'tool';

/**
 * Plans a chat completion as a turn of a conversation: the client's session id names it, or — without
 * one — its messages up to the last assistant message must be, exactly, a conversation this gateway
 * answered for the same client key (the earlier request plus the answer it returned). Then only the
 * messages after that answer go up, as a continuation. Anything else (a mismatch, a changed setting,
 * a system message among the new ones) starts a new conversation with the full messages.
 *
 * @param context - shared gateway state
 * @param request - the converted chat request
 * @param client - the client's tag and session id
 * @returns the turn, or `undefined` when the request goes the stateless way (continuation off, or a
 *   provider without conversations)
 */
export async function planChatTurn(
  context: GatewayContext,
  request: CompletionRequest,
  client: ChatClient,
): Promise<PlannedConversationTurn | undefined> {
  const index = context.conversations;
  const createConversation = context.provider.createConversation?.bind(context.provider);
  if (index === undefined || createConversation === undefined) return undefined;
  const { clientTag, sessionId } = client;
  const settings = canonicalSettings(request);
  const { messages } = request;
  const lastAnswer = messages.findLastIndex((message) => message.role === 'assistant');
  const prefix = transcriptOf(settings, messages.slice(0, lastAnswer + 1));
  const newMessages = messages.slice(lastAnswer + 1);
  const keyOf = (transcript: string): string =>
    sessionId === undefined
      ? ConversationIndex.transcriptKey(clientTag, transcript)
      : ConversationIndex.sessionKey(clientTag, sessionId);
  const key = keyOf(prefix);
  const continues = lastAnswer >= 0 && newMessages.length > 0 && newMessages.every(isNewTurnMessage);
  let taken: IndexedConversation | undefined;
  // The session's conversation is running a turn for another request: this one gets a conversation
  // (and upstream session) of its own, so neither takes nor closes the other's socket.
  let sessionBusy = false;
  if (sessionId !== undefined) {
    sessionBusy = index.isRunning(key);
    taken = index.take(key, () => true);
  } else if (continues) {
    taken = index.take(key, (entry) => entry.transcript === prefix);
  }
  const placementAfter =
    (conversation: GatewayConversation): PlannedConversationTurn['placementAfter'] =>
    (_done, answer: TurnAnswer) => {
      const answered: ChatMessage = { role: 'assistant', content: answer.text };
      if (answer.toolCalls.length > 0) answered.toolCalls = answer.toolCalls;
      const transcript = transcriptOf(settings, [...messages, answered]);
      return { key: keyOf(transcript), value: { conversation, transcript, settings } };
    };
  if (taken !== undefined && continues && taken.transcript === prefix) {
    index.startTurn(key);
    return {
      conversation: taken.conversation,
      restore: { key, value: taken },
      input: newMessages,
      clientTag,
      placementAfter: placementAfter(taken.conversation),
    };
  }
  // A session whose history does not match, or nothing to continue: a new conversation, full input.
  if (taken !== undefined) await taken.conversation.close().catch(() => {});
  const upstreamId =
    sessionId === undefined || sessionBusy ? undefined : upstreamSessionIdOf(clientTag, sessionId);
  const conversation = createConversation(conversationOptionsOf(request, upstreamId));
  return {
    conversation,
    input: messages.filter((message) => message.role !== 'system' && message.role !== 'developer'),
    clientTag,
    placementAfter: placementAfter(conversation),
  };
}

/**
 * The chunk stream of a chat request: a conversation turn when continuation applies (see
 * {@link planChatTurn}), the provider's stateless `completeStream` otherwise.
 *
 * @param context - shared gateway state
 * @param request - the converted chat request
 * @param headers - the request headers (client key, session id)
 * @param upstream - the request's upstream signal and session id (a lane when the client sent none),
 *   and who to tell when the upstream accepted the request
 */
export async function openChatStream(
  context: GatewayContext,
  request: CompletionRequest,
  headers: Headers,
  upstream: { signal: AbortSignal; sessionId: string; onResponseStarted?: () => void },
): Promise<AsyncIterable<StreamChunk>> {
  const turn = await planChatTurn(context, request, {
    clientTag: clientTagOf(authorizationOf(headers)),
    sessionId: readSessionId(headers),
  });
  return turn === undefined
    ? context.provider.completeStream(request, upstream)
    : runConversationTurn(context, turn, {
        signal: upstream.signal,
        onResponseStarted: upstream.onResponseStarted,
      });
}
