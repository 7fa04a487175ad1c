import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeProvider } from './__fixtures__/fake-provider.js';
import { createGatewayLogger } from './gateway-logger.js';
import { type RunningGateway, startGatewayServer } from './start-gateway-server.js';

const running: RunningGateway[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((gateway) => gateway.close({ graceMs: 0 })));
});

/** GET `path` with this exact `Host` header (fetch would not let a test set it). */
function getWithHost(gateway: RunningGateway, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const sent = request({ host: '127.0.0.1', port: gateway.port, path, headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    sent.on('error', reject);
    sent.end();
  });
}

describe('a host that names loopback in another spelling keeps the loopback Host check', () => {
  it.each(['127.1', '2130706433'])(
    '--host %s binds 127.0.0.1 and refuses a rebound DNS name, as 127.0.0.1 does',
    async (host) => {
      const gateway = await startGatewayServer({
        provider: createFakeProvider(),
        apiKey: 'ctsk-host-spelling',
        host,
        port: 0,
        logger: createGatewayLogger({ level: 'silent' }),
      });
      running.push(gateway);
      expect(gateway.host).toBe('127.0.0.1');
      expect(await getWithHost(gateway, '/healthz', 'evil.example')).toBe(403);
      expect(await getWithHost(gateway, '/healthz', `127.0.0.1:${gateway.port}`)).toBe(200);
      expect(await getWithHost(gateway, '/healthz', `${host}:${gateway.port}`)).toBe(200);
    },
  );
});
