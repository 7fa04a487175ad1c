import { randomUUID } from 'node:crypto';
import { type Emulator, startEmulator } from '@codetether/emulator';
import type { TransportRequest } from '@codetether/responses-protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collectEvents } from './__fixtures__/fault-server.js';
import { drain, expectTransportError, useTransportHarness } from './__fixtures__/transport-harness.js';

let emulator: Emulator;
const { createTransport: newTransport } = useTransportHarness();

beforeAll(async () => {
  emulator = await startEmulator();
});

afterAll(async () => {
  await emulator.close();
});

afterEach(async () => {
  emulator.setOptions({ eventDelayMs: 0 });
  emulator.clearRequests();
});

function chatgptRequest(scenario: string, extra: Partial<TransportRequest> = {}): TransportRequest {
  const tokens = emulator.issueTokens();
  return {
    url: `${emulator.chatgptBaseUrl}/responses`,
    headers: {
      authorization: `Bearer ${tokens.accessToken}`,
      'chatgpt-account-id': tokens.accountId,
      'session-id': randomUUID(),
      'x-codetether-scenario': scenario,
    },
    body: {
      model: 'gpt-5.4',
      stream: true,
      store: false,
      instructions: 'Be brief.',
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] }],
    },
    ...extra,
  };
}

function responsesRequests(): number {
  return emulator.requests.filter((request) => request.path.endsWith('/responses')).length;
}

describe('against the emulator', () => {
  it('prepare() loads undici without sending anything; the first request then streams as usual', async () => {
    const { transport } = newTransport();
    const before = responsesRequests();
    await expect(transport.prepare?.()).resolves.toBeUndefined();
    expect(responsesRequests()).toBe(before);
    const response = await transport.stream(chatgptRequest('text'));
    expect((await collectEvents(response.events)).at(-1)).toMatchObject({ type: 'response.completed' });
  });

  it('prepare() resolves and does nothing on a closed transport, or one with an injected fetch', async () => {
    const { transport } = newTransport();
    await transport.close();
    await expect(transport.prepare?.()).resolves.toBeUndefined();
    const withFetch = newTransport({ fetch: globalThis.fetch }).transport;
    await expect(withFetch.prepare?.()).resolves.toBeUndefined();
  });

  it('streams a complete answer with metadata and rate limits', { timeout: 15_000 }, async () => {
    const { transport } = newTransport();
    const response = await transport.stream(chatgptRequest('text'));
    expect(response).toMatchObject({ transport: 'http', status: 200 });
    expect(response.requestId).toMatch(/^req/);
    expect(response.headers['content-type']).toContain('text/event-stream');
    expect(response.rateLimits.primary).toMatchObject({
      usedPercent: expect.any(Number),
      windowMinutes: 300,
    });
    expect(response.rateLimits.secondary?.windowMinutes).toBe(10_080);
    expect(response.rateLimits.planType).toBe('plus');
    const events = await collectEvents(response.events);
    expect(events[0]?.type).toBe('response.created');
    expect(events.at(-1)?.type).toBe('response.completed');
    const text = events
      .filter((event) => event.type === 'response.output_text.delta')
      .map((event) => (event as { delta: string }).delta)
      .join('');
    expect(text).toContain('Hello from the CodeTether emulator');
  });

  it('streams several requests concurrently over the shared dispatcher', { timeout: 15_000 }, async () => {
    const { transport } = newTransport();
    const results = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const response = await transport.stream(chatgptRequest('text'));
        return collectEvents(response.events);
      }),
    );
    for (const events of results) expect(events.at(-1)?.type).toBe('response.completed');
    expect(responsesRequests()).toBe(5);
  });

  it('retries server-error-then-success once and then streams', { timeout: 15_000 }, async () => {
    const { transport, delays } = newTransport({ baseRetryDelayMs: 200 });
    const response = await transport.stream(chatgptRequest('server-error-then-success'));
    const events = await collectEvents(response.events);
    expect(events.at(-1)?.type).toBe('response.completed');
    expect(delays).toEqual([100]);
    expect(responsesRequests()).toBe(2);
  });

  it('does not retry a usage-limit 429 and carries the reset time and plan', {
    timeout: 15_000,
  }, async () => {
    const { transport, delays } = newTransport();
    const before = Date.now();
    const error = await expectTransportError(transport.stream(chatgptRequest('rate-limited')));
    expect(error).toMatchObject({
      code: 'usage-limit-reached',
      status: 429,
      isRetryable: false,
      fallbackSafe: true,
      errorType: 'usage_limit_reached',
      planType: 'plus',
      retryAfterMs: 3_600_000,
    });
    expect(error.resetsAt).toBeGreaterThanOrEqual(before + 3_500_000);
    expect(error.rateLimits?.primary?.usedPercent).toBe(100);
    expect(error.requestId).toMatch(/^req/);
    expect(error.message).toContain('usage limit');
    expect(delays).toEqual([]);
    expect(responsesRequests()).toBe(1);
  });

  it('fails mid-stream on a disconnect without retrying', { timeout: 15_000 }, async () => {
    const { transport, delays } = newTransport();
    const response = await transport.stream(chatgptRequest('disconnect'));
    const { seen, error } = await drain(response.events);
    expect(seen.length).toBeGreaterThan(0);
    expect(error).toMatchObject({ code: 'network', fallbackSafe: false, status: 200 });
    expect(error.message).toContain('broke in the middle');
    expect(delays).toEqual([]);
    expect(responsesRequests()).toBe(1);
  });

  it('fails with timeout-idle when the stream stalls', { timeout: 15_000 }, async () => {
    emulator.setOptions({ eventDelayMs: 60_000 });
    const { transport } = newTransport({ idleTimeoutMs: 200 });
    const response = await transport.stream(chatgptRequest('slow'));
    const { seen, error } = await drain(response.events);
    expect(seen).toHaveLength(1);
    expect(error).toMatchObject({ code: 'timeout-idle', fallbackSafe: false });
  });

  it('aborts a slow stream at once', { timeout: 15_000 }, async () => {
    emulator.setOptions({ eventDelayMs: 60_000 });
    const { transport } = newTransport();
    const controller = new AbortController();
    const response = await transport.stream(chatgptRequest('slow', { signal: controller.signal }));
    const iterator = response.events[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ type: 'response.created' });
    const pending = expectTransportError(iterator.next());
    controller.abort();
    expect((await pending).code).toBe('aborted');
  });

  it('does not retry a 401 and keeps the token out of the message', { timeout: 15_000 }, async () => {
    const { transport } = newTransport();
    const request = chatgptRequest('text');
    request.headers.authorization = 'Bearer not-a-valid-token-0123456789';
    const error = await expectTransportError(transport.stream(request));
    expect(error).toMatchObject({ code: 'http-status', status: 401, isRetryable: false });
    expect(error.message).not.toContain('not-a-valid-token-0123456789');
    expect(responsesRequests()).toBe(1);
  });
});
