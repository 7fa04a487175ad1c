import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CodexProviderError, type StoredResponseRequest } from '@codetether/provider-codex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeGateway } from './__fixtures__/fake-gateway.js';
import { createGatewayCodexProvider } from './gateway-codex-provider.js';

const TIMEOUT = { timeout: 30_000 };

/** A gateway whose provider answers stored-response requests with `answer`. */
function gatewayForwardingTo(answer: (request: StoredResponseRequest) => Promise<unknown>) {
  const fake = createFakeGateway();
  const sent: StoredResponseRequest[] = [];
  Object.assign(fake.provider, {
    requestStoredResponse: (request: StoredResponseRequest) => {
      sent.push(request);
      return answer(request);
    },
  });
  return { ...fake, sent };
}

async function errorOf(answer: Response): Promise<{ status: number; error: Record<string, unknown> }> {
  return {
    status: answer.status,
    error: ((await answer.json()) as { error: Record<string, unknown> }).error,
  };
}

describe('stored responses the gateway forwards upstream', () => {
  it('forwards the operation, the query and the request signal, and relays the answer', async () => {
    const { call, sent } = gatewayForwardingTo(async () => ({
      status: 200,
      body: { object: 'list', data: [], first_id: null, last_id: null, has_more: false },
    }));
    const answer = await call('/v1/responses/resp_up/input_items?limit=5&order=asc&after=msg_1');
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ object: 'list', has_more: false });
    expect(sent[0]).toMatchObject({
      operation: 'list-input-items',
      responseId: 'resp_up',
      query: [
        ['limit', '5'],
        ['order', 'asc'],
        ['after', 'msg_1'],
      ],
    });
    expect(sent[0]?.signal).toBeInstanceOf(AbortSignal);
    expect((await call('/v1/responses/resp_up', { method: 'DELETE' })).status).toBe(200);
    expect(sent[1]?.operation).toBe('delete');
    // A streamed retrieve is never forwarded: an id the gateway does not hold is unknown to it.
    expect((await call('/v1/responses/resp_up?stream=true')).status).toBe(404);
    expect(sent).toHaveLength(2);
  });

  it('answers the 404 for an id the upstream does not know, and never forwards odd ids', async () => {
    const { call, sent } = gatewayForwardingTo(async () => undefined);
    expect(await errorOf(await call('/v1/responses/resp_gone'))).toEqual({
      status: 404,
      error: {
        message: "Response with id 'resp_gone' not found.",
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
    expect(sent).toHaveLength(1);
    for (const path of [
      '/v1/responses/..%2Fmodels',
      '/v1/responses/resp_a%2Fb',
      '/v1/responses/%2E%2E/input_items',
      `/v1/responses/resp_${'a'.repeat(5000)}`,
      '/v1/responses/resp_a%20b',
      '/v1/responses/msg_abc',
    ]) {
      const answer = await call(path);
      expect(answer.status, path).toBe(404);
      expect(((await answer.json()) as { error: { message: string } }).error.message.length).toBeLessThan(
        200,
      );
    }
    expect(sent).toHaveLength(1);
  });

  it('maps upstream failures to OpenAI errors without hanging', async () => {
    const failures: [CodexProviderError, number, string][] = [
      [
        new CodexProviderError('upstream-error', 'The OpenAI API failed (500).', { status: 500 }),
        502,
        'server_error',
      ],
      [new CodexProviderError('timeout', 'The OpenAI API did not answer in time.'), 504, 'timeout_error'],
      [
        new CodexProviderError(
          'upstream-error',
          'The answer is larger than 33554432 bytes; it was not read.',
          {
            isRetryable: false,
          },
        ),
        502,
        'server_error',
      ],
      [
        new CodexProviderError('unauthorized', 'The OpenAI API refused the API key (401).', { status: 401 }),
        401,
        'authentication_error',
      ],
      [new CodexProviderError('network-error', 'The OpenAI API could not be reached.'), 502, 'server_error'],
    ];
    for (const [failure, status, type] of failures) {
      const { call } = gatewayForwardingTo(async () => {
        throw failure;
      });
      const answer = await errorOf(await call('/v1/responses/resp_x'));
      expect(answer.status, failure.code).toBe(status);
      expect(answer.error.type).toBe(type);
      expect(answer.error.message).toBe(failure.message);
    }
    const { call } = gatewayForwardingTo(async () => {
      throw new CodexProviderError('invalid-request', 'The OpenAI API refused the request (400).', {
        status: 400,
        upstreamError: {
          message: "Invalid 'limit'.",
          type: 'invalid_request_error',
          param: 'limit',
          code: 'x',
        },
      });
    });
    expect(await errorOf(await call('/v1/responses/resp_x/input_items?limit=0'))).toEqual({
      status: 400,
      error: { message: "Invalid 'limit'.", type: 'invalid_request_error', param: 'limit', code: 'x' },
    });
  });
});

describe('stored responses forwarded to a hostile OpenAI API (real provider, real HTTP)', () => {
  const API_KEY = 'sk-hostile-test-key-0123456789abcdef';
  let server: Server;
  let baseUrl: string;
  const paths: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      paths.push(request.url ?? '');
      const id = /^\/v1\/responses\/([^/?]+)/.exec(request.url ?? '')?.[1];
      switch (id) {
        case 'resp_ok':
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ id: 'resp_ok', object: 'response', status: 'completed' }));
          return;
        case 'resp_gone':
          response.writeHead(404, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error' } }));
          return;
        case 'resp_broken':
          response.writeHead(500, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: { message: `broke with ${API_KEY}`, type: 'server_error' } }));
          return;
        case 'resp_moved':
          response.writeHead(302, { location: `${baseUrl}/responses/resp_ok` });
          response.end();
          return;
        case 'resp_endless': {
          // No content-length: 1 MiB chunks for as long as the client reads.
          response.writeHead(200, { 'content-type': 'application/json' });
          const chunk = Buffer.alloc(1024 * 1024, 32);
          const write = () => {
            while (!response.destroyed && response.write(chunk));
          };
          response.on('drain', write);
          write();
          return;
        }
        default:
          // resp_hang: never answered.
          return;
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it(
    'relays what it may, refuses the rest, and never leaks the key or follows a redirect',
    TIMEOUT,
    async () => {
      const providerTimingOutAfter = (storedResponseTimeoutMs: number) =>
        createGatewayCodexProvider({
          env: {},
          auth: { type: 'api-key', apiKey: API_KEY },
          openaiBaseUrl: baseUrl,
          home: false,
          storedResponseTimeoutMs,
        });
      const provider = providerTimingOutAfter(300);
      // The endless body is read to the size limit (32 MiB) before any timeout, however busy the machine.
      const patientProvider = providerTimingOutAfter(60_000);
      const { call } = createFakeGateway(undefined, { provider });
      const { call: patientCall } = createFakeGateway(undefined, { provider: patientProvider });
      try {
        expect(await (await call('/v1/responses/resp_ok')).json()).toMatchObject({ id: 'resp_ok' });
        expect((await call('/v1/responses/resp_gone')).status).toBe(404);
        const broken = await errorOf(await call('/v1/responses/resp_broken'));
        expect(broken.status).toBe(502);
        expect(JSON.stringify(broken)).not.toContain(API_KEY);
        const before = paths.length;
        const moved = await errorOf(await call('/v1/responses/resp_moved'));
        expect(moved.status).toBe(502);
        expect(paths.slice(before)).toEqual(['/v1/responses/resp_moved']);
        const endless = await errorOf(await patientCall('/v1/responses/resp_endless'));
        expect(endless.status).toBe(502);
        expect(String(endless.error.message)).toMatch(/larger than/);
        const hanging = await errorOf(await call('/v1/responses/resp_hang'));
        expect(hanging.status).toBe(504);
        const sent = paths.length;
        expect((await call('/v1/responses/..%2F..%2Fmodels')).status).toBe(404);
        expect((await call('/v1/responses/resp_a%2F..%2Fmodels', { method: 'DELETE' })).status).toBe(404);
        expect(paths.length).toBe(sent);
      } finally {
        await Promise.all([provider.close(), patientProvider.close()]);
      }
    },
  );
});
