import type { ResponseItem } from '@codetether/responses-protocol';
import { authorizationOf } from './api-key-header.js';
import {
  conversationNotFound,
  invalidConversationId,
  storeErrorToGatewayError,
} from './conversation-errors.js';
import { clientTagOf } from './conversation-index.js';
import {
  CONVERSATION_ID_PATTERN,
  ENCRYPTED_REASONING_INCLUDE,
  normalizeConversationItem,
  upstreamItemOf,
} from './conversation-item-input.js';
import { ConversationStoreError, type ConversationTurn } from './conversation-store.js';
import { FinalResponseAssembly } from './final-response-assembly.js';
import type { GatewayContext } from './gateway-context.js';
import type { GatewayResponseStream } from './gateway-provider.js';
import { asksForEncryptedReasoning, eventWithoutEncryptedReasoning } from './hidden-encrypted-reasoning.js';
import { isRecord } from './is-record.js';
import { withItemReferencesResolved } from './item-references.js';
import { GatewayError } from './openai-error.js';
import { echoConversation, openResponseStream } from './responses-conversation-turn.js';

/** The events after which a conversation gets the response's input and output items. */
const APPENDING_EVENT_TYPES: ReadonlySet<string> = new Set(['response.completed', 'response.incomplete']);
/** The events that end a response without adding to its conversation. */
const FAILING_EVENT_TYPES: ReadonlySet<string> = new Set(['response.failed', 'error']);

function badRequest(param: string, message: string, code = 'invalid_value'): GatewayError {
  return new GatewayError(400, 'invalid_request_error', message, { param, code });
}

/** The conversation id a Responses body names (`"conv_…"` or `{id: "conv_…"}`), or `undefined` for none. */
export function conversationIdOf(body: Record<string, unknown>): string | undefined {
  const reference = body.conversation;
  if (reference === undefined || reference === null) return undefined;
  const id = typeof reference === 'string' ? reference : isRecord(reference) ? reference.id : undefined;
  if (typeof id !== 'string')
    throw badRequest(
      'conversation',
      'Invalid \'conversation\': send a conversation id ("conv_…") or an object {"id": "conv_…"}.',
    );
  if (!CONVERSATION_ID_PATTERN.test(id)) throw invalidConversationId(id, 'conversation');
  return id;
}

/** The request's input as conversation items (a string is one user message), checked and normalised. */
function requestItemsOf(input: unknown): Record<string, unknown>[] {
  if (input === undefined || input === null) return [];
  if (typeof input === 'string')
    return [normalizeConversationItem({ type: 'message', role: 'user', content: input }, 'input')];
  if (!Array.isArray(input))
    throw badRequest('input', "Invalid 'input': send a string or an array of items.");
  return input.map((item, index) => normalizeConversationItem(item, `input[${index}]`));
}

/**
 * Refuses a body that names both a `conversation` and a `previous_response_id` (OpenAI's 400
 * `mutually_exclusive_parameters`): a conversation already carries its earlier responses.
 */
export function refuseConversationWithPreviousResponse(body: Record<string, unknown>): void {
  const { conversation, previous_response_id: previous } = body;
  if (conversation === undefined || conversation === null) return;
  if (previous !== undefined && previous !== null && previous !== '')
    throw badRequest(
      'conversation',
      "Mutually exclusive parameters: send either 'conversation' or 'previous_response_id', not both. A conversation already carries its earlier responses.",
      'mutually_exclusive_parameters',
    );
}

/** Refuses what a Conversations API turn cannot be combined with, before the conversation is taken. */
function refuseCombinations(body: Record<string, unknown>): void {
  refuseConversationWithPreviousResponse(body);
  if (body.generate === false)
    throw badRequest(
      'generate',
      'A warm-up (`generate: false`) cannot run on a conversation: it would add its input without an answer. Send it without `conversation`.',
      'unsupported_parameter',
    );
}

/** The body sent on: the conversation's items then the request's, and `include` asking for encrypted reasoning. */
function upstreamBodyOf(
  body: Record<string, unknown>,
  conversationItems: readonly Readonly<Record<string, unknown>>[],
  inputItems: readonly Record<string, unknown>[],
): Record<string, unknown> {
  const { conversation: _conversation, ...rest } = body;
  const input: Record<string, unknown>[] = [];
  for (const item of [...conversationItems, ...inputItems]) {
    const upstream = upstreamItemOf(item);
    if (upstream !== undefined) input.push(upstream);
  }
  const include = Array.isArray(body.include)
    ? body.include.filter((value) => typeof value === 'string')
    : [];
  if (!include.includes(ENCRYPTED_REASONING_INCLUDE)) include.push(ENCRYPTED_REASONING_INCLUDE);
  return { ...rest, input, include };
}

/**
 * The events of a response running on a conversation: each response object names the conversation;
 * once the response completed (or ended incomplete) its input and output items are appended to the
 * conversation, before that last event goes on; the conversation is free again when the events end
 * in any way (read to the end, failed, or closed by a client that went away — also before the first).
 * With `hideEncryptedReasoning` (the client's `include` did not ask for it) the client gets copies of
 * the events without reasoning items' `encrypted_content`, which the conversation still receives.
 */
function conversationEvents(
  events: AsyncIterable<unknown>,
  turn: ConversationTurn,
  conversationId: string,
  inputItems: readonly Record<string, unknown>[],
  hideEncryptedReasoning: boolean,
): AsyncIterableIterator<unknown> {
  const iterator = events[Symbol.asyncIterator]();
  const assembly = new FinalResponseAssembly();
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    turn.release();
  };
  const wrapped: AsyncIterableIterator<unknown> = {
    [Symbol.asyncIterator]: () => wrapped,
    async next() {
      let result: IteratorResult<unknown>;
      try {
        result = await iterator.next();
      } catch (error) {
        end();
        throw error;
      }
      if (result.done === true) {
        end();
        return result;
      }
      const event = result.value;
      echoConversation(event, conversationId);
      assembly.observe(event);
      const type = isRecord(event) ? event.type : undefined;
      if (typeof type === 'string' && APPENDING_EVENT_TYPES.has(type) && !ended) {
        ended = true;
        const output = assembly.result()?.output;
        turn.complete([...inputItems, ...(Array.isArray(output) ? output.filter(isRecord) : [])]);
      } else if (typeof type === 'string' && FAILING_EVENT_TYPES.has(type)) end();
      return hideEncryptedReasoning ? { done: false, value: eventWithoutEncryptedReasoning(event) } : result;
    },
    async return(value?: unknown) {
      end();
      await iterator.return?.(value);
      return { done: true, value };
    },
  };
  return wrapped;
}

/**
 * The upstream stream of a `/v1/responses` request (HTTP or the WebSocket mode's `response.create`):
 * with `conversation` (the Conversations API), a turn on that conversation of the request's key — the
 * model gets the conversation's items followed by the request's input, so the continuation index
 * recognises the earlier turns and sends only the new items over a warm upstream WebSocket — whose
 * input and output items are appended to the conversation once it completes; without, as
 * {@link openResponseStream}. One response runs on a conversation at a time (409
 * `conversation_locked` for another meanwhile).
 *
 * @param context - shared gateway state
 * @param body - the client's Responses body
 * @param headers - the request headers (client key, session id)
 * @param upstream - the request's upstream signal and session id
 * @throws {GatewayError} 400 for a malformed `conversation` or input, or `conversation` with
 *   `previous_response_id`; 404 for a conversation the key does not have; 409 when one runs on it
 */
export async function openConversationResponseStream(
  context: GatewayContext,
  body: Record<string, unknown>,
  headers: Headers,
  upstream: { signal: AbortSignal; sessionId: string },
): Promise<GatewayResponseStream> {
  const conversationId = conversationIdOf(body);
  if (conversationId === undefined) return openResponseStream(context, body, headers, upstream);
  refuseCombinations(body);
  const store = context.conversationStore;
  if (store === undefined)
    throw badRequest(
      'conversation',
      'The Conversations API is turned off on this gateway (--no-conversations-api): send the whole input instead.',
      'unsupported_parameter',
    );
  const clientTag = clientTagOf(authorizationOf(headers));
  // References to the conversation's own items (found first) or to the key's earlier responses' items.
  body = withItemReferencesResolved(
    context,
    body,
    headers,
    (itemId) => store.item(clientTag, conversationId, itemId)?.item,
  );
  const inputItems = requestItemsOf(body.input);
  let turn: ConversationTurn | undefined;
  try {
    turn = store.startTurn(
      clientTagOf(authorizationOf(headers)),
      conversationId,
      JSON.stringify(inputItems).length,
    );
  } catch (error) {
    if (error instanceof ConversationStoreError) throw storeErrorToGatewayError(error, 'conversation');
    throw error;
  }
  if (turn === undefined) throw conversationNotFound(conversationId, 'conversation');
  // The gateway asks for encrypted reasoning to replay it; a client that did not ask does not see it.
  const hideEncryptedReasoning = !asksForEncryptedReasoning(body);
  let stream: GatewayResponseStream;
  try {
    stream = await openResponseStream(
      context,
      upstreamBodyOf(
        body,
        turn.items.map((stored) => stored.item),
        inputItems,
      ),
      headers,
      upstream,
      { conversationId, listedInput: inputItems as ResponseItem[], hideEncryptedReasoning },
    );
  } catch (error) {
    turn.release();
    throw error;
  }
  return {
    ...stream,
    events: conversationEvents(stream.events, turn, conversationId, inputItems, hideEncryptedReasoning),
  };
}
