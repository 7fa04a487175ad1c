import { lookup } from 'node:dns/promises';
import type { Server } from 'node:http';
import { type AddressInfo, isIP } from 'node:net';
import { serve } from '@hono/node-server';
import {
  type ConnectionLimits,
  createLimitedHttpServer,
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_REQUEST_TIMEOUT_MS,
} from './connection-limits.js';
import { gatewayListenError } from './gateway-listen-error.js';
import { createGatewayServer, type GatewayServer, type GatewayServerOptions } from './gateway-server.js';
import { createIdleMemoryRelease } from './idle-memory-release.js';
import { trackOpenAnswers } from './open-answers.js';
import { isLoopbackHost } from './request-origin-policy.js';

/** Default bind address: loopback only. */
export const DEFAULT_HOST = '127.0.0.1';
/** Default port. */
export const DEFAULT_PORT = 8787;
/**
 * Default time the requests in flight (streams, non-streamed calls, stored-response requests forwarded
 * to the OpenAI API) get to finish on shutdown before they are ended.
 */
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;
/** How long, after the grace, ended streams and answers being written get to reach their clients. */
const SHUTDOWN_FLUSH_MS = 1_000;

/** Options of {@link startGatewayServer}. */
export interface StartGatewayServerOptions extends GatewayServerOptions, Partial<ConnectionLimits> {
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** Port (default 8787; 0 picks a free port). */
  port?: number;
  /** Close the provider when the server closes (default false: the caller owns it). */
  closeProviderOnClose?: boolean;
  /**
   * Quiet time after the last request before the gateway gives the memory a burst of load grew back
   * to the system (one memory-reducing GC), ms (default 2000); `false` never does.
   */
  idleMemoryReleaseMs?: number | false;
  /**
   * How much the resident set must have grown since the last release, as a fraction of what it left,
   * for a quiet period to release again (default `DEFAULT_IDLE_MEMORY_RELEASE_GROWTH`, 0.1; 0 releases
   * after every quiet period that followed requests).
   */
  idleMemoryReleaseGrowth?: number;
}

/** Options of {@link RunningGateway.close}. */
export interface GatewayCloseOptions {
  /**
   * How long the requests in flight — open streams, non-streamed calls, stored-response requests
   * forwarded to the OpenAI API — may run before they are ended (default 10 s; 0 ends them at once).
   */
  graceMs?: number;
}

/** A gateway listening on a socket. */
export interface RunningGateway {
  /** `http://<host>:<port>` */
  readonly url: string;
  /** The bound address. */
  readonly host: string;
  /** The bound port. */
  readonly port: number;
  /** The gateway application (metrics, active streams). */
  readonly gateway: GatewayServer;
  /** The Node HTTP server. */
  readonly server: Server;
  /**
   * Graceful shutdown: stops accepting connections, answers new requests on open connections with 503,
   * lets the requests in flight (open streams, non-streamed calls, forwarded stored-response requests)
   * finish for `graceMs`, then ends the rest cleanly (upstream aborted; a stream's final error event,
   * else a 503 `server_shutting_down` answer), gives the last answers a second to be written, and
   * closes every connection.
   */
  close(options?: GatewayCloseOptions): Promise<void>;
}

function formatUrl(host: string, port: number): string {
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

/**
 * The address `listen` would bind for a host: the host itself when it is an IP address, else the first
 * address its name resolves to (as `listen` picks it). `127.1` and `2130706433` resolve to 127.0.0.1.
 *
 * @throws {@link GatewayListenError} `host_not_found` when the name does not resolve
 */
async function resolveBindAddress(host: string, port: number): Promise<string> {
  if (isIP(host) !== 0) return host;
  try {
    return (await lookup(host)).address;
  } catch (error) {
    throw gatewayListenError(error, host, port);
  }
}

/**
 * Starts the gateway on `host:port` (default 127.0.0.1:8787) with `@hono/node-server`.
 *
 * @param options - gateway options plus host, port and provider ownership
 */
export async function startGatewayServer(options: StartGatewayServerOptions): Promise<RunningGateway> {
  const host = options.host ?? DEFAULT_HOST;
  const port = options.port ?? DEFAULT_PORT;
  const bindAddress = await resolveBindAddress(host, port);
  const memoryRelease =
    options.idleMemoryReleaseMs === false
      ? undefined
      : createIdleMemoryRelease(
          options.idleMemoryReleaseMs,
          undefined,
          options.idleMemoryReleaseGrowth === undefined
            ? {}
            : { minimumGrowth: options.idleMemoryReleaseGrowth },
        );
  const gateway = createGatewayServer({
    ...options,
    // The Host check follows the address bound, not its spelling: `127.1` or a name in /etc/hosts bound
    // to loopback is checked like 127.0.0.1 (and the name given is one of the hosts answered).
    bindHost: options.bindHost ?? bindAddress,
    ...(isLoopbackHost(bindAddress) && !isLoopbackHost(host)
      ? { allowedHosts: [...(options.allowedHosts ?? []), host] }
      : {}),
    ...(memoryRelease === undefined ? {} : { activityListener: memoryRelease }),
  });
  const limited = createLimitedHttpServer({
    headersTimeoutMs: options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
    maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
  });
  let server: Server;
  try {
    server = await new Promise<Server>((resolve, reject) => {
      const created = serve(
        {
          fetch: gateway.fetch,
          hostname: bindAddress,
          port,
          createServer: limited.createServer,
          serverOptions: limited.serverOptions,
        },
        () => resolve(created as Server),
      ) as Server;
      created.once('error', reject);
    });
  } catch (error) {
    // Nothing listens: stop what the gateway started, so the process can end with the error.
    memoryRelease?.stop();
    await gateway.flushKeyUsage({ publish: false });
    await gateway.conversations?.close();
    gateway.conversationStore?.close();
    throw gatewayListenError(error, host, port);
  }
  server.on('upgrade', gateway.responsesWebSocket.handleUpgrade);
  const openAnswers = trackOpenAnswers(server);
  // Now that it listens: load what the first request needs (the upstream transports' modules), so
  // that request does not wait for it; a request arriving meanwhile waits for the same loading.
  gateway.provider.prepare?.().catch(() => {});
  const address = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;

  const close = async (closeOptions: GatewayCloseOptions = {}): Promise<void> => {
    const graceMs = closeOptions.graceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
    gateway.startDraining();
    memoryRelease?.stop();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const outcome = await Promise.race([gateway.waitForStreams().then(() => 'idle' as const), graceOver]);
    clearTimeout(timer);
    if (outcome === 'timeout') gateway.endStreams();
    // Streams end as soon as the client reads their final event, and an answer a request just finished
    // with (a JSON body, a 503) is still being written: both get a second; a client that stopped reading
    // is cut off then.
    const flushed = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), SHUTDOWN_FLUSH_MS);
    });
    await Promise.race([Promise.all([gateway.waitForStreams(), openAnswers.waitForNone()]), flushed]);
    clearTimeout(timer);
    const webSocketsClosed = gateway.responsesWebSocket.close();
    server.closeAllConnections();
    await Promise.all([closed, webSocketsClosed]);
    memoryRelease?.stop();
    // Every request has ended: the usage they counted is final.
    await gateway.flushKeyUsage();
    await gateway.conversations?.close();
    gateway.conversationStore?.close();
    if (options.closeProviderOnClose === true) await gateway.provider.close?.();
  };

  return {
    url: formatUrl(address.address, address.port),
    host: address.address,
    port: address.port,
    gateway,
    server,
    close: (closeOptions) => {
      closing ??= close(closeOptions);
      return closing;
    },
  };
}
