import { describe, expect, it } from 'vitest';
import { inputItemsPage } from './input-items-page.js';
import { GatewayError } from './openai-error.js';

const ITEMS = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, type: 'message' }));
const ids = (query: Parameters<typeof inputItemsPage>[1]) =>
  inputItemsPage(ITEMS, query).data.map((item) => item.id);

describe('inputItemsPage', () => {
  it('pages newest first by default, oldest first with order=asc', () => {
    expect(ids({})).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect(inputItemsPage(ITEMS, { order: 'asc', limit: '2' })).toEqual({
      object: 'list',
      data: [ITEMS[0], ITEMS[1]],
      first_id: 'a',
      last_id: 'b',
      has_more: true,
    });
    expect(ids({ order: 'asc', limit: '2', after: 'b' })).toEqual(['c', 'd']);
    expect(inputItemsPage(ITEMS, { order: 'asc', limit: '2', after: 'd' }).has_more).toBe(false);
    expect(ids({ limit: '2', after: 'd' })).toEqual(['c', 'b']);
  });

  it('with before, the items right before it; with both cursors, the items between', () => {
    expect(ids({ order: 'asc', limit: '2', before: 'e' })).toEqual(['c', 'd']);
    expect(inputItemsPage(ITEMS, { order: 'asc', limit: '2', before: 'b' }).has_more).toBe(false);
    expect(ids({ order: 'asc', after: 'a', before: 'e' })).toEqual(['b', 'c', 'd']);
    expect(ids({ order: 'asc', after: 'd', before: 'b' })).toEqual([]);
    expect(inputItemsPage([], {})).toEqual({
      object: 'list',
      data: [],
      first_id: null,
      last_id: null,
      has_more: false,
    });
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '101' }, 'limit'],
    [{ limit: '1e2' }, 'limit'],
    [{ limit: '' }, 'limit'],
    [{ limit: '9'.repeat(400) }, 'limit'],
    [{ order: 'ASC' }, 'order'],
    [{ after: 'z' }, 'after'],
    [{ before: 'z'.repeat(10_000) }, 'before'],
  ])('refuses %j with a 400 naming %s', (query, param) => {
    let thrown: unknown;
    try {
      inputItemsPage(ITEMS, query);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GatewayError);
    expect(thrown).toMatchObject({ status: 400, param, code: 'invalid_value' });
    expect((thrown as Error).message.length).toBeLessThan(300);
  });
});
