import { describe, expect, it } from 'vitest';
import { toInputItem, toolCallIdsOf } from './response-items.js';

describe('toInputItem', () => {
  it('drops the id and keeps every other field (encrypted_content included)', () => {
    const item = { id: 'rs_1', type: 'reasoning', summary: [], encrypted_content: 'gAAAAAB' };
    expect(toInputItem(item)).toEqual({ type: 'reasoning', summary: [], encrypted_content: 'gAAAAAB' });
    expect(item.id).toBe('rs_1');
  });

  it('returns an item without an id as it is', () => {
    const item = { type: 'function_call_output', call_id: 'call_1', output: 'ok' };
    expect(toInputItem(item)).toBe(item);
  });
});

describe('toolCallIdsOf', () => {
  it('lists the call ids of function and custom tool calls only', () => {
    expect(
      toolCallIdsOf([
        { type: 'function_call', call_id: 'call_1' },
        { type: 'custom_tool_call', call_id: 'call_2' },
        { type: 'function_call_output', call_id: 'call_1' },
        { type: 'function_call', call_id: 7 },
      ]),
    ).toEqual(['call_1', 'call_2']);
  });
});
