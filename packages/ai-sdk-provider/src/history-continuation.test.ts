import { describe, expect, it } from 'vitest';
import { itemsAfterHistory } from './history-continuation.js';

const user = { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Weather?' }] };
const reasoning = { type: 'reasoning', summary: [], encrypted_content: 'gAAAAA-sealed' };
const call = {
  type: 'function_call',
  call_id: 'call_1',
  name: 'get_weather',
  arguments: '{"city": "Paris"}',
};
const result = { type: 'function_call_output', call_id: 'call_1', output: '21C' };

describe('itemsAfterHistory', () => {
  it('returns the items after a history the input repeats by meaning (ids, status, spacing aside)', () => {
    const history = [user, { ...reasoning, id: 'rs_1' }, { ...call, id: 'fc_1', status: 'completed' }];
    const input = [user, reasoning, { ...call, arguments: '{"city":"Paris"}' }, result];
    expect(itemsAfterHistory(history, input)).toEqual([result]);
  });

  it('skips empty assistant messages on both sides', () => {
    const empty = { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: '' }] };
    expect(itemsAfterHistory([user, empty, call], [user, call, result])).toEqual([result]);
  });

  it('is undefined for an edited, shorter or equal input', () => {
    const edited = { ...user, content: [{ type: 'input_text', text: 'Other?' }] };
    expect(itemsAfterHistory([user, call], [edited, call, result])).toBeUndefined();
    expect(itemsAfterHistory([user, call], [user])).toBeUndefined();
    expect(itemsAfterHistory([user, call], [user, call])).toBeUndefined();
    expect(
      itemsAfterHistory([user, reasoning], [user, { ...reasoning, encrypted_content: 'x' }, result]),
    ).toBe(undefined);
  });
});
