import {
  buildResponsesInput,
  type ChatMessage,
  correctedCallIds,
  customToolCallIdsOf,
  type ResponseItem,
  serverCallIdFor,
  type ToolCall,
  toInputItem,
  toolCallIdsOf,
} from '@codetether/responses-protocol';

/**
 * What one turn of a conversation sends: a user's text, or a list of chat messages (user messages,
 * tool results…) and raw Responses items (anything with a `type`, e.g. `function_call_output`),
 * in order.
 */
export type ConversationInput = string | readonly (ChatMessage | ResponseItem)[];

/** What streamed in a turn, to rebuild its output when the response listed no output items. */
export interface StreamedAnswer {
  /** The answer text. */
  text: string;
  /** The tool calls, in the order they started. */
  toolCalls: ToolCall[];
}

function isChatMessage(entry: ChatMessage | ResponseItem): entry is ChatMessage {
  return !('type' in entry) && typeof entry.role === 'string';
}

/** A raw tool result item (`function_call_output`, `custom_tool_call_output`) and the call id it answers. */
function answeredCallIdOf(item: ResponseItem): string | undefined {
  if (item.type !== 'function_call_output' && item.type !== 'custom_tool_call_output') return undefined;
  return typeof item.call_id === 'string' ? item.call_id : undefined;
}

/**
 * The history of a conversation as Responses items, exactly as it goes into the next request's
 * input: the items sent and the output items received (reasoning with `encrypted_content`), item
 * ids stripped. It only grows when a turn completes: a failed or aborted turn leaves it as it was.
 * A tool result answering the id a call's chunks showed goes in under the id of the server's item
 * when the server corrected it (see `correctedCallIds`) — also after a rebuild from a saved history,
 * which holds no corrections: unknown answers are then paired with the calls still unanswered.
 */
export class ConversationHistory {
  private items: ResponseItem[];
  private readonly onWarning: ((message: string) => void) | undefined;
  /** Call id a turn's chunks showed → the id the server's finished item carries, where they differ. */
  private readonly corrections = new Map<string, string>();

  /**
   * @param initial - items to start from (e.g. a saved history); their ids are stripped
   * @param onWarning - told about dropped input (a tool result without its call)
   */
  constructor(initial: readonly ResponseItem[], onWarning: ((message: string) => void) | undefined) {
    this.items = initial.map(toInputItem);
    this.onWarning = onWarning;
  }

  /** The items, as a copy. */
  snapshot(): ResponseItem[] {
    return [...this.items];
  }

  /** Number of items. */
  get length(): number {
    return this.items.length;
  }

  /**
   * The items one turn adds: a string is one user message; chat messages are converted as
   * `buildResponsesInput` does (a tool result must answer a call of the history or of this input;
   * an assistant message's `outputItems` go in as they are); system and developer messages become
   * `developer` message items (the conversation's instructions stay as they were); raw items are
   * taken without their ids. A tool result (chat message or raw item) answering a call id the
   * server corrected goes in under the server's id.
   *
   * @param input - the turn's input
   */
  itemsFor(input: ConversationInput): ResponseItem[] {
    if (typeof input === 'string') {
      return [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: input }] }];
    }
    this.pairUnknownAnswers(input);
    const added: ResponseItem[] = [];
    const knownCallIds = new Set(toolCallIdsOf(this.items));
    const customCallIds = new Set(customToolCallIdsOf(this.items));
    for (const entry of input) {
      let converted: ResponseItem[];
      if (!isChatMessage(entry)) converted = [this.withServerCallId(toInputItem(entry), knownCallIds)];
      else if (entry.role === 'system' || entry.role === 'developer') {
        converted =
          entry.content.trim() === ''
            ? []
            : [
                {
                  type: 'message',
                  role: 'developer',
                  content: [{ type: 'input_text', text: entry.content }],
                },
              ];
      } else {
        converted = buildResponsesInput(
          [entry],
          this.onWarning,
          knownCallIds,
          this.corrections,
          customCallIds,
        );
      }
      for (const id of toolCallIdsOf(converted)) knownCallIds.add(id);
      for (const id of customToolCallIdsOf(converted)) customCallIds.add(id);
      added.push(...converted);
    }
    return added;
  }

  /**
   * Recovers corrections a rebuilt conversation lost: a history given to the constructor (a saved
   * `conversation.history`) holds the server's call ids, while the caller may answer the ids its chunks
   * showed. Tool results of `input` answering ids that neither the history, nor the input, nor a known
   * correction names are paired in order with the history's calls no result answers yet — only when they
   * are as many (the rule `correctedCallIds` applies to one response); otherwise nothing is paired and
   * such a result is dropped (chat message) or sent as is (raw item), as before.
   */
  private pairUnknownAnswers(input: readonly (ChatMessage | ResponseItem)[]): void {
    const answered: string[] = [];
    const madeInInput = new Set<string>();
    for (const entry of input) {
      if (!isChatMessage(entry)) {
        const answeredId = answeredCallIdOf(entry);
        if (answeredId !== undefined) answered.push(answeredId);
        for (const id of toolCallIdsOf([entry])) madeInInput.add(id);
      } else if (entry.role === 'tool') answered.push(entry.toolCallId);
      else if (entry.role === 'assistant') {
        for (const call of entry.toolCalls ?? []) madeInInput.add(call.id);
        for (const id of toolCallIdsOf(entry.outputItems ?? [])) madeInInput.add(id);
      }
    }
    const historyCallIds = new Set(toolCallIdsOf(this.items));
    const unknown = new Set(
      answered.filter((id) => !historyCallIds.has(id) && !madeInInput.has(id) && !this.corrections.has(id)),
    );
    if (unknown.size === 0) return;
    const answeredAlready = new Set(answered);
    for (const item of this.items) {
      const answeredId = answeredCallIdOf(item);
      if (answeredId !== undefined) answeredAlready.add(answeredId);
    }
    const pending = [...historyCallIds].filter((id) => !answeredAlready.has(id));
    if (pending.length !== unknown.size) return;
    for (const [index, shownId] of [...unknown].entries())
      this.corrections.set(shownId, pending[index] as string);
  }

  /** A raw tool result as it goes in: under the server's id when it answers a corrected call id. */
  private withServerCallId(item: ResponseItem, knownCallIds: ReadonlySet<string>): ResponseItem {
    const answeredId = answeredCallIdOf(item);
    if (answeredId === undefined) return item;
    const callId = serverCallIdFor(answeredId, knownCallIds, this.corrections);
    return callId === answeredId ? item : { ...item, call_id: callId };
  }

  /** The full input of a turn that adds `newItems`. */
  inputWith(newItems: readonly ResponseItem[]): ResponseItem[] {
    return [...this.items, ...newItems];
  }

  /**
   * Records a completed turn: its items, then the response's output items (ids stripped; an item a
   * server sent twice under one id once, at its first place, as last sent), or — when the response
   * listed none — its answer rebuilt from what streamed. Call ids the output items changed from
   * the streamed ones are remembered, so a later tool result may answer the streamed id.
   *
   * @returns the output items as recorded (what the next request's input repeats)
   */
  commit(
    newItems: readonly ResponseItem[],
    outputItems: readonly ResponseItem[] | undefined,
    streamed: StreamedAnswer,
  ): ResponseItem[] {
    let output: ResponseItem[];
    if (outputItems !== undefined && outputItems.length > 0) {
      output = withoutRepeatedIds(outputItems).map(toInputItem);
      for (const [shownId, serverId] of correctedCallIds(streamed.toolCalls, output))
        this.corrections.set(shownId, serverId);
    } else {
      output = buildResponsesInput([
        { role: 'assistant', content: streamed.text, toolCalls: streamed.toolCalls },
      ]);
    }
    this.items = [...this.items, ...newItems, ...output];
    return output;
  }

  /** Replaces the whole history (with a compacted one); ids are stripped. */
  replace(items: readonly ResponseItem[]): void {
    this.items = items.map(toInputItem);
  }
}

/**
 * The items with one entry per item id (at the first place the id appeared, as it was last sent);
 * items without an id are all kept. One response cannot hold two items of one id: the repeat is a
 * server's (or proxy's) replay, and recording it twice would send it twice in every later input.
 */
function withoutRepeatedIds(items: readonly ResponseItem[]): ResponseItem[] {
  const placeOfId = new Map<string, number>();
  const result: ResponseItem[] = [];
  for (const item of items) {
    const id = typeof item.id === 'string' && item.id !== '' ? item.id : undefined;
    const place = id === undefined ? undefined : placeOfId.get(id);
    if (place !== undefined) result[place] = item;
    else {
      if (id !== undefined) placeOfId.set(id, result.length);
      result.push(item);
    }
  }
  return result;
}

/** True when the items include a user message (the start of a new user turn, not a tool result). */
export function startsUserTurn(items: readonly ResponseItem[]): boolean {
  return items.some((item) => item.role === 'user' && (item.type === undefined || item.type === 'message'));
}
