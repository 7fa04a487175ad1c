import {
  type CodexProvider,
  type CodexProviderOptions,
  createCodexProvider as createLibraryProvider,
} from '@codetether/provider-codex';
import type { ResponsesTransport, TransportRequest } from '@codetether/responses-protocol';
import { nodeHttpFetch } from './node-http-fetch.js';

export type { CodexProvider, TransportMode } from '@codetether/provider-codex';

/** The HTTP transport over {@link nodeHttpFetch}, loaded on its first request (a WebSocket run never loads it). */
function createCliHttpTransport(): ResponsesTransport {
  let loading: Promise<ResponsesTransport> | undefined;
  const load = (): Promise<ResponsesTransport> => {
    loading ??= import('@codetether/transport-http').then(({ createHttpTransport }) =>
      createHttpTransport({ fetch: nodeHttpFetch }),
    );
    return loading;
  };
  return {
    async stream(request: TransportRequest) {
      return (await load()).stream(request);
    },
    async close() {
      const transport = await loading?.catch(() => undefined);
      await transport?.close();
    },
  };
}

/**
 * Creates the Codex provider the way the CLI uses it, tuned for start-up (a one-shot
 * `codetether chat` is mostly start-up): the HTTP transport sends with Node's own `http` client
 * ({@link nodeHttpFetch}), and token refreshes and model lists use Node's built-in `fetch`, which
 * ships inside Node and starts much faster than loading the undici package. (The gateway keeps the
 * transport's default, undici's `request()`, which is cheaper per chunk.)
 *
 * @param options - the provider options (an explicit `fetch` or `httpTransport` still wins)
 */
export function createCodexProvider(options: CodexProviderOptions = {}): CodexProvider {
  const httpTransport = options.httpTransport ?? createCliHttpTransport();
  const provider = createLibraryProvider({ fetch: globalThis.fetch, ...options, httpTransport });
  if (options.httpTransport !== undefined) return provider;
  // The provider does not close a transport it was given; this one is the CLI's own.
  const closeProvider = provider.close.bind(provider);
  return Object.assign(provider, {
    async close() {
      await Promise.allSettled([closeProvider(), httpTransport.close()]);
    },
  });
}
