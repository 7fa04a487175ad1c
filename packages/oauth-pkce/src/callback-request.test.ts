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

  it('ignores (400 page) a callback without this login state: bare, another state, or an error', () => {
    for (const target of [
      '/auth/callback',
      '/auth/callback?code=c',
      '/auth/callback?code=c&state=other',
      '/auth/callback?code=c&state=',
      '/auth/callback?error=access_denied',
      '/auth/callback?error=access_denied&state=other',
    ]) {
      const outcome = classify(target);
      expect(outcome.kind, target).toBe('ignore');
      expect(outcome.kind === 'ignore' && outcome.foreignCallback, target).toBe(true);
      expect(outcome.kind === 'ignore' && outcome.reply.status, target).toBe(400);
    }
  });

  it('ends the login with access-denied for an issuer error carrying this login state', () => {
    const denied = classify('/auth/callback?error=access_denied&error_description=No&state=expected-state');
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
