import type { IndexedConversation } from '../conversation-index.js';

/**
 * An index entry whose conversation sends nothing and remembers whether it was closed.
 *
 * @param transcript - its transcript (also its conversation id)
 * @param responseId - its last response id, if any
 */
export function fakeIndexedConversation(
  transcript: string,
  responseId?: string,
): IndexedConversation & { closed: () => boolean } {
  let closed = false;
  return {
    conversation: {
      id: transcript,
      history: [],
      send: () => ({
        [Symbol.asyncIterator]: () => ({ next: async () => ({ done: true, value: undefined }) }),
      }),
      close: async () => {
        closed = true;
      },
    },
    transcript,
    settings: '{}',
    responseId,
    closed: () => closed,
  };
}
