import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StoredResponseAnswer, StoredResponseRequest } from '@codetether/provider-codex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeGateway } from './__fixtures__/fake-gateway.js';
import { createFakeProvider } from './__fixtures__/fake-provider.js';
import { quietGatewaysClosedAfterEach } from './__fixtures__/quiet-gateways.js';
import { signalled } from './__fixtures__/streamed-response-provider.js';
import { type ClientKeyRecord, type ClientKeyStore, hashClientKey } from './client-key-store.js';
import { createGatewayCodexProvider } from './gateway-codex-provider.js';

const TIMEOUT = { timeout: 30_000 };

/** A stored-response upstream that answers only when the test says so (or never), and ignores aborts. */
function heldStoredResponses() {
  const sent: StoredResponseRequest[] = [];
  const reached = signalled();
  let answer: (value: StoredResponseAnswer | undefined) => void = () => {};
  const answered = new Promise<StoredResponseAnswer | undefined>((resolve) => {
    answer = resolve;
  });
  return {
    sent,
    /** Resolves once a request reached the upstream. */
    reached: () => reached.promise,
    /** Answers every request held (and later ones) with `value`. */
    answer: (value: StoredResponseAnswer | undefined) => answer(value),
    requestStoredResponse(request: StoredResponseRequest): Promise<StoredResponseAnswer | undefined> {
      sent.push(request);
      reached.resolve();
      return answered;
    },
  };
}

const RESPONSE_BODY = { id: 'resp_up', object: 'response', status: 'completed' };

async function errorCodeOf(answer: Response): Promise<{ status: number; code: unknown; type: unknown }> {
  const body = (await answer.json()) as { error: { code: unknown; type: unknown } };
  return { status: answer.status, code: body.error.code, type: body.error.type };
}

describe('forwarded stored-response requests and a graceful shutdown (in memory)', () => {
  it('counts a forwarded request in flight (not as a stream) and lets it finish while draining', async () => {
    const upstream = heldStoredResponses();
    const { call, gateway, provider } = createFakeGateway();
    Object.assign(provider, { requestStoredResponse: upstream.requestStoredResponse });
    const pending = call('/v1/responses/resp_up');
    await upstream.reached();
    expect(gateway.inFlightRequests).toBe(1);
    // A forwarded request is one JSON answer, not a stream: the stream gauge does not count it.
    expect(gateway.metrics.activeStreams).toBe(0);
    gateway.startDraining();
    let idle = false;
    const drained = gateway.waitForStreams().then(() => {
      idle = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(idle).toBe(false);
    upstream.answer({ status: 200, body: RESPONSE_BODY });
    const answer = await pending;
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual(RESPONSE_BODY);
    await drained;
    expect(gateway.inFlightRequests).toBe(0);
  });

  it.each([
    ['GET', '/v1/responses/resp_up'],
    ['GET', '/v1/responses/resp_up/input_items'],
    ['DELETE', '/v1/responses/resp_up'],
  ])('ends a forwarded %s %s with 503 server_shutting_down and aborts its upstream', async (method, path) => {
    const upstream = heldStoredResponses();
    const { call, gateway, provider } = createFakeGateway();
    Object.assign(provider, { requestStoredResponse: upstream.requestStoredResponse });
    const pending = call(path, { method });
    await upstream.reached();
    gateway.startDraining();
    gateway.endStreams();
    // The upstream never answers (it ignores the abort): the client is answered all the same.
    const answer = await pending;
    expect(await errorCodeOf(answer)).toEqual({
      status: 503,
      code: 'server_shutting_down',
      type: 'server_error',
    });
    expect(upstream.sent[0]?.signal?.aborted).toBe(true);
    await gateway.waitForStreams();
    expect(gateway.inFlightRequests).toBe(0);
    expect(await gateway.metrics.render()).toMatch(
      /codetether_server_errors_total\{code="server_shutting_down",route="\/v1\/responses\/:responseId[^"]*"\} 1/,
    );
  });

  it('refuses a forward that would start once the gateway drains, sending nothing upstream', async () => {
    const upstream = heldStoredResponses();
    upstream.answer({ status: 200, body: RESPONSE_BODY });
    const clientKey = 'ctsk-laptop-0123456789';
    const record: ClientKeyRecord = {
      name: 'laptop',
      hash: hashClientKey(clientKey),
      createdAt: '2026-01-01T00:00:00.000Z',
    };
    // A slow key store (Redis): the request passes the drain check, then waits for its key.
    const loading = signalled();
    const loaded = signalled();
    const store: ClientKeyStore = {
      load: async () => {
        loading.resolve();
        await loaded.promise;
        return [record];
      },
      create: () => Promise.reject(new Error('not used')),
      revoke: () => Promise.reject(new Error('not used')),
    };
    const { call, gateway, provider } = createFakeGateway(undefined, { clientKeys: { store } });
    Object.assign(provider, { requestStoredResponse: upstream.requestStoredResponse });
    const pending = call('/v1/responses/resp_up', { key: clientKey });
    await loading.promise;
    gateway.startDraining();
    loaded.resolve();
    expect(await errorCodeOf(await pending)).toEqual({
      status: 503,
      code: 'server_shutting_down',
      type: 'server_error',
    });
    // And one that arrives after the drain began is refused at the door, as every request is.
    expect((await errorCodeOf(await call('/v1/responses/resp_up/input_items'))).status).toBe(503);
    expect(upstream.sent).toHaveLength(0);
    expect(gateway.inFlightRequests).toBe(0);
  });
});

describe('forwarded stored-response requests and close() of a listening gateway', () => {
  const startWith = quietGatewaysClosedAfterEach('ctsk-forward-drain', { idleMemoryReleaseMs: false });

  const headers = { authorization: 'Bearer ctsk-forward-drain' };

  it('close() waits for a forwarded request in flight, which then answers the client', TIMEOUT, async () => {
    const upstream = heldStoredResponses();
    const provider = Object.assign(createFakeProvider(), {
      requestStoredResponse: upstream.requestStoredResponse,
    });
    const gateway = await startWith(provider);
    const pending = fetch(`${gateway.url}/v1/responses/resp_up`, { headers });
    await upstream.reached();
    let closed = false;
    const closing = gateway.close({ graceMs: 20_000 }).then(() => {
      closed = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    expect(gateway.gateway.inFlightRequests).toBe(1);
    upstream.answer({ status: 200, body: RESPONSE_BODY });
    const answer = await pending;
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual(RESPONSE_BODY);
    await closing;
    expect(gateway.gateway.inFlightRequests).toBe(0);
  });

  describe('with the real provider and an OpenAI API that never answers', () => {
    const API_KEY = 'sk-forward-drain-0123456789abcdef';
    let upstreamServer: Server;
    let baseUrl: string;
    const upstreamReached = signalled();
    const upstreamClosed = signalled();

    beforeAll(async () => {
      upstreamServer = createServer((request) => {
        // Never answered: only the gateway aborting the request (or its 30 s timeout) ends it.
        upstreamReached.resolve();
        request.socket.once('close', () => upstreamClosed.resolve());
      });
      await new Promise<void>((resolve) => upstreamServer.listen(0, '127.0.0.1', resolve));
      baseUrl = `http://127.0.0.1:${(upstreamServer.address() as AddressInfo).port}/v1`;
    });
    afterAll(async () => {
      upstreamServer.closeAllConnections();
      await new Promise((resolve) => upstreamServer.close(resolve));
    });

    it(
      'close() past its grace answers the client 503 server_shutting_down and aborts the upstream',
      TIMEOUT,
      async () => {
        const provider = createGatewayCodexProvider({
          env: {},
          auth: { type: 'api-key', apiKey: API_KEY },
          openaiBaseUrl: baseUrl,
          home: false,
        });
        try {
          const gateway = await startWith(provider);
          const pending = fetch(`${gateway.url}/v1/responses/resp_hang/input_items?limit=2`, { headers });
          await upstreamReached.promise;
          await gateway.close({ graceMs: 0 });
          const answer = await pending;
          const text = await answer.text();
          expect(answer.status).toBe(503);
          expect(JSON.parse(text)).toMatchObject({
            error: { type: 'server_error', code: 'server_shutting_down' },
          });
          expect(text).not.toContain(API_KEY);
          await upstreamClosed.promise;
        } finally {
          await provider.close();
        }
      },
    );
  });
});
