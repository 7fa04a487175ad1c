import { describe, expect, it } from 'vitest';
import { fakeIndexedConversation } from './__fixtures__/fake-indexed-conversation.js';
import { ConversationIndex } from './conversation-index.js';
import { rebuildResponse, storedResponseBytes, storeResponse } from './stored-response.js';

const SETTINGS = JSON.stringify({ model: 'gpt-5.4', instructions: 'x'.repeat(10_000), tools: [] });

/** An index entry whose last response is stored. */
function entryWithResponse(transcript: string, responseId: string) {
  const entry = fakeIndexedConversation(transcript, responseId);
  entry.settings = SETTINGS;
  entry.response = storeResponse(
    { id: responseId, object: 'response', instructions: 'x'.repeat(10_000), tools: [], output: [] },
    [{ type: 'message', role: 'user', content: 'hello' }],
    SETTINGS,
    JSON.parse(SETTINGS),
  );
  return entry;
}

describe('stored responses in the ConversationIndex', () => {
  it('keeps what rebuilds the response, without the settings it echoes, counted in the bytes', () => {
    const entry = entryWithResponse('t', 'resp_1');
    const stored = entry.response;
    if (stored === undefined) throw new Error('no stored response');
    expect(storedResponseBytes(stored)).toBeLessThan(500);
    expect(rebuildResponse(stored)).toEqual({
      id: 'resp_1',
      object: 'response',
      instructions: 'x'.repeat(10_000),
      tools: [],
      output: [],
    });
    const index = new ConversationIndex({ maxEntries: 10, maxAgeMs: 60_000 });
    index.put('k', 'client', entry);
    expect(index.bytes).toBe(1 + storedResponseBytes(stored));
    index.forgetResponse('client', 'resp_1');
    expect(index.bytes).toBe(0);
  });

  it('finds a response only for its own client, and forgets it (closing its conversation)', () => {
    const index = new ConversationIndex({ maxEntries: 10, maxAgeMs: 60_000 });
    const entry = entryWithResponse('t', 'resp_1');
    index.put('k', 'alice', entry);
    expect(index.findResponse('bob', 'resp_1')).toBeUndefined();
    expect(index.forgetResponse('bob', 'resp_1')).toBe(false);
    expect(index.findResponse('alice', 'resp_1')).toBe(entry.response);
    expect(index.forgetResponse('alice', 'resp_1')).toBe(true);
    expect(entry.closed()).toBe(true);
    expect(index.findResponse('alice', 'resp_1')).toBeUndefined();
    expect(index.takeByResponseId('alice', 'resp_1')).toBeUndefined();
    expect(index.forgetResponse('alice', 'resp_1')).toBe(false);
  });

  it('forgets a response a running turn continues: a failed turn does not put it back', () => {
    const index = new ConversationIndex({ maxEntries: 10, maxAgeMs: 60_000 });
    const entry = entryWithResponse('t', 'resp_1');
    index.put('k', 'alice', entry);
    const taken = index.takeByResponseId('alice', 'resp_1');
    if (taken === undefined) throw new Error('not taken');
    index.startTurn('k', { clientTag: 'alice', responseId: 'resp_1', history: [], stored: taken.response });
    expect(index.findResponse('alice', 'resp_1')).toBe(entry.response);
    expect(index.forgetResponse('bob', 'resp_1')).toBe(false);
    expect(index.forgetResponse('alice', 'resp_1')).toBe(true);
    expect(index.findResponse('alice', 'resp_1')).toBeUndefined();
    expect(index.runningResponse('alice', 'resp_1')).toBeUndefined();
    index.put('k', 'alice', taken, { keepExisting: true });
    expect(entry.closed()).toBe(true);
    expect(index.size).toBe(0);
  });

  it('keeps the turn’s new response when the deleted one’s turn completes', () => {
    const index = new ConversationIndex({ maxEntries: 10, maxAgeMs: 60_000 });
    index.put('k', 'alice', entryWithResponse('t', 'resp_1'));
    const taken = index.takeByResponseId('alice', 'resp_1');
    index.startTurn('k', { clientTag: 'alice', responseId: 'resp_1', history: [], stored: taken?.response });
    index.forgetResponse('alice', 'resp_1');
    const next = entryWithResponse('t2', 'resp_2');
    index.put('k', 'alice', next);
    expect(next.closed()).toBe(false);
    expect(index.findResponse('alice', 'resp_2')).toBe(next.response);
    expect(index.findResponse('alice', 'resp_1')).toBeUndefined();
  });

  it('forgets responses that expired with their conversation', () => {
    let now = 0;
    const index = new ConversationIndex({ maxEntries: 10, maxAgeMs: 1_000 }, () => now);
    index.put('k', 'alice', entryWithResponse('t', 'resp_1'));
    now = 2_000;
    expect(index.findResponse('alice', 'resp_1')).toBeUndefined();
    expect(index.size).toBe(0);
  });
});
