import type { StreamChunk } from '@codetether/responses-protocol';
import { createGatewayLogger } from '../gateway-logger.js';
import { createGatewayServer, type GatewayServer, type GatewayServerOptions } from '../gateway-server.js';
import { collectInto } from './collected-lines.js';
import { createFakeProvider, type FakeProvider } from './fake-provider.js';

/** The bearer key of {@link createFakeGateway}'s gateway. */
export const FAKE_GATEWAY_KEY = 'ctsk-test-key';

/** The wall clock of {@link createFakeGateway}'s gateway, epoch ms. */
export const FAKE_GATEWAY_NOW = Date.UTC(2026, 0, 1);

/** A request to the gateway: `json` makes it a JSON POST; `key` replaces the bearer key (`null`: none). */
export type FakeGatewayRequest = RequestInit & { json?: unknown; key?: string | null };

/** A gateway in front of a scripted fake provider, answered in memory (no socket). */
export interface FakeGateway {
  /** The scripted provider. */
  provider: FakeProvider;
  /** The gateway. */
  gateway: GatewayServer;
  /** The gateway's log lines (level `debug`). */
  lines: string[];
  /** Sends a request to `http://gateway.test<path>` with the gateway's key unless told otherwise. */
  call(path: string, init?: FakeGatewayRequest): Promise<Response>;
  /** A `fetch` that sends everything to the gateway (for HTTP client libraries). */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
}

/**
 * Creates a gateway whose provider answers with `chunks` (or whatever the test scripts later), a
 * fixed wall clock, a ticking monotonic clock and its logs captured in memory.
 *
 * @param chunks - what every completion streams (default: no script; set `provider.scripts`)
 * @param overrides - gateway options to change
 */
export function createFakeGateway(
  chunks?: StreamChunk[],
  overrides: Partial<GatewayServerOptions> = {},
): FakeGateway {
  const provider = createFakeProvider(chunks === undefined ? [] : [{ kind: 'chunks', chunks }]);
  const lines: string[] = [];
  const destination = collectInto(lines);
  let tick = 0;
  const gateway = createGatewayServer({
    provider,
    apiKey: FAKE_GATEWAY_KEY,
    logger: createGatewayLogger({ level: 'debug', destination }),
    now: () => FAKE_GATEWAY_NOW,
    monotonicNow: () => (tick += 1),
    ...overrides,
  });
  const call = (path: string, init: FakeGatewayRequest = {}): Promise<Response> => {
    const { json, key, ...requestInit } = init;
    const headers = new Headers(requestInit.headers);
    if (key !== null) headers.set('authorization', `Bearer ${key ?? FAKE_GATEWAY_KEY}`);
    if (json !== undefined) headers.set('content-type', 'application/json');
    return gateway.fetch(
      new Request(`http://gateway.test${path}`, {
        ...requestInit,
        headers,
        ...(json === undefined ? {} : { method: 'POST', body: JSON.stringify(json) }),
      }),
    );
  };
  return {
    provider,
    gateway,
    lines,
    call,
    fetch: (input, init) => gateway.fetch(new Request(input, init)),
  };
}
