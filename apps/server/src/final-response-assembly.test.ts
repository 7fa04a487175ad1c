import { describe, expect, it } from 'vitest';
import { FinalResponseAssembly } from './final-response-assembly.js';

describe('FinalResponseAssembly', () => {
  it('tells the response while it streams (in_progress, the items done so far), then only its final object', () => {
    const assembly = new FinalResponseAssembly();
    expect(assembly.inProgress()).toBeUndefined();
    expect(assembly.responseId()).toBeUndefined();
    assembly.observe({ type: 'response.created', response: { id: 'resp_1', status: 'queued', output: [] } });
    expect(assembly.responseId()).toBe('resp_1');
    expect(assembly.inProgress()).toEqual({ id: 'resp_1', status: 'in_progress', output: [] });
    const item = { type: 'message', id: 'msg_1', content: [] };
    assembly.observe({ type: 'response.output_item.done', item });
    assembly.observe({ type: 'response.in_progress', response: { id: 'resp_1', status: 'in_progress' } });
    expect(assembly.inProgress()).toEqual({ id: 'resp_1', status: 'in_progress', output: [item] });
    assembly.observe({
      type: 'response.completed',
      response: { id: 'resp_1', status: 'completed', output: [] },
    });
    expect(assembly.inProgress()).toBeUndefined();
    expect(assembly.result()).toEqual({ id: 'resp_1', status: 'completed', output: [item] });
    expect(assembly.responseId()).toBe('resp_1');
  });

  it('ignores starting events without a response object and responses without an id', () => {
    const assembly = new FinalResponseAssembly();
    assembly.observe({ type: 'response.created', response: 'not an object' });
    expect(assembly.inProgress()).toBeUndefined();
    assembly.observe({ type: 'response.created', response: { status: 'in_progress' } });
    expect(assembly.responseId()).toBeUndefined();
    assembly.observe(null);
    assembly.observe({ type: 42 });
  });
});
