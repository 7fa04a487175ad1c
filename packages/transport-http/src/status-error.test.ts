import { describe, expect, it } from 'vitest';
import { createStatusError, type StatusErrorInput } from './status-error.js';

const NOW = Date.UTC(2026, 0, 1, 0, 0, 0);

function input(overrides: Partial<StatusErrorInput>): StatusErrorInput {
  return {
    status: 500,
    statusText: '',
    bodyText: '',
    requestId: undefined,
    retryAfterMs: undefined,
    rateLimits: {},
    secrets: [],
    attempts: 1,
    now: NOW,
    ...overrides,
  };
}

describe('createStatusError', () => {
  it('recognises a usage-limit 429 with its reset time (epoch ms) and plan', () => {
    const error = createStatusError(
      input({
        status: 429,
        bodyText: JSON.stringify({
          error: {
            type: 'usage_limit_reached',
            message: 'limit',
            plan_type: 'pro',
            resets_at: NOW / 1000 + 600,
          },
        }),
        requestId: 'req_1',
      }),
    );
    expect(error).toMatchObject({
      code: 'usage-limit-reached',
      isRetryable: false,
      planType: 'pro',
      resetsAt: NOW + 600_000,
      requestId: 'req_1',
    });
    expect(error.message).toContain('(pro plan)');
    expect(error.message).toContain(new Date(NOW + 600_000).toISOString());
  });

  it('falls back to the rate-limit headers for plan and reset time', () => {
    const error = createStatusError(
      input({
        status: 429,
        bodyText: JSON.stringify({ error: { code: 'usage_limit_reached', message: 'limit' } }),
        rateLimits: { planType: 'plus', primary: { resetsAt: NOW + 1_000 } },
      }),
    );
    expect(error).toMatchObject({ code: 'usage-limit-reached', planType: 'plus', resetsAt: NOW + 1_000 });
  });

  it('takes the reset time of the exhausted window from the headers', () => {
    const error = createStatusError(
      input({
        status: 429,
        bodyText: JSON.stringify({ error: { type: 'usage_limit_reached' } }),
        rateLimits: {
          primary: { usedPercent: 40, resetsAt: NOW + 1_000 },
          secondary: { usedPercent: 100, resetsAt: NOW + 9_000 },
        },
      }),
    );
    expect(error.resetsAt).toBe(NOW + 9_000);
  });

  it('keeps a plain-text body as the server message', () => {
    const error = createStatusError(
      input({ status: 502, statusText: 'Bad Gateway', bodyText: '<html>upstream</html>' }),
    );
    expect(error).toMatchObject({ code: 'http-status', status: 502, isRetryable: true });
    expect(error.serverMessage).toBe('<html>upstream</html>');
    expect(error.message).toContain('HTTP 502 Bad Gateway');
  });

  it('marks client errors as not retryable', () => {
    const error = createStatusError(
      input({ status: 404, bodyText: JSON.stringify({ detail: 'Not Found' }), requestId: 'req_x' }),
    );
    expect(error).toMatchObject({ isRetryable: false, serverMessage: 'Not Found', requestId: 'req_x' });
    expect(error.message).toContain('base URL');
  });

  it('scrubs credentials from the server message', () => {
    const error = createStatusError(
      input({
        status: 401,
        bodyText: JSON.stringify({ error: { message: 'Incorrect API key provided: sk-live-abcdefgh1234' } }),
      }),
    );
    expect(error.serverMessage).toBe('Incorrect API key provided: [redacted]');
    expect(error.message).not.toContain('sk-live');
  });
});
