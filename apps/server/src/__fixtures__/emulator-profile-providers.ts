import type { Emulator } from '@codetether/emulator';
import type { CodexProvider } from '@codetether/provider-codex';
import { createGatewayCodexProvider } from '../gateway-codex-provider.js';

/**
 * `profiles.providerFor` of a gateway test: each profile's provider reads its login under `home` and
 * talks to the emulator, on the test's clock.
 *
 * @param emulator - the upstream
 * @param settings - the logins' home, the upstream transport, the clock
 */
export function emulatorProfileProviders(
  emulator: Emulator,
  settings: { home: string; transport: 'http' | 'websocket'; now: () => number },
): (profile: string) => CodexProvider {
  return (profile) =>
    createGatewayCodexProvider({
      env: { CODETETHER_HOME: settings.home },
      profile,
      issuer: emulator.issuerUrl,
      chatgptBaseUrl: emulator.chatgptBaseUrl,
      transport: settings.transport,
      home: false,
      now: settings.now,
    });
}
