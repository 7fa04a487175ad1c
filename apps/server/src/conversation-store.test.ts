import { describe, expect, it } from 'vitest';
import {
  CONVERSATION_OVERHEAD_BYTES,
  type ConversationEvictionReason,
  ConversationStore,
  ConversationStoreError,
} from './conversation-store.js';

const user = (text: string): Record<string, unknown> => ({
  type: 'message',
  role: 'user',
  content: [{ type: 'input_text', text }],
});

function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, advance: (ms) => (time += ms) };
}

describe('ConversationStore', () => {
  it('creates a conversation with ids, metadata and its first items, retrievable by its key only', () => {
    const time = clock(1_700_000_000_000);
    const store = new ConversationStore({}, time.now);
    const created = store.create('alice', { topic: 'demo' }, [
      user('hi'),
      { ...user('again'), id: 'msg_mine' },
    ]);
    expect(created).toEqual({
      id: expect.stringMatching(/^conv_[0-9a-f]{48}$/),
      object: 'conversation',
      created_at: 1_700_000_000,
      metadata: { topic: 'demo' },
    });
    expect(store.get('alice', created.id)).toEqual(created);
    expect(store.get('bob', created.id)).toBeUndefined();
    expect(store.items('bob', created.id)).toBeUndefined();
    const items = store.items('alice', created.id) ?? [];
    expect(items.map((item) => item.id)).toEqual([expect.stringMatching(/^msg_[0-9a-f]{48}$/), 'msg_mine']);
    expect(Object.keys(items[0]?.item ?? {})[0]).toBe('id');
    expect(store.item('alice', created.id, 'msg_mine')?.item).toMatchObject({ role: 'user' });
    expect(store.item('bob', created.id, 'msg_mine')).toBeUndefined();
  });

  it('gives a fresh id to an item whose id the conversation already has', () => {
    const store = new ConversationStore();
    const { id } = store.create('alice', {}, [{ ...user('a'), id: 'msg_same' }]);
    const added =
      store.addItems('alice', id, [
        { ...user('b'), id: 'msg_same' },
        { ...user('c'), id: 'msg_x' },
        { ...user('d'), id: 'msg_x' },
      ]) ?? [];
    expect(added[0]?.id).not.toBe('msg_same');
    expect(added[1]?.id).toBe('msg_x');
    expect(added[2]?.id).not.toBe('msg_x');
    expect(new Set(store.items('alice', id)?.map((item) => item.id)).size).toBe(4);
  });

  it('updates metadata, deletes items and conversations, and counts bytes exactly', () => {
    const store = new ConversationStore();
    const { id } = store.create('alice', {}, [user('one')]);
    const one = store.items('alice', id)?.[0];
    expect(store.bytes).toBe(CONVERSATION_OVERHEAD_BYTES + 2 + (one?.bytes ?? 0));
    expect(store.updateMetadata('alice', id, { a: 'b' })?.metadata).toEqual({ a: 'b' });
    expect(store.updateMetadata('bob', id, { a: 'c' })).toBeUndefined();
    expect(store.bytes).toBe(
      CONVERSATION_OVERHEAD_BYTES + JSON.stringify({ a: 'b' }).length + (one?.bytes ?? 0),
    );
    expect(store.deleteItem('bob', id, one?.id ?? '')).toBeUndefined();
    expect(store.deleteItem('alice', id, one?.id ?? '')?.id).toBe(id);
    expect(store.deleteItem('alice', id, one?.id ?? '')).toBeUndefined();
    expect(store.items('alice', id)).toEqual([]);
    expect(store.delete('bob', id)).toBe(false);
    expect(store.delete('alice', id)).toBe(true);
    expect(store.delete('alice', id)).toBe(false);
    expect(store.get('alice', id)).toBeUndefined();
    expect(store.size).toBe(0);
    expect(store.bytes).toBe(0);
  });

  it('forgets conversations unused for maxAgeMs; using one keeps it', () => {
    const time = clock();
    const evictions: ConversationEvictionReason[] = [];
    const store = new ConversationStore({ maxAgeMs: 1_000 }, time.now, (reason) => evictions.push(reason));
    const kept = store.create('alice', {}, []);
    const dropped = store.create('alice', {}, []);
    time.advance(900);
    expect(store.get('alice', kept.id)).toBeDefined();
    time.advance(200);
    expect(store.get('alice', dropped.id)).toBeUndefined();
    expect(store.get('alice', kept.id)).toBeDefined();
    time.advance(1_001);
    expect(store.size).toBe(1);
    store.create('bob', {}, []);
    expect(store.get('alice', kept.id)).toBeUndefined();
    expect(evictions).toEqual(['age', 'age']);
  });

  it('beyond the count limit drops the least recently used conversation of the key holding the most', () => {
    const evictions: ConversationEvictionReason[] = [];
    const store = new ConversationStore({ maxConversations: 3 }, Date.now, (reason) =>
      evictions.push(reason),
    );
    const bob = store.create('bob', {}, []);
    const first = store.create('alice', {}, []);
    const second = store.create('alice', {}, []);
    store.get('alice', first.id);
    store.create('alice', {}, []);
    expect(store.get('bob', bob.id)).toBeDefined();
    expect(store.get('alice', second.id)).toBeUndefined();
    expect(store.get('alice', first.id)).toBeDefined();
    expect(store.size).toBe(3);
    expect(evictions).toEqual(['count']);
  });

  it('beyond the byte limit drops conversations of the key holding the most bytes', () => {
    const evictions: ConversationEvictionReason[] = [];
    const store = new ConversationStore({ maxBytes: 4_000 }, Date.now, (reason) => evictions.push(reason));
    const bob = store.create('bob', {}, [user('b'.repeat(500))]);
    const old = store.create('alice', {}, [user('a'.repeat(1_000))]);
    const recent = store.create('alice', {}, [user('a'.repeat(1_000))]);
    store.create('alice', {}, [user('a'.repeat(1_000))]);
    expect(store.get('alice', old.id)).toBeUndefined();
    expect(store.get('alice', recent.id)).toBeDefined();
    expect(store.get('bob', bob.id)).toBeDefined();
    expect(store.bytes).toBeLessThanOrEqual(4_000);
    expect(evictions).toEqual(['bytes']);
  });

  it('refuses a conversation or items that alone would pass the byte limit, changing nothing', () => {
    const store = new ConversationStore({ maxBytes: 2_000 });
    expect(() => store.create('alice', {}, [user('x'.repeat(3_000))])).toThrow(ConversationStoreError);
    expect(store.size).toBe(0);
    const { id } = store.create('alice', {}, [user('small')]);
    const bytes = store.bytes;
    try {
      store.addItems('alice', id, [user('x'.repeat(3_000))]);
      expect.unreachable();
    } catch (error) {
      expect((error as ConversationStoreError).code).toBe('conversation_too_large');
    }
    expect(store.bytes).toBe(bytes);
    expect(() => store.startTurn('alice', id, 3_000)).toThrow(/more than this gateway keeps/);
    expect(store.startTurn('alice', id, 10)).toBeDefined();
  });

  it('holds a conversation for one running response at a time; complete appends, release does not', () => {
    const time = clock();
    const store = new ConversationStore({ maxAgeMs: 60_000 }, time.now);
    const { id } = store.create('alice', {}, [user('first')]);
    expect(store.startTurn('bob', id)).toBeUndefined();
    const turn = store.startTurn('alice', id);
    expect(turn?.items.map((item) => item.item.role)).toEqual(['user']);
    expect(() => store.startTurn('alice', id)).toThrow(
      expect.objectContaining({ code: 'conversation_locked' }) as Error,
    );
    const appended = turn?.complete([
      user('second'),
      { type: 'message', role: 'assistant', id: 'msg_model', content: [] },
    ]);
    expect(appended?.map((item) => item.id)).toEqual([expect.stringMatching(/^msg_/), 'msg_model']);
    expect(turn?.complete([user('again')])).toEqual([]);
    expect(store.items('alice', id)).toHaveLength(3);
    const failed = store.startTurn('alice', id);
    failed?.release();
    failed?.release();
    expect(failed?.complete([user('late')])).toEqual([]);
    expect(store.items('alice', id)).toHaveLength(3);
    expect(store.startTurn('alice', id)).toBeDefined();
  });

  it('a turn never released stops holding the conversation after maxAgeMs', () => {
    const time = clock();
    const store = new ConversationStore({ maxAgeMs: 1_000 }, time.now);
    const { id } = store.create('alice', {}, []);
    const stuck = store.startTurn('alice', id);
    time.advance(999);
    expect(() => store.startTurn('alice', id)).toThrow(ConversationStoreError);
    time.advance(2);
    const next = store.startTurn('alice', id);
    expect(next).toBeDefined();
    expect(stuck?.complete([user('stale')])).toEqual([]);
    expect(next?.complete([user('fresh')])).toHaveLength(1);
  });

  it('a conversation deleted while its response runs gets nothing appended', () => {
    const store = new ConversationStore();
    const { id } = store.create('alice', {}, []);
    const turn = store.startTurn('alice', id);
    store.delete('alice', id);
    expect(turn?.complete([user('x')])).toEqual([]);
    expect(store.size).toBe(0);
    expect(store.bytes).toBe(0);
  });

  it('close drops everything', () => {
    const store = new ConversationStore();
    store.create('alice', {}, [user('x')]);
    store.close();
    expect(store.size).toBe(0);
    expect(store.bytes).toBe(0);
  });
});
