import type { ConversationInput } from '@codetether/provider-codex';
import type { DoneChunk, StreamChunk, ToolCall } from '@codetether/responses-protocol';
import type { IndexedConversation } from './conversation-index.js';
import type { GatewayContext } from './gateway-context.js';
import type { GatewayConversation } from './gateway-provider.js';

/** What a completed turn answered, as the client will see it. */
export interface TurnAnswer {
  /** The answer text. */
  text: string;
  /** The tool calls, in the order they started. */
  toolCalls: ToolCall[];
}

/** Where a conversation goes in the index: its key and what it holds. */
export interface IndexPlacement {
  /** The index key (session or transcript key). */
  key: string;
  /** The conversation and its transcript. */
  value: IndexedConversation;
}

/** One turn on a conversation of the index. */
export interface PlannedConversationTurn {
  /** The conversation that runs the turn (taken from the index, or new). */
  conversation: GatewayConversation;
  /** Where it was in the index (it goes back there when the turn fails); absent for a new one. */
  restore?: IndexPlacement | undefined;
  /** What the turn sends: only the new messages or items when it continues, everything otherwise. */
  input: ConversationInput;
  /** The client's tag (index keys). */
  clientTag: string;
  /** Where the conversation goes once the turn completed. */
  placementAfter(done: DoneChunk, answer: TurnAnswer): IndexPlacement;
  /**
   * Called when the turn ended without completing (a `done` that is not `stop` or `tool-calls`, or an
   * `error` chunk), before that chunk is yielded: keeps an incomplete or failed response retrievable.
   */
  keepUnfinished?: (() => void) | undefined;
}

/** Options of {@link runConversationTurn}. */
export interface ConversationTurnOptions {
  /** Aborted when the client disconnects or the gateway stops the request. */
  signal: AbortSignal;
  /** Receives the raw upstream events (the Responses route relays them); see `ConversationCallOptions.onEvent`. */
  onEvent?: ((event: unknown) => void) | undefined;
  /** Told when the upstream accepted the turn (see `ConversationCallOptions.onResponseStarted`). */
  onResponseStarted?: (() => void) | undefined;
}

function answerOf(chunks: readonly StreamChunk[]): TurnAnswer {
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const chunk of chunks) {
    if (chunk.type === 'text') text += chunk.text;
    else if (chunk.type === 'tool-call-start')
      toolCalls.push({ id: chunk.id, name: chunk.name, arguments: '' });
    else if (chunk.type === 'tool-call-delta') {
      const call = toolCalls.find((candidate) => candidate.id === chunk.id);
      if (call !== undefined) call.arguments += chunk.argumentsDelta;
    }
  }
  return { text, toolCalls };
}

/**
 * Runs one turn on a conversation and streams its chunks. When the turn completes (a `done` that ends
 * with `stop` or `tool-calls`) the conversation goes into the index under its new transcript before
 * `done` is yielded, so the client's next request finds it; when it fails, is aborted or abandoned, a
 * conversation taken from the index goes back unchanged and a new one is closed. Counts upstream
 * requests and bytes in the metrics.
 *
 * @param context - shared gateway state (the index must be set)
 * @param turn - the planned turn
 * @param options - the abort signal and raw event listener
 */
export async function* runConversationTurn(
  context: GatewayContext,
  turn: PlannedConversationTurn,
  options: ConversationTurnOptions,
): AsyncGenerator<StreamChunk, void, undefined> {
  const index = context.conversations;
  const iterator = turn.conversation
    .send(turn.input, {
      signal: options.signal,
      onEvent: options.onEvent,
      onResponseStarted: options.onResponseStarted,
      onUpstreamRequest: (request) =>
        context.metrics.recordUpstreamRequest(request.continued ? 'continued' : 'full', request.bodyBytes),
    })
    [Symbol.asyncIterator]();
  const seen: StreamChunk[] = [];
  let placed = false;
  try {
    for (;;) {
      const result = await iterator.next();
      if (result.done === true) return;
      const chunk = result.value;
      if (chunk.type === 'done') {
        // Let the conversation finish the turn (it is busy until then) before the next request may take it.
        await iterator.return?.();
        if (index !== undefined && (chunk.finishReason === 'stop' || chunk.finishReason === 'tool-calls')) {
          const placement = turn.placementAfter(chunk, answerOf(seen));
          index.put(placement.key, turn.clientTag, { ...placement.value, responseId: chunk.responseId });
          if (turn.restore !== undefined && turn.restore.key !== placement.key)
            index.finishTurn(turn.restore.key);
          placed = true;
        } else turn.keepUnfinished?.();
        yield chunk;
        return;
      }
      if (chunk.type === 'error') turn.keepUnfinished?.();
      if (chunk.type === 'text' || chunk.type === 'tool-call-start' || chunk.type === 'tool-call-delta')
        seen.push(chunk);
      yield chunk;
    }
  } finally {
    if (!placed) {
      try {
        await iterator.return?.();
      } catch {
        // Already finished.
      }
      // Not over a conversation a concurrent request on the same session completed meanwhile.
      if (turn.restore !== undefined && index !== undefined)
        index.put(turn.restore.key, turn.clientTag, turn.restore.value, { keepExisting: true });
      else await turn.conversation.close().catch(() => {});
    }
  }
}
