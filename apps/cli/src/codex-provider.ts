import {
  type CodexProvider,
  type CodexProviderOptions,
  createCodexProvider as createLibraryProvider,
} from '@codetether/provider-codex';

export type { CodexProvider, TransportMode } from '@codetether/provider-codex';

/**
 * Creates the Codex provider the way the CLI uses it. Its HTTP transport and token refreshes use
 * Node's built-in `fetch`, which ships inside Node and starts much faster than loading the undici
 * package: a one-shot `codetether chat` over HTTP is dominated by start-up, not by per-chunk cost.
 * (The gateway keeps the transport's default, undici's `request()`, which is cheaper per chunk.)
 *
 * @param options - the provider options (an explicit `fetch` still wins)
 */
export function createCodexProvider(options: CodexProviderOptions = {}): CodexProvider {
  return createLibraryProvider({ fetch: globalThis.fetch, ...options });
}
