import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createFakeProvider } from './__fixtures__/fake-provider.js';
import { quietGatewaysClosedAfterEach } from './__fixtures__/quiet-gateways.js';
import { createFileClientKeyStore } from './client-key-store.js';
import type { ClientKeyUsageStore } from './client-key-usage-store.js';
import { createGatewayLogger } from './gateway-logger.js';
import { createProfileRoutingProvider } from './profile-routing-provider.js';
import { startGatewayServer } from './start-gateway-server.js';

const startWith = quietGatewaysClosedAfterEach('ctsk-prepare');

describe('preparing the provider once the gateway listens', () => {
  it('calls prepare() once, when it starts listening', async () => {
    const provider = createFakeProvider();
    provider.prepare = vi.fn(async () => {});
    const gateway = await startWith(provider);
    expect(provider.prepare).toHaveBeenCalledTimes(1);
    expect(gateway.server.listening).toBe(true);
  });

  it('serves requests as usual when prepare() rejects (no unhandled rejection)', async () => {
    const provider = createFakeProvider();
    provider.prepare = () => Promise.reject(new Error('cannot load the transport'));
    const gateway = await startWith(provider);
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
  });

  it('the profile router prepares its default provider only (the others are made on first use)', async () => {
    const defaultProvider = createFakeProvider();
    defaultProvider.prepare = vi.fn(async () => {});
    const providerFor = vi.fn(() => createFakeProvider());
    const router = createProfileRoutingProvider({ defaultProfile: 'default', defaultProvider, providerFor });
    await router.prepare?.();
    expect(defaultProvider.prepare).toHaveBeenCalledTimes(1);
    expect(providerFor).not.toHaveBeenCalled();
  });
});

describe('closing the gateway', () => {
  it('writes a non-streamed answer that ends during the grace before it closes the connection', async () => {
    const provider = createFakeProvider([
      {
        kind: 'chunks',
        chunks: [
          { type: 'text', text: 'Hi' },
          { type: 'done', finishReason: 'stop' },
        ],
        holdAfter: 1,
      },
    ]);
    const gateway = await startWith(provider);
    const pending = fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer ctsk-prepare', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-5.4', messages: [{ role: 'user', content: 'hi' }] }),
    });
    await provider.held();
    const closing = gateway.close({ graceMs: 20_000 });
    provider.release();
    // The request leaves the gateway's in-flight set a moment before its answer reaches the socket.
    const answer = await pending;
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ choices: [{ message: { content: 'Hi' } }] });
    await closing;
  });

  it('publishes the final per-key usage, counted up to the last request, before close() resolves', async () => {
    const home = await mkdtemp(join(tmpdir(), 'codetether-close-usage-'));
    const store = createFileClientKeyStore({ home });
    const laptop = (await store.create('laptop')).key;
    const published: Array<Record<string, unknown>> = [];
    let publishing = 0;
    const usage: ClientKeyUsageStore = {
      async publish(totals) {
        publishing += 1;
        // A slow store (a file on a busy disk, Redis): close() must wait for it.
        await new Promise((resolve) => setTimeout(resolve, 50));
        published.push(Object.fromEntries(totals));
        publishing -= 1;
      },
      read: async () => undefined,
    };
    const gateway = await startGatewayServer({
      provider: createFakeProvider(),
      apiKey: 'ctsk-close-usage',
      port: 0,
      logger: createGatewayLogger({ level: 'silent' }),
      clientKeys: { store, usage },
    });
    const response = await fetch(`${gateway.url}/v1/models`, {
      headers: { authorization: `Bearer ${laptop}` },
    });
    expect(response.status).toBe(200);
    await gateway.close({ graceMs: 0 });
    expect(publishing).toBe(0);
    expect(published.at(-1)).toMatchObject({ laptop: { requests: 1 } });
    await rm(home, { recursive: true, force: true });
  });
});
