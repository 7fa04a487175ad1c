import type { RecordedRequest } from '@codetether/emulator';
import { describe, expect, it } from 'vitest';
import { collect, providerFor, useEmulatorHarness } from './__fixtures__/emulator-harness.js';

const harness = useEmulatorHarness();
const TIMEOUT = { timeout: 30_000 };

function turnRequests(): RecordedRequest[] {
  return harness.responsesRequests().filter((request) => request.body !== undefined);
}

describe('a continued conversation whose socket dies mid-answer (emulator)', () => {
  it(
    'reports the cut turn once, keeps the history, then resends in full and continues again',
    TIMEOUT,
    async () => {
      harness.emulator.setOptions({ webSocketCloseAfterEvents: 7 });
      const provider = harness.track(providerFor(harness.emulator, 'chatgpt', 'websocket'));
      const conversation = provider.createConversation({ model: 'gpt-5.4' });
      expect((await collect(conversation.send('one'))).at(-1)).toMatchObject({ type: 'done' });
      expect((await collect(conversation.send('two'))).at(-1)).toMatchObject({ type: 'done' });
      const cut = await collect(conversation.send('[scenario:ws-close-1006] three'));
      expect(cut.filter((chunk) => chunk.type === 'error')).toHaveLength(1);
      expect(cut.at(-1)?.type).toBe('error');
      expect(cut.some((chunk) => chunk.type !== 'error')).toBe(true);
      expect(conversation.history).toHaveLength(4);
      expect((await collect(conversation.send('four'))).at(-1)).toMatchObject({ type: 'done' });
      expect((await collect(conversation.send('five'))).at(-1)).toMatchObject({ type: 'done' });
      const requests = turnRequests();
      expect(
        requests.map((request) => [request.previousResponseId !== undefined, request.inputItems]),
      ).toEqual([
        [false, 1],
        [true, 1],
        [true, 1],
        [false, 5],
        [true, 1],
      ]);
      expect(requests[3]?.connectionId).not.toBe(requests[2]?.connectionId);
      expect(conversation.history).toHaveLength(8);
    },
  );
});
