import { describe, expect, it } from 'vitest';
import { userInput } from '../__fixtures__/emulator-client.js';
import { type ContinuationSources, resolveContinuation } from './continuation.js';
import type { RememberedResponse } from './stored-responses.js';

const last: RememberedResponse = {
  id: 'resp_last',
  input: userInput('one'),
  output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'two' }] }],
};
const stored: RememberedResponse = { id: 'resp_stored', input: userInput('kept'), output: [] };

function sources(injected = 0): ContinuationSources & { injected: number } {
  const state = {
    injected,
    connectionLastResponse: last,
    findStored: (id: string) => (id === stored.id ? stored : undefined),
    takeInjectedNotFound: () => {
      if (state.injected <= 0) return false;
      state.injected -= 1;
      return true;
    },
  };
  return state;
}

describe('resolveContinuation', () => {
  it('uses the input as sent without a previous response (absent, null or empty)', () => {
    for (const previous of [undefined, null, '']) {
      expect(resolveContinuation({ input: 'hi', previous_response_id: previous }, sources())).toEqual({
        kind: 'resolved',
        previous: undefined,
        sentItems: userInput('hi'),
        effectiveInput: userInput('hi'),
      });
    }
    expect(resolveContinuation({}, sources())).toMatchObject({ kind: 'resolved', effectiveInput: [] });
  });

  it("continues from the connection's last response or a stored one", () => {
    expect(
      resolveContinuation({ previous_response_id: 'resp_last', input: userInput('three') }, sources()),
    ).toEqual({
      kind: 'resolved',
      previous: last,
      sentItems: userInput('three'),
      effectiveInput: [...last.input, ...last.output, ...userInput('three')],
    });
    expect(resolveContinuation({ previous_response_id: 'resp_stored' }, sources())).toMatchObject({
      previous: stored,
      effectiveInput: stored.input,
    });
  });

  it('answers previous_response_not_found for unknown ids and injected faults (consumed once)', () => {
    const notFound = (id: string) => ({
      kind: 'failure',
      failure: {
        status: 400,
        body: {
          error: {
            type: 'invalid_request_error',
            code: 'previous_response_not_found',
            param: 'previous_response_id',
            message: `Previous response with id '${id}' not found.`,
          },
        },
      },
    });
    expect(resolveContinuation({ previous_response_id: 'resp_other' }, sources())).toEqual(
      notFound('resp_other'),
    );
    const injected = sources(1);
    expect(resolveContinuation({ previous_response_id: 'resp_last' }, injected)).toEqual(
      notFound('resp_last'),
    );
    expect(resolveContinuation({ previous_response_id: 'resp_last' }, injected)).toMatchObject({
      previous: last,
    });
  });

  it('refuses ids of the wrong type or shape with 400 naming the parameter', () => {
    const cases: Array<[unknown, string]> = [
      [42, 'an integer'],
      [1.5, 'a decimal'],
      [true, 'a boolean'],
      [['resp_x'], 'an array'],
      [{ id: 'resp_x' }, 'an object'],
    ];
    for (const [value, described] of cases) {
      expect(resolveContinuation({ previous_response_id: value }, sources())).toMatchObject({
        kind: 'failure',
        failure: {
          status: 400,
          body: {
            error: {
              code: 'invalid_type',
              param: 'previous_response_id',
              message: expect.stringContaining(described),
            },
          },
        },
      });
    }
    for (const value of ['msg_123', 'resp_ spaces', 'resp_\u0000', `resp_${'a'.repeat(5_000)}`]) {
      const result = resolveContinuation({ previous_response_id: value }, sources());
      expect(result).toMatchObject({
        kind: 'failure',
        failure: { body: { error: { code: 'invalid_value' } } },
      });
      expect(JSON.stringify(result).length).toBeLessThan(500);
    }
  });

  it('never consumes an injected fault for a malformed id', () => {
    const injected = sources(1);
    resolveContinuation({ previous_response_id: 42 }, injected);
    expect(injected.injected).toBe(1);
  });
});
