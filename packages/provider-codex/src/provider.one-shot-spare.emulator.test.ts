import type { ChatMessage } from '@codetether/responses-protocol';
import { describe, expect, it } from 'vitest';
import { providerFor, useEmulatorHarness } from './__fixtures__/emulator-harness.js';

/*
 * With `shareIdleWebSockets`, a request without a session id (`complete`, `completeStream`) takes the
 * idle socket an ended sharing conversation left behind instead of opening a WebSocket (a handshake);
 * without it, it opens its own.
 */

const harness = useEmulatorHarness();
const TIMEOUT = { timeout: 20_000 };

function userMessage(text: string): ChatMessage[] {
  return [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: text },
  ];
}

/** The WebSocket connection of each `/responses` frame, in order. */
function connectionIds(): Array<string | undefined> {
  return harness.responsesRequests().map((recorded) => recorded.connectionId);
}

/**
 * Runs one turn of a conversation without id, closes it, then sends a one-shot request; answers the
 * connection of the conversation's turn and those of the one-shot request.
 */
async function endedConversationThenOneShot(shareIdleWebSockets: boolean) {
  const provider = harness.track(
    providerFor(harness.emulator, 'chatgpt', 'websocket', { shareIdleWebSockets }),
  );
  const conversation = provider.createConversation({ model: 'gpt-5.4', instructions: 'You are terse.' });
  for await (const _chunk of conversation.send('[scenario:text] first')) {
    // drain
  }
  const conversationConnection = connectionIds().at(-1);
  expect(conversationConnection).toBeDefined();
  await conversation.close();
  harness.emulator.clearRequests();
  const answer = await provider.complete({ model: 'gpt-5.4', messages: userMessage('[scenario:text] hi') });
  expect(answer.text.length).toBeGreaterThan(0);
  return { conversationConnection, oneShotConnections: connectionIds() };
}

describe('one-shot requests and the spare sockets of ended conversations', () => {
  it('a one-shot request of a sharing provider reuses the ended conversation’s socket', TIMEOUT, async () => {
    const { conversationConnection, oneShotConnections } = await endedConversationThenOneShot(true);
    expect(oneShotConnections).toEqual([conversationConnection]);
  });

  it('without shareIdleWebSockets the one-shot request opens its own socket', TIMEOUT, async () => {
    const { conversationConnection, oneShotConnections } = await endedConversationThenOneShot(false);
    expect(oneShotConnections).toHaveLength(1);
    expect(oneShotConnections[0]).toBeDefined();
    expect(oneShotConnections[0]).not.toBe(conversationConnection);
  });
});
