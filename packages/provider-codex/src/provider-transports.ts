import type { ResponsesTransport } from '@codetether/responses-protocol';

/** Options of {@link createProviderTransports}. */
export interface ProviderTransportsOptions {
  /** An injected HTTP transport (never closed here). */
  httpTransport?: ResponsesTransport | undefined;
  /** An injected WebSocket transport (never closed here). */
  webSocketTransport?: ResponsesTransport | undefined;
  /** `fetch` for an HTTP transport created here. */
  fetch?: typeof fetch | undefined;
  /** Clock for transports created here. */
  now?: (() => number) | undefined;
}

/** The provider's two transports: injected ones, or ones it creates on first use and closes. */
export interface ProviderTransports {
  /** The transport of a wire, created on first use unless injected. */
  get(wire: 'http' | 'websocket'): ResponsesTransport;
  /**
   * Loads the modules the transports of `wires` need (created here on first use, or injected), so
   * the first request does not wait for them; connects nothing. Never rejects.
   */
  prepare(wires: readonly ('http' | 'websocket')[]): Promise<void>;
  /** Closes the idle connection a session keeps (on every transport that has one; none is created for it). */
  closeSession(sessionId: string): Promise<void>;
  /** Closes the transports created here (injected ones stay open). */
  close(): Promise<void>;
}

/**
 * A transport whose module is imported on its first request: a provider that only ever talks over the
 * WebSocket never loads the HTTP stack (undici), and one on HTTP never loads `ws`. Closing it before
 * any request loads nothing.
 */
function createDeferredTransport(load: () => Promise<ResponsesTransport>): ResponsesTransport {
  let loading: Promise<ResponsesTransport> | undefined;
  /** The transport once loaded; `undefined` when it never was (or its module failed to load). */
  const loaded = async (): Promise<ResponsesTransport | undefined> => loading?.catch(() => undefined);
  return {
    async stream(request) {
      loading ??= load();
      return (await loading).stream(request);
    },
    async prepare() {
      loading ??= load();
      await (await loaded())?.prepare?.();
    },
    // A transport never loaded holds no session, and closing one loads nothing.
    async closeSession(sessionId) {
      await (await loaded())?.closeSession?.(sessionId);
    },
    async close() {
      await (await loaded())?.close();
    },
  };
}

/** Creates the {@link ProviderTransports} of a provider. */
export function createProviderTransports(options: ProviderTransportsOptions): ProviderTransports {
  const owned = new Map<'http' | 'websocket', ResponsesTransport>();
  const create = (wire: 'http' | 'websocket'): ResponsesTransport => {
    const clock = options.now === undefined ? {} : { now: options.now };
    return wire === 'http'
      ? createDeferredTransport(async () => {
          const { createHttpTransport } = await import('@codetether/transport-http');
          return createHttpTransport({
            ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
            ...clock,
          });
        })
      : createDeferredTransport(async () => {
          const { createWebSocketTransport } = await import('@codetether/transport-ws');
          return createWebSocketTransport(clock);
        });
  };
  const get = (wire: 'http' | 'websocket'): ResponsesTransport => {
    const injected = wire === 'http' ? options.httpTransport : options.webSocketTransport;
    if (injected !== undefined) return injected;
    let transport = owned.get(wire);
    if (transport === undefined) {
      transport = create(wire);
      owned.set(wire, transport);
    }
    return transport;
  };
  return {
    get,
    async prepare(wires) {
      const transports = wires.map(get);
      await Promise.allSettled(transports.map((transport) => transport.prepare?.()));
    },
    async closeSession(sessionId) {
      const transports = [options.httpTransport, options.webSocketTransport, ...owned.values()];
      await Promise.allSettled(transports.map((transport) => transport?.closeSession?.(sessionId)));
    },
    async close() {
      const transports = [...owned.values()];
      owned.clear();
      await Promise.allSettled(transports.map((transport) => transport.close()));
    },
  };
}
