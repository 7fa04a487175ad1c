import { describe, expect, it } from 'vitest';
import { StoredChatCompletionStore } from './stored-chat-completions.js';

const TAG = 'tag';

function completion(id: string, text = 'answer') {
  return {
    id,
    object: 'chat.completion',
    model: 'gpt-5.4',
    choices: [{ index: 0, message: { role: 'assistant', content: text } }],
  };
}

function storeWith(limits: ConstructorParameters<typeof StoredChatCompletionStore>[0] = {}) {
  let now = 1_000;
  const store = new StoredChatCompletionStore(limits, () => now);
  return { store, advance: (ms: number) => (now += ms) };
}

describe('StoredChatCompletionStore', () => {
  it('keeps a completion per key, with its metadata and its messages as OpenAI lists them', () => {
    const { store } = storeWith();
    store.put(
      TAG,
      completion('chatcmpl-1'),
      [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is ' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
            { type: 'text', text: 'this?' },
          ],
        },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1' }] },
      ],
      { run: 'a' },
    );
    expect(store.get(TAG, 'chatcmpl-1')).toMatchObject({ id: 'chatcmpl-1', metadata: { run: 'a' } });
    expect(store.get('other', 'chatcmpl-1')).toBeUndefined();
    expect(store.messages(TAG, 'chatcmpl-1')).toEqual([
      { id: 'chatcmpl-1-0', role: 'system', content: 'Be brief.', content_parts: null },
      {
        id: 'chatcmpl-1-1',
        role: 'user',
        content: 'What is this?',
        content_parts: [
          { type: 'text', text: 'What is ' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
          { type: 'text', text: 'this?' },
        ],
      },
      {
        id: 'chatcmpl-1-2',
        role: 'assistant',
        content: null,
        content_parts: null,
        tool_calls: [{ id: 'call_1' }],
      },
    ]);
    // An answer's metadata is a copy: changing it changes nothing stored.
    const answer = store.get(TAG, 'chatcmpl-1') as { metadata: Record<string, string> };
    answer.metadata.run = 'changed';
    expect(store.get(TAG, 'chatcmpl-1')).toMatchObject({ metadata: { run: 'a' } });
  });

  it('forgets the oldest beyond the count, the bytes or the age', () => {
    const counted = storeWith({ maxCompletions: 2 });
    for (const id of ['a', 'b', 'c']) counted.store.put(TAG, completion(id), [], {});
    expect(counted.store.get(TAG, 'a')).toBeUndefined();
    expect(counted.store.size).toBe(2);

    const one = storeWith();
    one.store.put(TAG, completion('probe', 'x'.repeat(1000)), [], {});
    const bytes = one.store.bytes;
    const sized = storeWith({ maxBytes: Math.round(bytes * 2.5) });
    for (const id of ['a', 'b', 'c']) sized.store.put(TAG, completion(id, 'x'.repeat(1000)), [], {});
    expect(sized.store.get(TAG, 'a')).toBeUndefined();
    expect(sized.store.get(TAG, 'c')).toBeDefined();
    expect(sized.store.bytes).toBeLessThanOrEqual(Math.round(bytes * 2.5));
    // One larger than the whole store is not kept, and evicts nothing.
    sized.store.put(TAG, completion('huge', 'x'.repeat(10_000)), [], {});
    expect(sized.store.get(TAG, 'huge')).toBeUndefined();
    expect(sized.store.get(TAG, 'c')).toBeDefined();

    const aged = storeWith({ maxAgeMs: 1_000 });
    aged.store.put(TAG, completion('old'), [], {});
    aged.advance(600);
    aged.store.put(TAG, completion('new'), [], {});
    aged.advance(600);
    expect(aged.store.get(TAG, 'old')).toBeUndefined();
    expect(aged.store.get(TAG, 'new')).toBeDefined();
  });

  it('updates metadata and deletes, only for the key that stored it', () => {
    const { store } = storeWith();
    store.put(TAG, completion('chatcmpl-1'), [], { a: '1' });
    expect(store.updateMetadata('other', 'chatcmpl-1', {})).toBeUndefined();
    expect(store.updateMetadata(TAG, 'chatcmpl-1', { b: '2' })).toMatchObject({ metadata: { b: '2' } });
    expect(store.list(TAG, { metadata: { b: '2' } })).toHaveLength(1);
    expect(store.list(TAG, { metadata: { a: '1' } })).toHaveLength(0);
    expect(store.delete('other', 'chatcmpl-1')).toBe(false);
    expect(store.delete(TAG, 'chatcmpl-1')).toBe(true);
    expect(store.bytes).toBe(0);
    expect(store.delete(TAG, 'chatcmpl-1')).toBe(false);
  });
});
