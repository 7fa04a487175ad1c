import { describe, expect, it } from 'vitest';
import {
  describeServerFailure,
  isRetryableStatus,
  parseRetryAfterMs,
  type ServerFailure,
} from './server-failure.js';

const NOW = Date.UTC(2026, 0, 1, 0, 0, 0);
const lead = { lead: 'The server answered HTTP' };

function failure(overrides: Partial<ServerFailure>): ServerFailure {
  return { status: 500, headers: {}, body: '', now: NOW, ...overrides };
}

describe('describeServerFailure', () => {
  it('recognises a usage-limit 429 with its reset time (epoch ms), plan and request id', () => {
    const described = describeServerFailure(
      failure({
        status: 429,
        headers: { 'x-request-id': 'req_1' },
        body: JSON.stringify({
          error: {
            type: 'usage_limit_reached',
            message: 'limit',
            plan_type: 'pro',
            resets_at: NOW / 1000 + 600,
          },
        }),
      }),
      lead,
    );
    expect(described.code).toBe('usage-limit-reached');
    expect(described.details).toMatchObject({
      isRetryable: false,
      planType: 'pro',
      resetsAt: NOW + 600_000,
      requestId: 'req_1',
      errorType: 'usage_limit_reached',
    });
    expect(described.message).toContain('(pro plan)');
    expect(described.message).toContain(new Date(NOW + 600_000).toISOString());
  });

  it('reads a WebSocket error event object and resets_in_seconds, with the plan from the headers', () => {
    const described = describeServerFailure(
      failure({
        status: 429,
        headers: { 'x-codex-plan-type': 'plus', 'x-codex-primary-used-percent': '100' },
        body: {
          type: 'error',
          status_code: 429,
          error: {
            type: 'usage_limit_reached',
            message: 'The usage limit has been reached',
            resets_in_seconds: 600,
          },
        },
      }),
      lead,
    );
    expect(described.code).toBe('usage-limit-reached');
    expect(described.details).toMatchObject({ planType: 'plus', resetsAt: NOW + 600_000 });
    expect(described.details.rateLimits?.primary?.usedPercent).toBe(100);
    expect(described.message).toContain('usage limit');
  });

  it('treats a 429 carrying resets_at as a usage limit even without the type', () => {
    const described = describeServerFailure(
      failure({ status: 429, body: { error: { message: 'limit', resets_at: NOW / 1000 + 60 } } }),
      lead,
    );
    expect(described).toMatchObject({ code: 'usage-limit-reached', details: { resetsAt: NOW + 60_000 } });
  });

  it('drops a reset time no date can hold (a broken or hostile server) instead of throwing', () => {
    for (const body of [
      { error: { type: 'usage_limit_reached', message: 'limit', resets_at: 1e20 } },
      { error: { type: 'usage_limit_reached', message: 'limit', resets_in_seconds: 1e20 } },
      { error: { message: 'limit', resets_at: 1e20 } },
    ]) {
      const described = describeServerFailure(
        failure({
          status: 429,
          headers: { 'x-codex-primary-used-percent': '100', 'x-codex-primary-reset-at': '1e20' },
          body: JSON.stringify(body),
        }),
        lead,
      );
      expect(described.code).toBe('usage-limit-reached');
      expect(described.details.resetsAt).toBeUndefined();
      expect(described.message).toContain('later');
    }
  });

  it('falls back to the rate-limit headers: the exhausted window, else the primary one', () => {
    const exhausted = describeServerFailure(
      failure({
        status: 429,
        body: JSON.stringify({ error: { type: 'usage_limit_reached' } }),
        headers: {
          'x-codex-primary-used-percent': '40',
          'x-codex-primary-reset-at': String(NOW / 1000 + 1),
          'x-codex-secondary-used-percent': '100',
          'x-codex-secondary-reset-at': String(NOW / 1000 + 9),
        },
      }),
      lead,
    );
    expect(exhausted.details.resetsAt).toBe(NOW + 9_000);
  });

  it('keeps a plain-text body as the server message and words the status with the lead and advice', () => {
    const described = describeServerFailure(failure({ status: 502, body: '<html>upstream</html>' }), {
      lead: 'The server answered HTTP 502 Bad Gateway',
    });
    expect(described).toMatchObject({
      code: 'http-status',
      details: { status: 502, isRetryable: true, serverMessage: '<html>upstream</html>' },
    });
    expect(described.message).toBe(
      'The server answered HTTP 502 Bad Gateway: <html>upstream</html>. Try again in a moment.',
    );
  });

  it('cuts a huge server message short, after scrubbing the secrets it echoes', () => {
    const secret = 'tok_server_failure_secret_0123456789';
    const message = `${'x'.repeat(1_990)} ${secret} ${'y'.repeat(1_000_000)}`;
    const described = describeServerFailure(
      failure({ status: 503, body: { error: { message } }, secrets: [secret] }),
      lead,
    );
    expect(described.details.serverMessage?.length).toBe(2_001);
    expect(described.details.serverMessage?.endsWith('…')).toBe(true);
    expect(described.message.length).toBeLessThan(2_200);
    expect(described.message).not.toContain(secret.slice(0, 8));
  });

  it("keeps the server's error code and param", () => {
    const described = describeServerFailure(
      failure({
        status: 400,
        body: JSON.stringify({
          error: {
            message: "Previous response with id 'resp_1' not found.",
            type: 'invalid_request_error',
            code: 'previous_response_not_found',
            param: 'previous_response_id',
          },
        }),
      }),
      lead,
    );
    expect(described.details).toMatchObject({
      errorCode: 'previous_response_not_found',
      errorParam: 'previous_response_id',
      serverMessage: "Previous response with id 'resp_1' not found.",
    });
  });

  it('gives advice per status unless the transport words its own', () => {
    const advice = (status: number, body: unknown = '') =>
      describeServerFailure(failure({ status, body }), lead).message;
    expect(advice(401)).toContain('Sign in again');
    expect(advice(404, JSON.stringify({ detail: 'Not Found' }))).toContain('base URL');
    expect(advice(429, JSON.stringify({ error: { type: 'insufficient_quota' } }))).toContain('no quota left');
    expect(
      describeServerFailure(failure({ status: 426 }), { lead: 'Refused', advice: 'Use the HTTP transport.' })
        .message,
    ).toBe('Refused. Use the HTTP transport.');
  });

  it('marks 408, 409, 429 and 5xx retryable, but not a quota 429 or other 4xx', () => {
    const retryable = (status: number, body: unknown = '') =>
      describeServerFailure(failure({ status, body }), lead).details.isRetryable;
    expect([408, 409, 429, 500, 503].map((status) => retryable(status))).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect([400, 401, 403, 404, 426].map((status) => retryable(status))).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(retryable(429, JSON.stringify({ error: { code: 'insufficient_quota' } }))).toBe(false);
    expect(isRetryableStatus(504)).toBe(true);
  });

  it('scrubs credentials from the server message', () => {
    const described = describeServerFailure(
      failure({
        status: 401,
        body: JSON.stringify({
          error: { message: 'Incorrect API key provided: sk-live-abcdefgh1234, echo opaque-1' },
        }),
        secrets: ['opaque-1'],
      }),
      lead,
    );
    expect(described.details.serverMessage).toBe(
      'Incorrect API key provided: sk-[redacted], echo [redacted]',
    );
    expect(described.message).not.toContain('sk-live');
  });
});

describe('parseRetryAfterMs', () => {
  it('reads retry-after-ms, delta seconds and HTTP dates; never negative', () => {
    expect(parseRetryAfterMs({ 'retry-after-ms': '1500.2' }, NOW)).toBe(1501);
    expect(parseRetryAfterMs({ 'retry-after': '3' }, NOW)).toBe(3000);
    expect(parseRetryAfterMs({ 'retry-after': '0.5' }, NOW)).toBe(500);
    expect(parseRetryAfterMs({ 'retry-after': new Date(NOW + 5_000).toUTCString() }, NOW)).toBe(5000);
    expect(parseRetryAfterMs({ 'retry-after': new Date(NOW - 5_000).toUTCString() }, NOW)).toBe(0);
  });

  it('ignores missing and unreadable values', () => {
    expect(parseRetryAfterMs({}, NOW)).toBeUndefined();
    expect(parseRetryAfterMs({ 'retry-after': '-5' }, NOW)).toBeUndefined();
    expect(parseRetryAfterMs({ 'retry-after': 'soon' }, NOW)).toBeUndefined();
  });
});
