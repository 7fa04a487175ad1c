import type { ResponsesTransport } from '@codetether/responses-protocol';
import { createHttpTransport } from '@codetether/transport-http';
import { createWebSocketTransport } from '@codetether/transport-ws';

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
  /** Closes the idle connection a session keeps (on every transport that has one; none is created for it). */
  closeSession(sessionId: string): Promise<void>;
  /** Closes the transports created here (injected ones stay open). */
  close(): Promise<void>;
}

/** Creates the {@link ProviderTransports} of a provider. */
export function createProviderTransports(options: ProviderTransportsOptions): ProviderTransports {
  const owned = new Map<'http' | 'websocket', ResponsesTransport>();
  const create = (wire: 'http' | 'websocket'): ResponsesTransport => {
    const clock = options.now === undefined ? {} : { now: options.now };
    return wire === 'http'
      ? createHttpTransport({ ...(options.fetch === undefined ? {} : { fetch: options.fetch }), ...clock })
      : createWebSocketTransport(clock);
  };
  return {
    get(wire) {
      const injected = wire === 'http' ? options.httpTransport : options.webSocketTransport;
      if (injected !== undefined) return injected;
      let transport = owned.get(wire);
      if (transport === undefined) {
        transport = create(wire);
        owned.set(wire, transport);
      }
      return transport;
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
