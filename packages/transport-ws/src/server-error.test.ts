import { describe, expect, it } from 'vitest';
import { redactSecrets } from './secret-redaction.js';
import { errorFromServerFailure } from './server-error.js';

const now = Date.UTC(2026, 0, 1);

describe('errorFromServerFailure', () => {
  it('turns a 429 usage-limit error event into usage-limit-reached with reset time and plan', () => {
    const error = errorFromServerFailure({
      origin: 'event',
      status: 429,
      headers: {
        'x-codex-plan-type': 'plus',
        'x-codex-primary-used-percent': '100',
        'x-request-id': 'req_1',
      },
      body: {
        type: 'error',
        status_code: 429,
        error: {
          type: 'usage_limit_reached',
          message: 'The usage limit has been reached',
          resets_in_seconds: 600,
        },
      },
      fallbackSafe: true,
      now,
    });
    expect(error).toMatchObject({
      code: 'usage-limit-reached',
      status: 429,
      isRetryable: false,
      fallbackSafe: true,
      planType: 'plus',
      resetsAt: now + 600_000,
      requestId: 'req_1',
      errorType: 'usage_limit_reached',
    });
    expect(error.rateLimits?.primary?.usedPercent).toBe(100);
    expect(error.message).toContain('usage limit');
  });

  it('keeps handshake refusals as handshake-failed with advice per status', () => {
    const refused = (status: number) =>
      errorFromServerFailure({
        origin: 'handshake',
        status,
        headers: { 'retry-after': '3' },
        body: { error: { message: 'nope', type: 'invalid_request_error', code: null } },
        fallbackSafe: true,
        now,
      });
    expect(refused(426)).toMatchObject({
      code: 'handshake-failed',
      status: 426,
      isRetryable: false,
      retryAfterMs: 3000,
    });
    expect(refused(426).message).toContain('use the HTTP transport');
    expect(refused(401).message).toContain('Sign in again');
    expect(refused(503)).toMatchObject({ isRetryable: true });
  });

  it('classifies error events by status', () => {
    const event = (status: number, type = 'server_error') =>
      errorFromServerFailure({
        origin: 'event',
        status,
        headers: {},
        body: { type: 'error', status_code: status, error: { type, message: 'x' } },
        fallbackSafe: false,
        now,
      }).code;
    expect(event(500)).toBe('server-error');
    expect(event(401)).toBe('unauthorized');
    expect(event(400)).toBe('request-rejected');
    expect(event(429, 'rate_limit_exceeded')).toBe('rate-limited');
  });

  it('reads plain-text bodies and redacts credentials from server messages', () => {
    const error = errorFromServerFailure({
      origin: 'handshake',
      status: 403,
      headers: {},
      body: undefined,
      bodyText: 'forbidden for Bearer abc.def-secret',
      fallbackSafe: true,
      now,
    });
    expect(error.serverMessage).toBe('forbidden for Bearer [redacted]');
    expect(error.message).not.toContain('abc.def-secret');
  });
});

describe('redactSecrets', () => {
  it('hides bearer tokens, sk- keys and JWTs', () => {
    expect(redactSecrets('Bearer abc123 and sk-proj-abcdefgh and eyJhbGciOi.eyJzdWIiOi.sig')).toBe(
      'Bearer [redacted] and sk-[redacted] and [redacted]',
    );
  });
});
