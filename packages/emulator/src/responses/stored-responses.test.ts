import { describe, expect, it } from 'vitest';
import { createStoredResponses } from './stored-responses.js';

const response = (id: string) => ({ id, input: [], output: [] });

describe('stored responses', () => {
  it('finds responses per account only', () => {
    const store = createStoredResponses();
    store.remember('a', response('resp_1'));
    expect(store.find('a', 'resp_1')).toEqual(response('resp_1'));
    expect(store.find('b', 'resp_1')).toBeUndefined();
    expect(store.find('a', 'resp_2')).toBeUndefined();
  });

  it('forgets the oldest responses and the least recently used accounts past the limits', () => {
    const store = createStoredResponses(2, 2);
    for (const id of ['resp_1', 'resp_2', 'resp_3']) store.remember('a', response(id));
    expect(store.find('a', 'resp_1')).toBeUndefined();
    expect(store.find('a', 'resp_3')).toBeDefined();
    store.remember('b', response('resp_b'));
    store.remember('a', response('resp_4'));
    store.remember('c', response('resp_c'));
    expect(store.find('b', 'resp_b')).toBeUndefined();
    expect(store.find('a', 'resp_4')).toBeDefined();
    expect(store.find('c', 'resp_c')).toBeDefined();
  });
});
