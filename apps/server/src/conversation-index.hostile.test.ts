import { describe, expect, it } from 'vitest';
import { fakeIndexedConversation } from './__fixtures__/fake-indexed-conversation.js';
import { ConversationIndex, clientTagOf } from './conversation-index.js';

const entry = fakeIndexedConversation;

const alice = clientTagOf('Bearer alice-key');
const bob = clientTagOf('Bearer bob-key');
const mallory = clientTagOf('Bearer mallory-key');

describe('ConversationIndex against a key that opens conversation after conversation', () => {
  it('evicts that key’s own conversations, never the other keys’ ones', () => {
    const index = new ConversationIndex({ maxEntries: 4, maxAgeMs: 60_000, maxBytes: 1_000_000 });
    const alicesConversation = entry('alice: hello');
    const bobsConversation = entry('bob: hello');
    index.put(ConversationIndex.transcriptKey(alice, 'alice'), alice, alicesConversation);
    index.put(ConversationIndex.transcriptKey(bob, 'bob'), bob, bobsConversation);
    const mallorys = Array.from({ length: 1_000 }, (_, number) => entry(`mallory ${number}`));
    for (const [number, conversation] of mallorys.entries())
      index.put(ConversationIndex.transcriptKey(mallory, String(number)), mallory, conversation);
    expect(index.size).toBe(4);
    expect(alicesConversation.closed() || bobsConversation.closed()).toBe(false);
    expect(index.take(ConversationIndex.transcriptKey(alice, 'alice'), () => true)).toBe(alicesConversation);
    expect(index.take(ConversationIndex.transcriptKey(bob, 'bob'), () => true)).toBe(bobsConversation);
    // Mallory keeps her two most recent ones; every other one was closed (its upstream socket with it).
    expect(mallorys.filter((conversation) => !conversation.closed()).map((kept) => kept.transcript)).toEqual([
      'mallory 998',
      'mallory 999',
    ]);
  });

  it('keeps the histories it remembers within a byte budget, evicting the key that holds the most', () => {
    const index = new ConversationIndex({ maxEntries: 1_000, maxAgeMs: 60_000, maxBytes: 10_000 });
    const alicesConversation = entry(`alice ${'a'.repeat(1_000)}`);
    index.put('alice-key', alice, alicesConversation);
    const huge = 'm'.repeat(3_000);
    const mallorys = Array.from({ length: 100 }, (_, number) => entry(`${number} ${huge}`));
    for (const [number, conversation] of mallorys.entries())
      index.put(`mallory-${number}`, mallory, conversation);
    expect(index.bytes).toBeLessThanOrEqual(10_000);
    expect(alicesConversation.closed()).toBe(false);
    expect(mallorys.filter((conversation) => !conversation.closed())).toHaveLength(2);
  });

  it('does not keep one conversation larger than the whole budget (its next turn goes up in full)', () => {
    const index = new ConversationIndex({ maxEntries: 10, maxAgeMs: 60_000, maxBytes: 100 });
    const small = entry('small');
    const tooLarge = entry('x'.repeat(101));
    index.put('small', alice, small);
    index.put('large', mallory, tooLarge);
    expect(tooLarge.closed()).toBe(true);
    expect(small.closed()).toBe(false);
    expect(index.size).toBe(1);
    expect(index.bytes).toBe('small'.length);
  });

  it('counts bytes out again when conversations are taken, replaced or expire', () => {
    let now = 0;
    const index = new ConversationIndex({ maxEntries: 10, maxAgeMs: 1_000, maxBytes: 1_000 }, () => now);
    index.put('a', alice, entry('12345'));
    index.put('b', bob, entry('1234567890'));
    expect(index.bytes).toBe(15);
    index.take('a', () => true);
    expect(index.bytes).toBe(10);
    index.put('b', bob, entry('123'));
    expect(index.bytes).toBe(3);
    now = 5_000;
    expect(index.has('b')).toBe(true);
    index.put('c', alice, entry('12'));
    expect(index.bytes).toBe(2);
  });
});

describe('ConversationIndex with two requests on one session at once', () => {
  it('tells a running turn from a new session until the turn puts its conversation back', () => {
    let now = 0;
    const index = new ConversationIndex({ maxEntries: 10, maxAgeMs: 1_000 }, () => now);
    const key = ConversationIndex.sessionKey(alice, 'session');
    index.put(key, alice, entry('first'));
    index.take(key, () => true);
    index.startTurn(key);
    expect(index.isRunning(key)).toBe(true);
    index.put(key, alice, entry('second'));
    expect(index.isRunning(key)).toBe(false);
    index.startTurn(key);
    index.finishTurn(key);
    expect(index.isRunning(key)).toBe(false);
    // A turn whose stream was never read leaves its mark no longer than the age limit.
    index.startTurn(key);
    now = 5_000;
    index.put('other', alice, entry('other'));
    expect(index.isRunning(key)).toBe(false);
  });

  it('gives a failed turn’s conversation back, but never over one a concurrent request completed', () => {
    const index = new ConversationIndex({ maxEntries: 10, maxAgeMs: 60_000 });
    const key = ConversationIndex.sessionKey(alice, 'session');
    const completed = entry('completed meanwhile');
    const failed = entry('failed');
    index.put(key, alice, completed);
    index.put(key, alice, failed, { keepExisting: true });
    expect(failed.closed()).toBe(true);
    expect(completed.closed()).toBe(false);
    expect(index.take(key, () => true)).toBe(completed);
    index.put(key, alice, failed, { keepExisting: true });
    expect(index.take(key, () => true)).toBe(failed);
  });

  it('lets the same key, never another, fork a response whose turn runs', () => {
    const index = new ConversationIndex({ maxEntries: 10, maxAgeMs: 60_000 });
    const key = ConversationIndex.transcriptKey(alice, 'opening');
    const history = [{ type: 'message', role: 'user', content: 'opening' }];
    index.startTurn(key, { clientTag: alice, responseId: 'resp_1', history });
    expect(index.runningResponse(alice, 'resp_1')?.history).toBe(history);
    expect(index.runningResponse(mallory, 'resp_1')).toBeUndefined();
    expect(index.runningResponse(alice, 'resp_2')).toBeUndefined();
    index.finishTurn(key);
    expect(index.runningResponse(alice, 'resp_1')).toBeUndefined();
  });
});
