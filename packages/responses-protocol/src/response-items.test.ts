import { describe, expect, it } from 'vitest';
import { correctedCallIds, serverCallIdFor, toInputItem, toolCallIdsOf } from './response-items.js';

describe('toInputItem', () => {
  it('keeps the id of an item_reference, which names the item by it', () => {
    const item = { type: 'item_reference', id: 'msg_1' };
    expect(toInputItem(item)).toBe(item);
  });

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

describe('correctedCallIds', () => {
  const callItem = (callId: string) => ({
    type: 'function_call',
    call_id: callId,
    name: 'f',
    arguments: '{}',
  });

  it('pairs, in order, the shown ids no item carries with the item ids no shown call has', () => {
    const corrections = correctedCallIds(
      [{ id: 'call_a' }, { id: 'call_same' }, { id: 'call_b' }],
      [callItem('call_a2'), callItem('call_same'), { type: 'reasoning' }, callItem('call_b2')],
    );
    expect([...corrections]).toEqual([
      ['call_a', 'call_a2'],
      ['call_b', 'call_b2'],
    ]);
  });

  it('pairs nothing when every id matches, or when the unmatched ids do not pair up one to one', () => {
    expect(correctedCallIds([{ id: 'call_a' }], [callItem('call_a')]).size).toBe(0);
    expect(correctedCallIds([{ id: 'call_a' }, { id: 'fc_no_call_id' }], [callItem('call_a2')]).size).toBe(0);
    expect(correctedCallIds([{ id: 'call_a' }], [{ type: 'message' }]).size).toBe(0);
  });
});

describe('serverCallIdFor', () => {
  it('keeps a known id, translates a corrected one, and leaves an unknown one as it is', () => {
    const corrections = new Map([
      ['call_seen', 'call_final'],
      ['call_known', 'call_other'],
    ]);
    const known = new Set(['call_final', 'call_known']);
    expect(serverCallIdFor('call_seen', known, corrections)).toBe('call_final');
    expect(serverCallIdFor('call_known', known, corrections)).toBe('call_known');
    expect(serverCallIdFor('call_unknown', known, corrections)).toBe('call_unknown');
  });
});
