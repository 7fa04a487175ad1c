import { describe, expect, it } from 'vitest';
import { CodexProviderError } from './errors.js';
import { mapTransportError, usageLimitMessage } from './transport-error-mapping.js';

class FakeTransportError extends Error {
  constructor(message: string, fields: Record<string, unknown>) {
    super(message);
    Object.assign(this, fields);
  }
}

const context = { backend: 'chatgpt' as const, model: 'gpt-5.4', now: 1_000_000 };

describe('mapTransportError', () => {
  it('maps a 401 missing scope to missing-scope with the reference advice', () => {
    const error = mapTransportError(
      new FakeTransportError('401', {
        status: 401,
        code: 'unauthorized',
        serverMessage: 'Missing scopes: model.request',
      }),
      context,
    );
    expect(error.code).toBe('missing-scope');
    expect(error.message).toContain('model.request');
    expect(error.message).toContain('`gpt-5.4`');
    expect(error.message).toContain('codetether auth login');
    expect(error.status).toBe(401);
  });

  it('maps a 401 about the account id to missing-account-id', () => {
    const error = mapTransportError(
      new FakeTransportError('401', { status: 401, serverMessage: 'Missing chatgpt-account-id header' }),
      context,
    );
    expect(error.code).toBe('missing-account-id');
    expect(error.message).toContain('codetether auth login --device-code');
  });

  it('maps other 401s to unauthorized with advice per backend', () => {
    expect(mapTransportError(new FakeTransportError('nope', { status: 401 }), context).message).toContain(
      'codetether auth login',
    );
    const api = mapTransportError(new FakeTransportError('nope', { status: 401 }), {
      ...context,
      backend: 'openai',
    });
    expect(api.code).toBe('unauthorized');
    expect(api.message).toContain('OPENAI_API_KEY');
  });

  it('maps a usage limit with a friendly reset time', () => {
    const error = mapTransportError(
      new FakeTransportError('limit', {
        status: 429,
        code: 'usage-limit-reached',
        resetsAt: 1_000 + 25 * 60,
        rateLimits: { planType: 'plus' },
      }),
      context,
    );
    expect(error.code).toBe('usage-limit-reached');
    expect(error.isRetryable).toBe(false);
    expect(error.resetsAt).toBe(1_000 + 25 * 60);
    expect(error.message).toBe('You have hit your ChatGPT usage limit (plus plan). Try again in ~25 min.');
    expect(error.retryAfterSeconds).toBe(25 * 60);
  });

  it('converts a reset time in epoch milliseconds (as the transports report it) to seconds', () => {
    const error = mapTransportError(
      new FakeTransportError('limit', {
        status: 429,
        code: 'usage-limit-reached',
        errorType: 'usage_limit_reached',
        resetsAt: (1_700_000_000 + 90 * 60) * 1000,
        planType: 'pro',
      }),
      { ...context, now: 1_700_000_000_000 },
    );
    expect(error.resetsAt).toBe(1_700_000_000 + 90 * 60);
    expect(error.message).toBe('You have hit your ChatGPT usage limit (pro plan). Try again in ~90 min.');
  });

  it('maps 429, 5xx, timeouts, aborts and network errors', () => {
    const rateLimited = mapTransportError(
      new FakeTransportError('x', { status: 429, retryAfterMs: 2500 }),
      context,
    );
    expect(rateLimited).toMatchObject({ code: 'rate-limited', retryAfterSeconds: 3, isRetryable: true });
    expect(mapTransportError(new FakeTransportError('x', { status: 503 }), context).code).toBe(
      'upstream-error',
    );
    expect(mapTransportError(new FakeTransportError('x', { code: 'idle-timeout' }), context).code).toBe(
      'timeout',
    );
    expect(mapTransportError(new FakeTransportError('x', { code: 'timeout-first-byte' }), context).code).toBe(
      'timeout',
    );
    expect(mapTransportError(new FakeTransportError('x', { code: 'protocol' }), context).code).toBe(
      'upstream-error',
    );
    expect(mapTransportError(new FakeTransportError('x', { code: 'aborted' }), context).code).toBe('aborted');
    const abortError = new Error('aborted');
    abortError.name = 'AbortError';
    expect(mapTransportError(abortError, context).code).toBe('aborted');
    expect(
      mapTransportError(new FakeTransportError('ECONNREFUSED', { code: 'network-error' }), context).code,
    ).toBe('network-error');
    expect(mapTransportError(new FakeTransportError('bad', { status: 400 }), context).code).toBe(
      'invalid-request',
    );
  });

  it('passes provider errors through unchanged', () => {
    const original = new CodexProviderError('aborted', 'x');
    expect(mapTransportError(original, context)).toBe(original);
  });
});

describe('usageLimitMessage', () => {
  it('handles a missing plan and reset time', () => {
    expect(usageLimitMessage({ now: 0 })).toBe('You have hit your ChatGPT usage limit. Try again later.');
    expect(usageLimitMessage({ now: 0, resetsAt: 10 })).toBe(
      'You have hit your ChatGPT usage limit. Try again in ~1 min.',
    );
  });
});
