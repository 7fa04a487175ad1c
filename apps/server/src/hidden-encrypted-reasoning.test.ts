import { describe, expect, it } from 'vitest';
import {
  asksForEncryptedReasoning,
  eventWithoutEncryptedReasoning,
  responseWithoutEncryptedReasoning,
} from './hidden-encrypted-reasoning.js';

const reasoning = { id: 'rs_1', type: 'reasoning', summary: [], encrypted_content: 'gAAAAA-sealed' };
const message = { id: 'msg_1', type: 'message', role: 'assistant', content: [] };

describe('asksForEncryptedReasoning', () => {
  it('is true only when include lists reasoning.encrypted_content', () => {
    expect(asksForEncryptedReasoning({ include: ['reasoning.encrypted_content'] })).toBe(true);
    expect(asksForEncryptedReasoning({ include: ['message.output_text.logprobs'] })).toBe(false);
    expect(asksForEncryptedReasoning({})).toBe(false);
    expect(asksForEncryptedReasoning({ include: 'reasoning.encrypted_content' })).toBe(false);
    expect(asksForEncryptedReasoning({ include: null })).toBe(false);
  });
});

describe('eventWithoutEncryptedReasoning', () => {
  it('gives a copy of an item event without the encrypted content, leaving the event unchanged', () => {
    const event = { type: 'response.output_item.done', output_index: 0, item: reasoning };
    const shown = eventWithoutEncryptedReasoning(event);
    expect(shown).toEqual({
      type: 'response.output_item.done',
      output_index: 0,
      item: { id: 'rs_1', type: 'reasoning', summary: [] },
    });
    expect(event.item).toBe(reasoning);
    expect(reasoning.encrypted_content).toBe('gAAAAA-sealed');
  });

  it('gives a copy of a response event whose output holds encrypted reasoning', () => {
    const response = { id: 'resp_1', status: 'completed', output: [reasoning, message] };
    const event = { type: 'response.completed', response };
    const shown = eventWithoutEncryptedReasoning(event) as { response: { output: unknown[] } };
    expect(shown.response.output).toEqual([{ id: 'rs_1', type: 'reasoning', summary: [] }, message]);
    expect(shown.response.output[1]).toBe(message);
    expect(event.response).toBe(response);
    expect(response.output[0]).toBe(reasoning);
    expect(reasoning).toHaveProperty('encrypted_content');
  });

  it('returns any other event itself (no copy)', () => {
    const events: unknown[] = [
      { type: 'response.output_text.delta', delta: 'hi' },
      { type: 'response.output_item.added', item: { id: 'rs_1', type: 'reasoning', summary: [] } },
      { type: 'response.created', response: { id: 'resp_1', output: [message] } },
      { type: 'response.created', response: { id: 'resp_1' } },
      { type: 'response.output_item.done', item: { type: 'compaction', encrypted_content: 'x' } },
      'not an event',
      null,
    ];
    for (const event of events) expect(eventWithoutEncryptedReasoning(event)).toBe(event);
  });
});

describe('responseWithoutEncryptedReasoning', () => {
  it('copies a response only when it has something to hide', () => {
    const plain = { id: 'resp_1', output: [message] };
    expect(responseWithoutEncryptedReasoning(plain)).toBe(plain);
    const withReasoning = { id: 'resp_2', output: [reasoning], usage: { total_tokens: 3 } };
    expect(responseWithoutEncryptedReasoning(withReasoning)).toEqual({
      id: 'resp_2',
      output: [{ id: 'rs_1', type: 'reasoning', summary: [] }],
      usage: { total_tokens: 3 },
    });
    expect(withReasoning.output[0]).toBe(reasoning);
  });
});
