import { type Emulator, type EmulatorOptions, startEmulator } from '@codetether/emulator';
import { createMemoryCredentialStore } from '@codetether/oauth-pkce';
import type { CodexProvider, TransportMode } from '@codetether/provider-codex';
import { createGatewayCodexProvider } from '../gateway-codex-provider.js';
import { createGatewayLogger } from '../gateway-logger.js';
import type { GatewayServerOptions } from '../gateway-server.js';
import { type RunningGateway, startGatewayServer } from '../start-gateway-server.js';
import { collectInto } from './collected-lines.js';
import { type CountingProxy, startCountingProxy } from './counting-proxy.js';
import { toStoredLogin } from './emulator-login.js';

/** The gateway key used by the integration tests. */
export const TEST_SERVER_KEY = 'ctsk-integration-test-key';

/** Emulator → counting proxy → provider → gateway, all on 127.0.0.1. */
export interface GatewayHarness {
  emulator: Emulator;
  proxy: CountingProxy;
  provider: CodexProvider;
  gateway: RunningGateway;
  /** The gateway's OpenAI base URL (`…/v1`). */
  baseUrl: string;
  /** Log lines written by the gateway. */
  logLines: string[];
  close(): Promise<void>;
}

/** Options of {@link startGatewayHarness}. */
export interface GatewayHarnessOptions {
  /** `chatgpt` (emulator-issued tokens in a memory store) or `api-key`. */
  auth?: 'chatgpt' | 'api-key';
  /** Provider transport (default `http`). */
  transport?: TransportMode;
  /** Emulator options. */
  emulator?: EmulatorOptions;
  /** The gateway's continuation setting (default on). */
  continuation?: GatewayServerOptions['continuation'];
  /** Client keys besides {@link TEST_SERVER_KEY} (`keys create`). */
  clientKeys?: GatewayServerOptions['clientKeys'];
  /** How often the WebSocket mode pings its sockets, ms (default 30 s). */
  webSocketHeartbeatMs?: number;
  /** The provider's environment (default empty), e.g. `CODETETHER_MODELS_CACHE_TTL_SECONDS`. */
  env?: Record<string, string>;
  /**
   * Route requests through the profile router, as `codetether-server` does (every profile served by the
   * one provider).
   */
  routeProfiles?: boolean;
  /** The gateway's limits of background responses (default: its own). */
  backgroundResponses?: GatewayServerOptions['backgroundResponses'];
  /** The gateway's stored chat completions setting (default on). */
  storedChatCompletions?: GatewayServerOptions['storedChatCompletions'];
}

/** Starts the full chain for integration tests. */
export async function startGatewayHarness(options: GatewayHarnessOptions = {}): Promise<GatewayHarness> {
  const emulator = await startEmulator(options.emulator ?? {});
  const proxy = await startCountingProxy(Number(new URL(emulator.url).port));
  const auth =
    options.auth === 'api-key'
      ? { type: 'api-key' as const, apiKey: emulator.createApiKey() }
      : {
          type: 'chatgpt' as const,
          store: createMemoryCredentialStore(toStoredLogin(emulator.issueTokens())),
        };
  const provider = createGatewayCodexProvider({
    env: options.env ?? {},
    auth,
    issuer: emulator.issuerUrl,
    chatgptBaseUrl: `${proxy.url}/backend-api/codex`,
    openaiBaseUrl: `${proxy.url}/v1`,
    transport: options.transport ?? 'http',
    home: false,
  });
  const logLines: string[] = [];
  const gateway = await startGatewayServer({
    provider,
    apiKey: TEST_SERVER_KEY,
    port: 0,
    ...(options.continuation === undefined ? {} : { continuation: options.continuation }),
    ...(options.clientKeys === undefined ? {} : { clientKeys: options.clientKeys }),
    ...(options.storedChatCompletions === undefined
      ? {}
      : { storedChatCompletions: options.storedChatCompletions }),
    ...(options.backgroundResponses === undefined
      ? {}
      : { backgroundResponses: options.backgroundResponses }),
    ...(options.routeProfiles === true ? { profiles: { providerFor: () => provider } } : {}),
    ...(options.webSocketHeartbeatMs === undefined
      ? {}
      : { webSocketHeartbeatMs: options.webSocketHeartbeatMs }),
    logger: createGatewayLogger({
      level: 'info',
      destination: collectInto(logLines),
    }),
  });
  return {
    emulator,
    proxy,
    provider,
    gateway,
    baseUrl: `${gateway.url}/v1`,
    logLines,
    async close() {
      await gateway.close({ graceMs: 0 });
      await provider.close();
      await proxy.close();
      await emulator.close();
    },
  };
}
