import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  continuationRequest,
  jsonEqual,
  type PreviousExchange,
  planContinuation,
  type RequestBody,
} from './continuation-rule.js';

const user = (text: string) => ({ type: 'message', role: 'user', content: [{ type: 'input_text', text }] });
const call = { type: 'function_call', call_id: 'call_1', name: 'read', arguments: '{}' };
const reasoning = { type: 'reasoning', summary: [], encrypted_content: 'gAAAAAB' };
const result = { type: 'function_call_output', call_id: 'call_1', output: 'contents' };

const fields = { model: 'gpt-5.4', instructions: 'Be brief.', tools: [{ type: 'function', name: 'read' }] };
const body = (input: unknown[], extra: Record<string, unknown> = {}): RequestBody => ({
  ...fields,
  input,
  ...extra,
});

const previous: PreviousExchange = {
  body: body([user('read it')]),
  outputItems: [reasoning, call],
  responseId: 'resp_1',
  connectionId: 'wsc_1',
};

describe('planContinuation', () => {
  it('sends only the new items after the previous input and output', () => {
    const plan = planContinuation(previous, body([user('read it'), reasoning, call, result]));
    expect(plan).toEqual({
      kind: 'delta',
      previousResponseId: 'resp_1',
      newItems: [result],
      body: body([result], { previous_response_id: 'resp_1' }),
    });
  });

  it('allows an empty delta', () => {
    const plan = planContinuation(previous, body([user('read it'), reasoning, call]));
    expect(plan).toMatchObject({ kind: 'delta', newItems: [] });
  });

  it('needs a previous response', () => {
    expect(planContinuation(undefined, body([user('hi')]))).toEqual({
      kind: 'full',
      reason: 'no-previous-response',
    });
  });

  it('sends everything when a field besides input changed', () => {
    const next = body([user('read it'), reasoning, call, result], { tool_choice: 'required' });
    expect(planContinuation(previous, next)).toEqual({ kind: 'full', reason: 'fields-changed' });
    const otherModel = { ...body([user('read it'), reasoning, call]), model: 'gpt-5.5' };
    expect(planContinuation(previous, otherModel)).toMatchObject({ reason: 'fields-changed' });
  });

  it('ignores generate (a warm-up is continued by the first turn) and key order', () => {
    const warmUp: PreviousExchange = {
      body: body([], { generate: false }),
      outputItems: [],
      responseId: 'resp_0',
      connectionId: 'wsc_1',
    };
    const reordered = {
      input: [user('hi')],
      tools: fields.tools,
      instructions: fields.instructions,
      model: 'gpt-5.4',
    };
    expect(planContinuation(warmUp, reordered)).toMatchObject({ kind: 'delta', newItems: [user('hi')] });
  });

  it('sends everything when the input does not extend the previous input and output', () => {
    const rewritten = body([user('read that'), reasoning, call, result]);
    expect(planContinuation(previous, rewritten)).toEqual({ kind: 'full', reason: 'input-diverged' });
    const withoutOutput = body([user('read it'), result]);
    expect(planContinuation(previous, withoutOutput)).toMatchObject({ reason: 'input-diverged' });
    const shorter = body([user('read it')]);
    expect(planContinuation(previous, shorter)).toMatchObject({ reason: 'input-diverged' });
    const changedReasoning = body([user('read it'), { ...reasoning, encrypted_content: 'x' }, call]);
    expect(planContinuation(previous, changedReasoning)).toMatchObject({ reason: 'input-diverged' });
  });

  it('delta plus prefix is always the full input (property)', () => {
    const item = fc.record({ type: fc.constantFrom('message', 'reasoning'), text: fc.string() });
    fc.assert(
      fc.property(fc.array(item), fc.array(item), fc.array(item), (earlier, output, added) => {
        const before: PreviousExchange = {
          body: body(earlier),
          outputItems: output,
          responseId: 'resp_p',
          connectionId: undefined,
        };
        const next = body([...earlier, ...output, ...added]);
        const plan = planContinuation(before, next);
        expect(plan.kind).toBe('delta');
        if (plan.kind === 'delta') expect([...earlier, ...output, ...plan.newItems]).toEqual(next.input);
      }),
    );
  });
});

describe('continuationRequest', () => {
  const next = body([user('read it'), reasoning, call, result]);

  it('offers the delta to the connection that produced the previous response, the full body otherwise', () => {
    const request = continuationRequest(previous, next, { storedResponses: false });
    expect(request.body).toBe(next);
    expect(request.continuation).toEqual({
      connectionId: 'wsc_1',
      body: body([result], { previous_response_id: 'resp_1' }),
    });
  });

  it('never continues a response that came over HTTP without stored responses', () => {
    const overHttp = { ...previous, connectionId: undefined };
    const request = continuationRequest(overHttp, next, { storedResponses: false });
    expect(request).toMatchObject({ body: next });
    expect(request.continuation).toBeUndefined();
  });

  it('sends the delta itself when responses are stored (any connection, HTTP too)', () => {
    const request = continuationRequest({ ...previous, connectionId: undefined }, next, {
      storedResponses: true,
    });
    expect(request.body).toEqual(body([result], { previous_response_id: 'resp_1' }));
    expect(request.continuation).toBeUndefined();
  });

  it('sends the full body without a continuation when the rule says so', () => {
    const request = continuationRequest(previous, body([user('other')]), { storedResponses: true });
    expect(request).toEqual({
      plan: { kind: 'full', reason: 'input-diverged' },
      body: body([user('other')]),
    });
  });
});

describe('jsonEqual', () => {
  it('compares JSON values deeply, ignoring key order and undefined fields', () => {
    expect(jsonEqual({ a: [1, { b: 2 }], c: undefined }, { a: [1, { b: 2 }] })).toBe(true);
    expect(jsonEqual({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({ a: [] }, { a: {} })).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
    expect(jsonEqual('1', 1)).toBe(false);
  });
});
