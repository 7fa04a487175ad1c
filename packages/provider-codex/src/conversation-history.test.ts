import { describe, expect, it } from 'vitest';
import { ConversationHistory } from './conversation-history.js';

describe('ConversationHistory', () => {
  it('answers a custom tool call of the history with custom_tool_call_output, a function call with function_call_output', () => {
    const history = new ConversationHistory(
      [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Fix it' }] },
        { type: 'custom_tool_call', id: 'ctc_1', call_id: 'call_c', name: 'apply_patch', input: 'patch' },
        { type: 'function_call', id: 'fc_1', call_id: 'call_f', name: 'look', arguments: '{}' },
      ],
      undefined,
    );
    expect(
      history.itemsFor([
        { role: 'tool', toolCallId: 'call_c', content: 'Applied' },
        { role: 'tool', toolCallId: 'call_f', content: 'Seen' },
      ]),
    ).toEqual([
      { type: 'custom_tool_call_output', call_id: 'call_c', output: 'Applied' },
      { type: 'function_call_output', call_id: 'call_f', output: 'Seen' },
    ]);
  });
});
