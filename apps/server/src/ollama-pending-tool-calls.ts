import type { ToolCall } from '@codetether/responses-protocol';

/** Indexes of calls in order, with a cursor past those already answered. */
interface CallQueue {
  indexes: number[];
  cursor: number;
}

/** The tool calls of an assistant message that tool messages have not answered yet. */
export interface PendingToolCalls {
  /**
   * Takes the call a tool message without a known call id answers: the earliest unanswered one
   * with `name`, else the earliest unanswered one; undefined when every call is answered.
   */
  takeByName(name: string | undefined): ToolCall | undefined;
  /** Takes the earliest unanswered call with `id` (only); undefined when there is none. */
  takeById(id: string): ToolCall | undefined;
}

function queueIn(queues: Map<string, CallQueue>, key: string): CallQueue {
  let queue = queues.get(key);
  if (queue === undefined) {
    queue = { indexes: [], cursor: 0 };
    queues.set(key, queue);
  }
  return queue;
}

/**
 * Tracks `calls` for pairing with tool messages in time linear in the calls and messages (a body of
 * many calls and many tool messages must not cost their product). Keys live in `Map`s, so names such
 * as `__proto__` are ordinary names.
 *
 * @param calls - the assistant message's tool calls, in order
 */
export function createPendingToolCalls(calls: readonly ToolCall[]): PendingToolCalls {
  const answered = new Array<boolean>(calls.length).fill(false);
  const all: CallQueue = { indexes: calls.map((_, index) => index), cursor: 0 };
  const byId = new Map<string, CallQueue>();
  const byName = new Map<string, CallQueue>();
  calls.forEach((call, index) => {
    queueIn(byId, call.id).indexes.push(index);
    queueIn(byName, call.name).indexes.push(index);
  });
  const firstUnanswered = (queue: CallQueue | undefined): number | undefined => {
    if (queue === undefined) return undefined;
    while (queue.cursor < queue.indexes.length && answered[queue.indexes[queue.cursor] ?? 0] === true)
      queue.cursor += 1;
    return queue.indexes[queue.cursor];
  };
  const answer = (index: number | undefined): ToolCall | undefined => {
    if (index === undefined) return undefined;
    answered[index] = true;
    return calls[index];
  };
  return {
    takeByName(name) {
      return answer(
        (name === undefined ? undefined : firstUnanswered(byName.get(name))) ?? firstUnanswered(all),
      );
    },
    takeById(id) {
      return answer(firstUnanswered(byId.get(id)));
    },
  };
}
