import { describe, expect, it } from 'vitest';
import { classifyCallbackRequest } from './callback-request.js';

const expectation = { state: 'expected-state', alreadyHandled: false };

function classify(target: string | undefined, method = 'GET', alreadyHandled = false) {
  return classifyCallbackRequest({ method, target }, { ...expectation, alreadyHandled });
}

describe('classifyCallbackRequest', () => {
  it('asks for the code exchange on a GET of the callback with this login state and a code', () => {
    expect(classify('/auth/callback?code=the-code&state=expected-state')).toEqual({
      kind: 'exchange',
      code: 'the-code',
    });
  });

  it('ignores other paths and methods with a plain 404', () => {
    for (const outcome of [
      classify('/favicon.ico'),
      classify('/auth/callback?code=c&state=expected-state', 'POST'),
    ]) {
      expect(outcome).toEqual({ kind: 'ignore', reply: { format: 'plain', status: 404, text: 'Not found' } });
    }
  });

  it('ignores an unparseable request target with a plain 400', () => {
    expect(classify('http://[')).toEqual({
      kind: 'ignore',
      reply: { format: 'plain', status: 400, text: 'Bad request' },
    });
  });

  it('only answers (409) a callback once one was handled', () => {
    const outcome = classify('/auth/callback?code=c&state=expected-state', 'GET', true);
    expect(outcome.kind).toBe('ignore');
    expect(outcome.kind === 'ignore' && outcome.reply.status).toBe(409);
  });

  it('rejects a callback with another state as state-mismatch', () => {
    const outcome = classify('/auth/callback?code=c&state=other');
    expect(outcome.kind === 'reject' && outcome.error.code).toBe('state-mismatch');
    expect(outcome.kind === 'reject' && outcome.reply.status).toBe(400);
  });

  it('treats an issuer error with another state as state-mismatch, and without state as access-denied', () => {
    const foreign = classify('/auth/callback?error=access_denied&state=other');
    expect(foreign.kind === 'reject' && foreign.error.code).toBe('state-mismatch');
    const denied = classify('/auth/callback?error=access_denied&error_description=No');
    expect(denied.kind === 'reject' && denied.error.code).toBe('access-denied');
    expect(denied.kind === 'reject' && denied.error.issuerError).toEqual({
      error: 'access_denied',
      errorDescription: 'No',
    });
  });

  it('rejects a callback without a code as invalid-callback', () => {
    const outcome = classify('/auth/callback?state=expected-state&code=');
    expect(outcome.kind === 'reject' && outcome.error.code).toBe('invalid-callback');
  });
});
