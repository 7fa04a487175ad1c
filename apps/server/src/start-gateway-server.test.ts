import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFakeProvider } from './__fixtures__/fake-provider.js';
import { createGatewayLogger } from './gateway-logger.js';
import type { GatewayProvider } from './gateway-provider.js';
import { createProfileRoutingProvider } from './profile-routing-provider.js';
import { type RunningGateway, startGatewayServer } from './start-gateway-server.js';

const running: RunningGateway[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((gateway) => gateway.close({ graceMs: 0 })));
});

async function startWith(provider: GatewayProvider): Promise<RunningGateway> {
  const gateway = await startGatewayServer({
    provider,
    apiKey: 'ctsk-prepare',
    port: 0,
    logger: createGatewayLogger({ level: 'silent' }),
  });
  running.push(gateway);
  return gateway;
}

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
