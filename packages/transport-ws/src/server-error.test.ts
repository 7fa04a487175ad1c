import { describe, expect, it } from 'vitest';
import { errorFromServerFailure, readErrorEventStatus } from './server-error.js';
import { WebSocketTransportError } from './web-socket-transport-error.js';

const now = Date.UTC(2026, 0, 1);

describe('errorFromServerFailure', () => {
  it('raises the shared usage-limit-reached as a WebSocketTransportError', () => {
    const error = errorFromServerFailure({
      origin: 'handshake',
      status: 429,
      headers: { 'x-codex-plan-type': 'plus' },
      body: JSON.stringify({ error: { type: 'usage_limit_reached', resets_at: now / 1000 + 60 } }),
      fallbackSafe: true,
      now,
    });
    expect(error).toBeInstanceOf(WebSocketTransportError);
    expect(error).toMatchObject({
      name: 'WebSocketTransportError',
      transport: 'websocket',
      code: 'usage-limit-reached',
      fallbackSafe: true,
      planType: 'plus',
      resetsAt: now + 60_000,
    });
  });

  it('words a refused handshake, advising the HTTP transport for 404 and 426', () => {
    const refused = (status: number) =>
      errorFromServerFailure({
        origin: 'handshake',
        status,
        headers: { 'retry-after': '3' },
        body: JSON.stringify({ error: { message: 'nope', type: 'invalid_request_error', code: null } }),
        fallbackSafe: true,
        now,
      });
    expect(refused(426)).toMatchObject({
      code: 'http-status',
      status: 426,
      isRetryable: false,
      retryAfterMs: 3000,
    });
    expect(refused(426).message).toBe(
      'The Responses WebSocket handshake was refused with HTTP 426: nope. This endpoint does not offer the Responses WebSocket; use the HTTP transport instead.',
    );
    expect(refused(401).message).toContain('Sign in again');
    expect(refused(503)).toMatchObject({ isRetryable: true });
  });

  it('gives every error event with a status the code http-status', () => {
    const event = (status: number) =>
      errorFromServerFailure({
        origin: 'event',
        status,
        headers: {},
        body: { type: 'error', status_code: status, error: { type: 'server_error', message: 'x' } },
        fallbackSafe: false,
        now,
      });
    for (const status of [500, 401, 400, 429]) {
      expect(event(status)).toMatchObject({ code: 'http-status', status, fallbackSafe: false });
    }
    expect(event(500).message).toContain('on the Responses WebSocket');
  });

  it('reads plain-text bodies and redacts credentials from server messages', () => {
    const error = errorFromServerFailure({
      origin: 'handshake',
      status: 403,
      headers: {},
      body: 'forbidden for Bearer abc.def-secret',
      fallbackSafe: true,
      now,
    });
    expect(error.serverMessage).toBe('forbidden for Bearer [redacted]');
    expect(error.message).not.toContain('abc.def-secret');
  });
});

describe('readErrorEventStatus', () => {
  it('reads status_code or status as a 4xx/5xx number', () => {
    expect(readErrorEventStatus({ status_code: 429 })).toBe(429);
    expect(readErrorEventStatus({ status: '503' })).toBe(503);
    expect(readErrorEventStatus({ status: 200 })).toBeUndefined();
    expect(readErrorEventStatus({ code: 'x' })).toBeUndefined();
  });
});
