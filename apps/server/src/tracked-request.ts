import { authorizationOf } from './api-key-header.js';
import { clientTagOf } from './conversation-index.js';
import { createUpstreamController, type GatewayContext, readSessionId } from './gateway-context.js';
import { GatewayError } from './openai-error.js';
import { upstreamSessionIdOf } from './upstream-session-id.js';

/** An in-flight `/v1` request the gateway can stop on shutdown. */
export interface TrackedRequest {
  /** Aborted when the client disconnects or the gateway stops the request. */
  readonly upstream: AbortController;
  /** True once the gateway stopped the request for shutdown. */
  wasStoppedForShutdown(): boolean;
  /** Aborts the upstream (e.g. after an error); idempotent. */
  abort(reason?: unknown): void;
  /**
   * The upstream session id: the client's own (`session_id` header, scoped to its key by
   * `upstreamSessionIdOf`) or a lane lent until
   * {@link TrackedRequest.release}, so sessionless requests reuse warm upstream sockets.
   */
  readonly sessionId: string;
  /** The name of the key the request presented (for per-key metrics), when known. */
  readonly clientKey: string | undefined;
  /** Forgets the request (call exactly when it is over); idempotent. */
  release(): void;
}

/**
 * Registers an in-flight request so graceful shutdown can wait for it or stop it: stopping aborts
 * the upstream and marks the request so its handler ends it with {@link shutdownError}.
 *
 * @param context - shared gateway state
 * @param request - the incoming request (its signal tells of client disconnects; its headers may carry a session id)
 * @param clientKey - the name of the key the request was authenticated with, when it was
 */
export function trackRequest(
  context: GatewayContext,
  request: Request,
  clientKey: string | undefined,
): TrackedRequest {
  const requestSignal = request.signal;
  const clientSessionId = clientUpstreamSessionId(request.headers);
  const sessionId = clientSessionId ?? context.sessionLanes.acquire();
  const upstream = createUpstreamController(requestSignal);
  let stoppedForShutdown = false;
  let released = false;
  const unregister = context.streams.add({
    stop() {
      stoppedForShutdown = true;
      upstream.abort(new Error('The gateway is shutting down.'));
    },
  });
  return {
    upstream,
    wasStoppedForShutdown: () => stoppedForShutdown,
    abort(reason) {
      upstream.abort(reason);
    },
    sessionId,
    clientKey,
    release() {
      if (released) return;
      released = true;
      unregister();
      if (clientSessionId === undefined) context.sessionLanes.release(sessionId);
    },
  };
}

/**
 * The upstream session id of the client's own session (its `session_id` / `x-session-id` header, scoped
 * to its key by `upstreamSessionIdOf`), or `undefined` when it sent none.
 *
 * @param headers - the request headers
 */
export function clientUpstreamSessionId(headers: Headers): string | undefined {
  const clientSessionId = readSessionId(headers);
  return clientSessionId === undefined
    ? undefined
    : upstreamSessionIdOf(clientTagOf(authorizationOf(headers)), clientSessionId);
}

/** The answer to a request that arrives while the gateway shuts down (503 `server_shutting_down`). */
export function drainingError(): GatewayError {
  return new GatewayError(
    503,
    'server_error',
    'The gateway is shutting down. Retry against a running instance.',
    {
      code: 'server_shutting_down',
    },
  );
}

/** The error a request stopped by shutdown ends with (503 `server_shutting_down`). */
export function shutdownError(): GatewayError {
  return new GatewayError(
    503,
    'server_error',
    'The gateway is shutting down; the response was cut short. Retry the request.',
    {
      code: 'server_shutting_down',
    },
  );
}
