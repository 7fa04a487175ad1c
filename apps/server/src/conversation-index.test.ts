import { describe, expect, it } from 'vitest';
import { fakeIndexedConversation } from './__fixtures__/fake-indexed-conversation.js';
import { ConversationIndex, clientTagOf } from './conversation-index.js';

const entry = fakeIndexedConversation;

describe('ConversationIndex', () => {
  it('keys conversations per client: another key never finds them', () => {
    const index = new ConversationIndex({ maxEntries: 10, maxAgeMs: 60_000 });
    const alice = clientTagOf('Bearer alice-key');
    const bob = clientTagOf('Bearer bob-key');
    expect(alice).not.toBe(bob);
    index.put(ConversationIndex.transcriptKey(alice, 'same opening'), alice, entry('same opening', 'resp_1'));
    expect(index.take(ConversationIndex.transcriptKey(bob, 'same opening'), () => true)).toBeUndefined();
    expect(index.takeByResponseId(bob, 'resp_1')).toBeUndefined();
    expect(index.takeByResponseId(alice, 'resp_1')?.transcript).toBe('same opening');
    expect(index.size).toBe(0);
  });

  it('hands a conversation out only when the full transcript matches', () => {
    const index = new ConversationIndex({ maxEntries: 10, maxAgeMs: 60_000 });
    const key = ConversationIndex.transcriptKey('client', 'a');
    index.put(key, 'client', entry('a'));
    expect(index.take(key, (found) => found.transcript === 'b')).toBeUndefined();
    expect(index.take(key, (found) => found.transcript === 'a')?.transcript).toBe('a');
  });

  it('closes the least recently used beyond the size limit and the expired ones', () => {
    let now = 0;
    const index = new ConversationIndex({ maxEntries: 2, maxAgeMs: 1_000 }, () => now);
    const [first, second, third] = [entry('1'), entry('2'), entry('3')];
    index.put('k1', 'c', first);
    index.put('k2', 'c', second);
    index.put('k3', 'c', third);
    expect(first.closed()).toBe(true);
    expect(index.size).toBe(2);
    now = 2_000;
    expect(index.take('k3', () => true)).toBeUndefined();
    expect(second.closed() && third.closed()).toBe(true);
  });
});
