import {
  type CodexProvider,
  type CodexProviderOptions,
  createCodexProvider,
} from '@codetether/provider-codex';
import { resolveGatewayInstructions } from '@codetether/provider-codex/configuration';

/**
 * Creates the Codex provider as the gateway uses it: like `createCodexProvider`, except that a request
 * without instructions (no system/developer message, no `instructions` on `/v1/responses`) gets the
 * gateway's neutral instructions — `defaultInstructions`, else `CODETETHER_SERVER_INSTRUCTIONS`, else
 * `DEFAULT_GATEWAY_INSTRUCTIONS` — instead of the CodeTether coding agent's prompt. (The ChatGPT backend
 * refuses a request without `instructions`; the OpenAI API gets none on `/v1/responses`.) And its
 * WebSocket transport shares idle sockets between conversations (`shareIdleWebSockets`, unless set):
 * the gateway starts a conversation per request, which would otherwise open a socket of its own.
 *
 * @param options - the provider's options; `env` is read for the instructions too
 */
export function createGatewayCodexProvider(options: CodexProviderOptions = {}): CodexProvider {
  return createCodexProvider({
    shareIdleWebSockets: true,
    ...options,
    defaultInstructions: resolveGatewayInstructions(options.defaultInstructions, options.env ?? {}),
  });
}
