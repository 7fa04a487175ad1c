import { afterEach } from 'vitest';
import { createGatewayLogger } from '../gateway-logger.js';
import type { GatewayProvider } from '../gateway-provider.js';
import {
  type RunningGateway,
  type StartGatewayServerOptions,
  startGatewayServer,
} from '../start-gateway-server.js';

/**
 * For the tests of a file or `describe` block: returns a function that starts a listening gateway
 * (random port, silent logger, `apiKey`, `options`) on a provider; every gateway it started is closed
 * (grace 0) after each test.
 *
 * @param apiKey - the gateway's client key
 * @param options - further start options
 */
export function quietGatewaysClosedAfterEach(
  apiKey: string,
  options: Partial<StartGatewayServerOptions> = {},
): (provider: GatewayProvider) => Promise<RunningGateway> {
  const running: RunningGateway[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((gateway) => gateway.close({ graceMs: 0 })));
  });
  return async (provider) => {
    const gateway = await startGatewayServer({
      provider,
      apiKey,
      port: 0,
      logger: createGatewayLogger({ level: 'silent' }),
      ...options,
    });
    running.push(gateway);
    return gateway;
  };
}
