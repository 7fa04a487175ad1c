import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DEFAULT_PROFILE, isValidProfileName } from '@codetether/oauth-pkce/profile-name';
import { Hono } from 'hono';
import { ActiveStreamRegistry } from './active-stream-registry.js';
import { authorizationOf } from './api-key-header.js';
import { type BackgroundResponseLimits, BackgroundResponseRegistry } from './background-responses.js';
import { type AuthenticatedClient, createClientAuthenticator } from './client-authentication.js';
import type { ClientKeyStore } from './client-key-store.js';
import { type ClientKeyUsageStore, createFileClientKeyUsageStore } from './client-key-usage-store.js';
import {
  ConversationIndex,
  DEFAULT_CONVERSATION_INDEX_MAX_AGE_MS,
  DEFAULT_CONVERSATION_INDEX_MAX_BYTES,
  DEFAULT_CONVERSATION_INDEX_MAX_ENTRIES,
} from './conversation-index.js';
import { ConversationStore, type ConversationStoreLimits } from './conversation-store.js';
import type { ModelMap } from './dialect-model-map.js';
import { recordFinishedRequest } from './finished-request.js';
import type { GatewayContext, ReasoningContentMode } from './gateway-context.js';
import { createGatewayLogger, type GatewayLogger } from './gateway-logger.js';
import { GatewayMetrics } from './gateway-metrics.js';
import type { GatewayProvider } from './gateway-provider.js';
import { createGatewayRouteTable } from './gateway-route-table.js';
import {
  createErrorBodyFormatter,
  createRouteLabeler,
  type GatewayEnvironment,
  registerRoutes,
  SERVER_KEY_PATH_PATTERNS,
} from './gateway-routes.js';
import type { GatewayActivityListener } from './idle-memory-release.js';
import { DEFAULT_MAX_JSON_DEPTH } from './json-nesting-limit.js';
import { createKeyUsageWriter } from './key-usage-writer.js';
import { GatewayError } from './openai-error.js';
import { type FailoverEvent, ProfileLimits } from './profile-failover.js';
import { createProfileRoutingProvider, type ProfileUnavailableEvent } from './profile-routing-provider.js';
import { PROFILE_HEADER, runInProfileScope } from './profile-scope.js';
import { createRequestBodyLimit } from './request-body-limit.js';
import {
  createCorsMiddleware,
  createRequestOriginPolicy,
  refuseByHostOrOrigin,
  refuseHostOrOrigin,
} from './request-origin-policy.js';
import { createResponsesWebSocket, type ResponsesWebSocket } from './responses-websocket.js';
import { STREAM_WRITTEN_DIRECTLY } from './sse-response.js';
import { type StoredChatCompletionLimits, StoredChatCompletionStore } from './stored-chat-completions.js';
import { drainingError } from './tracked-request.js';
import { createUpstreamSessionLanes } from './upstream-session-lanes.js';

/** Default request body limit: 16 MiB (room for a few base64 images). */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Options of {@link createGatewayServer}. */
export interface GatewayServerOptions {
  /** The upstream provider (a `CodexProvider` from `@codetether/provider-codex`). */
  provider: GatewayProvider;
  /** The bearer key every `/v1` request must present. */
  apiKey: string;
  /** Structured logger (default: {@link createGatewayLogger}, JSON to stdout with secrets redacted). */
  logger?: GatewayLogger;
  /** Metrics registry (default: a new one). */
  metrics?: GatewayMetrics;
  /** Wall clock, epoch ms (default `Date.now`). */
  now?: () => number;
  /** Monotonic clock, ms (default `performance.now`). */
  monotonicNow?: () => number;
  /** Largest accepted request body in bytes (default 16 MiB); larger bodies get 413. */
  maxBodyBytes?: number;
  /**
   * When chat completions carry `reasoning_content`: `auto` (default) when the request sets
   * `reasoning_effort` (other than `none`) or sends `x-codetether-reasoning: include`, and not when it
   * sends `x-codetether-reasoning: omit`; `always`; `never`.
   */
  reasoningContent?: ReasoningContentMode;
  /** The deepest JSON nesting a request body may have (default 128); deeper bodies get 400 with `param`. */
  maxJsonDepth?: number;
  /**
   * How often the WebSocket mode pings each open socket, ms (default 30 s); one that left two pings in a
   * row unanswered is dropped at the next, its response aborted upstream.
   */
  webSocketHeartbeatMs?: number;
  /**
   * Which `Host` names are answered (others get 403 `host_not_allowed`): with `bindHost` a loopback
   * address, only loopback names, the bound address and `allowedHosts` (`*` for any). Without
   * `bindHost` (no socket) every host unless `allowedHosts` names some. `startGatewayServer` passes
   * its `host` as `bindHost`.
   */
  bindHost?: string;
  /** More `Host` names to answer besides the loopback ones, or `['*']` for any. */
  allowedHosts?: readonly string[];
  /**
   * Browser origins allowed to call the gateway, with CORS headers (`['*']` for any). A request with
   * any other `Origin` header gets 403 `origin_not_allowed`. Default: none.
   */
  allowedOrigins?: readonly string[];
  /**
   * Continuation (default on): recognised conversations go upstream as `previous_response_id` plus
   * only their new messages, over their own warm WebSocket. `false` sends every request in full.
   */
  continuation?: false | ContinuationOptions;
  /**
   * The Conversations API (`/v1/conversations`, `conversation` on `/v1/responses`; default on): its
   * conversations live in this gateway's memory, per client key, within these limits (defaults: 1000
   * conversations, 64 MiB, 24 hours unused). `false` turns it off (its routes answer 404).
   */
  conversationsApi?: false | ConversationStoreLimits;
  /**
   * Chat completions stored with `store: true`, for OpenAI's stored-completion endpoints (list,
   * retrieve, update metadata, delete, messages), in this gateway's memory, per client key, within these
   * limits (defaults: 1000 completions, 64 MiB, 24 hours). `false` turns it off (`store: true` keeps
   * nothing; the endpoints answer 404).
   */
  storedChatCompletions?: false | StoredChatCompletionLimits;
  /**
   * Limits of the responses the gateway runs in the background (`background: true`), in this process's
   * memory (defaults: 64 running, 256 kept for 30 minutes after they end, 8 MiB of events each and
   * 128 MiB in all for resumed streams).
   */
  backgroundResponses?: BackgroundResponseLimits;
  /**
   * Client keys besides `apiKey` (`codetether-server keys create`): each is accepted, counted under its
   * name in `/metrics`, and has conversations of its own. Each key's requests and tokens are published
   * to `usage` (every few seconds while they change) for `keys list`; `usageHome` is short for the
   * usage file `<usageHome>/client-key-usage.json`.
   */
  clientKeys?: { store: ClientKeyStore; usage?: ClientKeyUsageStore; usageHome?: string };
  /** Model names of the Anthropic and Ollama dialects to Codex models (default: the Claude families). */
  modelMap?: ModelMap;
  /**
   * Login profiles: a client key created with `--profile P` spends profile P's login. Without
   * `providerFor`, every request uses `provider` (and keys' profiles are ignored).
   */
  profiles?: GatewayProfileOptions;
  /** Told when the first `/v1` request starts while none is in flight and when the last one ends. */
  activityListener?: GatewayActivityListener;
}

/** How the gateway picks the login of a request (see {@link GatewayServerOptions.profiles}). */
export interface GatewayProfileOptions {
  /** The profile of the gateway's own key and of `provider` (default `default`). */
  serverProfile?: string;
  /** Creates the provider of another profile, once, when a key of that profile is first used. */
  providerFor?: (profile: string) => GatewayProvider;
  /**
   * Failover (`--failover A,B,…`, needs `providerFor`): a new conversation of a profile in this list goes
   * to the next profile of the list while its own is at its usage limit (until the reset time the
   * upstream named) or its login fails (for a minute); when none can take it, one 429 with the earliest
   * reset. Logged, counted in `codetether_server_failovers_total{from,to}` (and login failures in
   * `codetether_server_profile_login_failures_total{profile}`), and named by the `x-codetether-profile`
   * header every answer carries. Names that are not valid profile names are refused at start.
   */
  failover?: readonly string[];
}

/** Limits of the conversation index behind continuation. */
export interface ContinuationOptions {
  /**
   * The most conversations remembered, all keys together (default 256); beyond it, the least recently
   * used conversation of the key holding the most is closed (one key never evicts the others' ones).
   */
  maxConversations?: number;
  /** How long a conversation is remembered after its last turn, in ms (default 30 minutes). */
  maxAgeMs?: number;
  /**
   * The most bytes of conversation transcripts remembered, all keys together (default 128 MiB); beyond
   * it, the least recently used conversation of the key holding the most bytes is closed.
   */
  maxBytes?: number;
  /**
   * The most responses kept for `GET /v1/responses/{id}` besides each conversation's last one (earlier
   * turns', incomplete and failed ones), all keys together (default 16 × `maxConversations`); they count
   * in `maxBytes` and are forgotten `maxAgeMs` after they were kept.
   */
  maxResponses?: number;
}

/** The gateway application, not yet bound to a socket. */
export interface GatewayServer {
  /** The Hono application. */
  readonly app: Hono;
  /**
   * Answers one request (Fetch API), e.g. for `@hono/node-server` or tests. `env` is the adapter's
   * bindings (`@hono/node-server` passes Node's `incoming`/`outgoing`; streams are then written to it).
   */
  fetch(request: Request, env?: unknown): Promise<Response>;
  /** The metrics registry. */
  readonly metrics: GatewayMetrics;
  /** OpenAI's Responses WebSocket mode on `/v1/responses` (attach `handleUpgrade` to the server's `upgrade`). */
  readonly responsesWebSocket: ResponsesWebSocket;
  /** The conversations continuation remembers (`undefined` when continuation is off). */
  readonly conversations: ConversationIndex | undefined;
  /** The Conversations API's conversations (`undefined` when it is turned off). */
  readonly conversationStore: ConversationStore | undefined;
  /** The provider the routes use: `options.provider`, or the per-profile router (closing it closes every profile's provider). */
  readonly provider: GatewayProvider;
  /**
   * Number of `/v1` requests in flight right now: streams, non-streamed calls and stored-response
   * requests forwarded to the OpenAI API (`codetether_server_active_streams` counts the streams only).
   */
  readonly inFlightRequests: number;
  /** Refuses new requests with 503 from now on (used while shutting down). */
  startDraining(): void;
  /** Resolves once no `/v1` request is in flight. */
  waitForStreams(): Promise<void>;
  /**
   * Ends every in-flight request now: aborts its upstream and sends the client a final error (503
   * `server_shutting_down`: a stream's last event, or the answer of a non-streamed or forwarded request).
   */
  endStreams(): void;
  /**
   * Stops publishing the per-key usage every 2 s and publishes the final totals (after one in
   * progress); resolves once they are written (a failure is logged). Call it once the last request
   * ended — `close()` of a started gateway does. `{ publish: false }` only stops the ticks (a gateway
   * that never listened leaves the usage as it was).
   */
  flushKeyUsage(options?: { publish?: boolean }): Promise<void>;
}

/** A thrown value as the error the client gets: a `GatewayError` as is, anything else as a 500. */
function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return new GatewayError(
    500,
    'server_error',
    'The gateway failed unexpectedly. Check its logs and try again.',
    {
      cause: error,
      code: 'internal_error',
    },
  );
}

/**
 * Creates the OpenAI-compatible gateway: `POST /v1/chat/completions`, `POST /v1/responses`,
 * `GET /v1/models`, `GET /healthz`, `GET /metrics`, `GET /openapi.json`. Every `/v1` route needs
 * `Authorization: Bearer <apiKey>`; errors use OpenAI's JSON shape.
 *
 * @param options - provider, key, logger, clocks and limits
 */
// About 170 lines: the one place the shared context, the middleware chain (origin, drain, key and profile,
// body limit) and the routes are wired together; each piece is a call into its own module.
export function createGatewayServer(options: GatewayServerOptions): GatewayServer {
  const authenticator = createClientAuthenticator(options.apiKey, options.clientKeys?.store);
  const logger = options.logger ?? createGatewayLogger();
  const metrics = options.metrics ?? new GatewayMetrics();
  const now = options.now ?? Date.now;
  const usageHome = options.clientKeys?.usageHome;
  const usageStore =
    options.clientKeys?.usage ??
    (usageHome === undefined ? undefined : createFileClientKeyUsageStore({ home: usageHome, now }));
  const usageWriter = createKeyUsageWriter(metrics, logger, usageStore);
  const serverProfile = options.profiles?.serverProfile ?? DEFAULT_PROFILE;
  const routesProfiles = options.profiles?.providerFor !== undefined;
  /** Authenticates a request's key; resolves to its name and the profile whose login it spends. */
  const authenticate = async (authorization: string | undefined): Promise<AuthenticatedClient> => {
    const keyName = await authenticator.authenticate(authorization);
    const profile = routesProfiles ? (authenticator.profileOf(keyName) ?? serverProfile) : serverProfile;
    return { keyName, profile };
  };
  const streams = new ActiveStreamRegistry(options.activityListener);
  const monotonicNow = options.monotonicNow ?? (() => performance.now());
  const profileRouting = createGatewayProfileRouting(options, { serverProfile, now, logger, metrics });
  let draining = false;
  const context: GatewayContext = {
    provider: profileRouting.provider,
    metrics,
    logger,
    streams,
    isDraining: () => draining,
    now,
    startedAtSeconds: Math.floor(now() / 1000),
    monotonicNow,
    reasoningContent: options.reasoningContent ?? 'auto',
    maxJsonDepth: options.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH,
    writeStreamsDirectly: (options.allowedOrigins ?? []).length === 0,
    sessionLanes: createUpstreamSessionLanes(),
    backgroundResponses: new BackgroundResponseRegistry(options.backgroundResponses ?? {}, now),
    conversations:
      options.continuation === false
        ? undefined
        : new ConversationIndex(
            {
              maxEntries: options.continuation?.maxConversations ?? DEFAULT_CONVERSATION_INDEX_MAX_ENTRIES,
              maxAgeMs: options.continuation?.maxAgeMs ?? DEFAULT_CONVERSATION_INDEX_MAX_AGE_MS,
              maxBytes: options.continuation?.maxBytes ?? DEFAULT_CONVERSATION_INDEX_MAX_BYTES,
              maxResponses: options.continuation?.maxResponses,
            },
            now,
          ),
  };
  if (context.conversations !== undefined) metrics.observeConversations(context.conversations);
  metrics.observeBackgroundResponses(context.backgroundResponses);
  if (options.storedChatCompletions !== false) {
    context.storedChatCompletions = new StoredChatCompletionStore(options.storedChatCompletions ?? {}, now);
    metrics.observeStoredChatCompletions(context.storedChatCompletions);
  }
  if (options.conversationsApi !== false) {
    context.conversationStore = new ConversationStore(options.conversationsApi ?? {}, now, (reason) =>
      metrics.recordStoredConversationEviction(reason),
    );
    metrics.observeStoredConversations(context.conversationStore);
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const originPolicy = createRequestOriginPolicy({
    bindHost: options.bindHost,
    allowedHosts: options.allowedHosts,
    allowedOrigins: options.allowedOrigins,
  });

  // The one list of routes: it registers the handlers, labels metrics, answers 405s and is what
  // GET /openapi.json describes. Add a route in gateway-route-table.ts.
  const routes = createGatewayRouteTable(context, {
    isDraining: () => draining,
    profileStates:
      profileRouting.limits === undefined ? undefined : () => profileRouting.limits?.states() ?? [],
    ...(options.modelMap === undefined ? {} : { modelMap: options.modelMap }),
  });
  const routeOf = createRouteLabeler(routes);
  const errorBodyOf = createErrorBodyFormatter(routes);

  const app = new Hono<GatewayEnvironment>();

  const errorResponse = (error: GatewayError, requestId: string | undefined, path: string): Response => {
    const headers: Record<string, string> = { ...error.toHeaders() };
    if (requestId !== undefined) headers['x-request-id'] = requestId;
    if (draining) headers.connection = 'close';
    return Response.json(errorBodyOf(path, error), { status: error.status, headers });
  };

  app.use('*', async (c, next) => {
    const startedAt = monotonicNow();
    const requestId =
      c.req.header('x-request-id')?.slice(0, 128) || `req_${randomUUID().replaceAll('-', '')}`;
    c.set('startedAt', startedAt);
    c.set('requestId', requestId);
    const refusal = refuseByHostOrOrigin(originPolicy, c.req.raw);
    if (refusal !== undefined) {
      c.res = errorResponse(refusal, requestId, c.req.path);
    } else if (draining) {
      c.res = errorResponse(drainingError(), requestId, c.req.path);
    } else {
      await next();
      // A stream written straight to Node's response carries the id in its own head.
      if (c.res !== STREAM_WRITTEN_DIRECTLY) c.res.headers.set('x-request-id', requestId);
    }
    recordFinishedRequest(metrics, logger, {
      requestId,
      method: c.req.method,
      route: routeOf(c.req.path),
      status: c.res.status,
      durationMs: Math.round((monotonicNow() - startedAt) * 1000) / 1000,
    });
  });

  app.onError((error, c) => {
    const gatewayError = toGatewayError(error);
    if (gatewayError.status >= 500 || !(error instanceof GatewayError)) {
      logger.error(
        {
          route: routeOf(c.req.path),
          code: gatewayError.code,
          error: error instanceof Error ? error.message : String(error),
        },
        'request error',
      );
    }
    metrics.recordError(routeOf(c.req.path), gatewayError.code ?? gatewayError.type);
    return errorResponse(gatewayError, c.get('requestId'), c.req.path);
  });

  if (originPolicy.corsEnabled) app.use('*', createCorsMiddleware(options.allowedOrigins ?? []));

  app.notFound((c) => {
    throw new GatewayError(404, 'invalid_request_error', `Unknown endpoint ${c.req.method} ${c.req.path}.`, {
      code: 'unknown_url',
    });
  });

  const bodyLimit = createRequestBodyLimit(maxBodyBytes, () => {
    throw new GatewayError(
      413,
      'invalid_request_error',
      `The request body is larger than the gateway's limit of ${maxBodyBytes} bytes.`,
      { code: 'request_too_large' },
    );
  });
  for (const pattern of SERVER_KEY_PATH_PATTERNS) {
    app.use(pattern, async (c, next) => {
      const { keyName, profile } = await authenticate(authorizationOf(c.req.raw.headers));
      metrics.recordKeyRequest(keyName);
      c.set('clientKeyName', keyName);
      await runInProfileScope(profile, async (scope) => {
        await next();
        // A stream written straight to Node's response carries the header in its own head.
        if (c.res !== STREAM_WRITTEN_DIRECTLY) c.res.headers.set(PROFILE_HEADER, scope.used ?? scope.profile);
      });
    });
    app.use(pattern, bodyLimit);
  }

  registerRoutes(app, routes);

  return {
    app: app as unknown as Hono,
    fetch: async (request, env) => app.fetch(request, env),
    metrics,
    conversations: context.conversations,
    conversationStore: context.conversationStore,
    provider: context.provider,
    responsesWebSocket: createResponsesWebSocket(context, {
      authenticate,
      isDraining: () => draining,
      refuseHostOrOrigin: (host, origin) => refuseHostOrOrigin(originPolicy, host, origin),
      maxFrameBytes: maxBodyBytes,
      heartbeatMs: options.webSocketHeartbeatMs,
      routeLabelOf: routeOf,
    }),
    // biome-ignore lint/plugin: one gateway object lives as long as the server; the embedding API has the property.
    get inFlightRequests() {
      return streams.size;
    },
    startDraining() {
      draining = true;
    },
    flushKeyUsage: (flushOptions) => usageWriter.flush(flushOptions),
    waitForStreams: () => streams.waitForIdle(),
    endStreams: () => streams.stopAll('shutdown'),
  };
}

/**
 * The provider the routes use: `options.provider` itself, or — with `profiles.providerFor` — a router
 * sending each request with its key's profile, with failover when `profiles.failover` lists profiles
 * (then also the failover state, which `GET /healthz` reports). Invalid profile names are refused.
 */
function createGatewayProfileRouting(
  options: GatewayServerOptions,
  shared: { serverProfile: string; now: () => number; logger: GatewayLogger; metrics: GatewayMetrics },
): { provider: GatewayProvider; limits?: ProfileLimits | undefined } {
  const providerFor = options.profiles?.providerFor;
  const failoverOrder = options.profiles?.failover ?? [];
  for (const name of [shared.serverProfile, ...failoverOrder]) {
    if (!isValidProfileName(name)) {
      throw new TypeError(
        `The profile name ${JSON.stringify(name.slice(0, 80))} is not valid: use 1-64 of a-z 0-9 - _, starting with a letter or digit.`,
      );
    }
  }
  if (providerFor === undefined) {
    if (failoverOrder.length > 0) throw new TypeError('Failover needs profiles.providerFor.');
    return { provider: options.provider };
  }
  const failover =
    failoverOrder.length === 0
      ? undefined
      : {
          limits: new ProfileLimits(failoverOrder, shared.now),
          onFailover(event: FailoverEvent) {
            shared.metrics.recordFailover(event.from, event.to);
            const why = event.reason === 'login' ? 'cannot log in' : 'is at its usage limit';
            shared.logger.warn(
              {
                from: event.from,
                to: event.to,
                reason: event.reason,
                ...(Number.isFinite(event.limitedUntil)
                  ? { until: new Date(event.limitedUntil).toISOString() }
                  : {}),
              },
              `profile '${event.from}' ${why}: a new conversation goes to profile '${event.to}'`,
            );
          },
          onProfileUnavailable(event: ProfileUnavailableEvent) {
            shared.metrics.recordProfileLoginFailure(event.profile);
            shared.logger.warn(
              { profile: event.profile, code: event.code, until: new Date(event.until).toISOString() },
              `the login of profile '${event.profile}' failed (${event.code}): new conversations skip it until ` +
                `${new Date(event.until).toISOString()}; run \`codetether auth login --profile ${event.profile}\` to fix it`,
            );
          },
        };
  const provider = createProfileRoutingProvider({
    defaultProfile: shared.serverProfile,
    defaultProvider: options.provider,
    providerFor,
    failover,
  });
  return { provider, limits: failover?.limits };
}
