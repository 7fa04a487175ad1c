import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { clientWentAway, requestFailure } from './answer-stream-lifecycle.js';
import type { AuthenticatedClient } from './client-authentication.js';
import { openConversationResponseStream } from './conversation-response-stream.js';
import { recordFinishedRequest } from './finished-request.js';
import type { GatewayContext } from './gateway-context.js';
import { UNMATCHED_ROUTE_LABEL } from './gateway-routes.js';
import { jsonNestingError } from './json-nesting-limit.js';
import { GatewayError } from './openai-error.js';
import { runInProfileScope } from './profile-scope.js';
import { reportRateLimits } from './rate-limit-headers.js';
import { isOpenAiResponsesEventType } from './relayed-response-events.js';
import { recordResponseUsage } from './response-usage-metrics.js';
import { responsesRequestSchema, TERMINAL_RESPONSE_EVENT_TYPES } from './responses-route.js';
import { drainingError, trackRequest } from './tracked-request.js';
import { mapProviderError, upstreamIncompleteError } from './upstream-error-mapping.js';
import { validationErrorToGatewayError } from './validation-error.js';
import { closeWithinGrace } from './websocket-close.js';
import { drained } from './writable-drained.js';

/** The path clients open OpenAI's Responses WebSocket mode on. */
export const RESPONSES_WEBSOCKET_PATH = '/v1/responses';

/** How often the gateway pings each open WebSocket by default, ms. */
export const DEFAULT_WEBSOCKET_HEARTBEAT_MS = 30_000;

/** The type prefix of the ChatGPT backend's own events (`codex.rate_limits`, `codex.response.metadata`). */
const CODEX_EVENT_PREFIX = 'codex.';

/**
 * Whether the client is the Codex CLI, by the `originator` it sends (`codex_cli_rs`, `codex_exec`,
 * `codex_vscode`…): it gets the ChatGPT backend's own events, as from the backend itself.
 */
function isCodexClient(headers: Headers): boolean {
  return headers.get('originator')?.startsWith('codex') ?? false;
}

/** Pings in a row a socket may leave unanswered; at the next check it is dropped. */
const UNANSWERED_PINGS_ALLOWED = 2;

/** Close codes the gateway uses on its Responses WebSocket. */
export const RESPONSES_WEBSOCKET_CLOSE_CODES = {
  /** The gateway shuts down. */
  goingAway: 1001,
  /** A binary frame: only JSON text frames are understood. */
  unsupportedData: 1003,
  /** A text frame that is not JSON. */
  invalidPayload: 1007,
  /** A JSON frame that is not a `response.create` object. */
  policyViolation: 1008,
  /** A frame larger than the body limit (sent by `ws` itself). */
  messageTooBig: 1009,
} as const;

/** Options of {@link createResponsesWebSocket}. */
export interface ResponsesWebSocketOptions {
  /**
   * Checks the `Authorization` header — on the upgrade, and again for each `response.create` — and
   * resolves to the key's name (per-key metrics) and login profile (the response runs in that
   * profile's scope); throws a 401 {@link GatewayError} otherwise.
   */
  authenticate(authorization: string | undefined): Promise<AuthenticatedClient>;
  /** Whether the gateway is shutting down (upgrades, and `response.create`s on open sockets, then get 503). */
  isDraining(): boolean;
  /** The 403 for an upgrade request whose `Host` or `Origin` header the gateway does not answer. */
  refuseHostOrOrigin(host: string | undefined, origin: string | undefined): GatewayError | undefined;
  /** Largest frame accepted, in bytes (larger ones close the socket with 1009). */
  maxFrameBytes: number;
  /**
   * How often each open socket is pinged, ms (default {@link DEFAULT_WEBSOCKET_HEARTBEAT_MS}). A socket
   * that left two pings in a row unanswered at the next ping is dropped (its response, if any, is
   * aborted upstream), so a peer gone without closing does not hold a connection forever.
   */
  heartbeatMs?: number | undefined;
  /**
   * The metrics and request-log label of a path (the HTTP routes' labeler), for upgrades refused on
   * other paths; by default `/v1/responses` for that path and `other` for the rest.
   */
  routeLabelOf?: ((path: string) => string) | undefined;
}

/** What every response of one socket shares: the upgrade request's headers, as read once. */
interface SocketClient {
  /** The upgrade request's headers (session id, client key…), as a `Headers`. */
  readonly headers: Headers;
  /** Its `Authorization` header, checked again for each `response.create`. */
  readonly authorization: string | undefined;
  /** Whether it is the Codex CLI (see {@link isCodexClient}). */
  readonly relaysChatGptEvents: boolean;
  /** The upgraded TCP connection under the socket: its write buffer tells whether the client keeps up. */
  readonly connection: Duplex;
}

/** The Responses WebSocket endpoint of a gateway. */
export interface ResponsesWebSocket {
  /** The Node server's `upgrade` listener: answers upgrades on `/v1/responses`, refuses the rest. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /**
   * Closes every open socket (1001), and resolves once they are all closed: a socket whose client did
   * not answer the close frame within a second (or stopped reading) is cut off then.
   */
  close(): Promise<void>;
}

function rejectUpgrade(socket: Duplex, error: GatewayError): void {
  const body = JSON.stringify(error.toBody());
  const headers = {
    ...error.toHeaders(),
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  };
  const head = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\r\n');
  socket.end(`HTTP/1.1 ${error.status} ${error.type}\r\n${head}\r\nconnection: close\r\n\r\n${body}`);
}

/** The path of a request target, or `undefined` when it is not a URL (`http://[::1`, `//[x`…). */
function pathOf(target: string | undefined): string | undefined {
  try {
    return new URL(target ?? '/', 'http://gateway').pathname;
  } catch {
    return undefined;
  }
}

/** Destroys the socket whose error it receives (a reset connection has nothing more to answer). */
function destroySocket(this: Duplex): void {
  this.destroy();
}

function toHeaders(request: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) headers.set(name, value.join(', '));
  }
  return headers;
}

/** OpenAI's error event of the WebSocket mode. */
function errorEvent(error: GatewayError): Record<string, unknown> {
  return { type: 'error', status: error.status, error: error.toBody().error };
}

/**
 * Refuses `background: true` on the socket: a background response outlives the request that made it,
 * and is read back over HTTP (`GET /v1/responses/{id}`), so it is created there too.
 */
function refuseBackgroundOverWebSocket(body: Record<string, unknown>): void {
  if (body.background !== true) return;
  throw new GatewayError(
    400,
    'invalid_request_error',
    'Background responses are not supported in WebSocket mode: create them with `POST /v1/responses` over HTTP (`background: true`), then retrieve, stream or cancel them there. Over the socket, send the request without `background`.',
    { param: 'background', code: 'unsupported_parameter' },
  );
}

/**
 * Streams one response over the socket, as one request: tracked for shutdown, counted in the metrics
 * (upstream latency, time to first token, usage windows, tokens of the key) and in the request log,
 * all timed from `startedAt`, when its frame arrived (as an HTTP request's are from its arrival).
 */
async function streamResponse(
  context: GatewayContext,
  socket: WebSocket,
  { headers, relaysChatGptEvents, connection }: SocketClient,
  body: Record<string, unknown>,
  clientKey: string,
  startedAt: number,
): Promise<void> {
  const secondsSinceStart = (): number => (context.monotonicNow() - startedAt) / 1000;
  /** The HTTP status the response would have had (its error event's), for the request log. */
  let status = 200;
  // The request carries no signal: a `Request` links a signal given to it only through a weak
  // reference, so once a garbage collection took the `Request` (nothing else holds it), a client closing
  // the socket would no longer abort the upstream. The socket's 'close' aborts the tracked request itself.
  const tracked = trackRequest(
    context,
    new Request(`http://gateway${RESPONSES_WEBSOCKET_PATH}`, { method: 'POST', headers }),
    clientKey,
  );
  const onClose = (): void => tracked.abort(new Error('The client closed the WebSocket.'));
  socket.once('close', onClose);
  // Its client may have gone while its key was checked (a shared key store answers after a round trip).
  if (socket.readyState !== socket.OPEN) onClose();
  /** Whether the response is counted as an open stream (`codetether_server_active_streams`), as an HTTP stream is. */
  let streamOpen = false;
  try {
    // Nothing goes upstream for a client that is gone.
    if (clientWentAway(tracked)) return;
    refuseBackgroundOverWebSocket(body);
    const stream = await openConversationResponseStream(context, body, headers, {
      signal: tracked.upstream.signal,
      sessionId: tracked.sessionId,
    });
    context.metrics.streamOpened();
    streamOpen = true;
    context.metrics.observeUpstreamLatency(RESPONSES_WEBSOCKET_PATH, secondsSinceStart());
    // The account's usage windows for `/metrics` (over HTTP they also go out as `x-codex-*` headers).
    reportRateLimits(context, stream.rateLimits);
    let firstTokenSent = false;
    for await (const event of stream.events) {
      if (socket.readyState !== socket.OPEN) return;
      const type = (event as { type?: unknown }).type;
      if (typeof type !== 'string') continue;
      // OpenAI Responses events go to every client; the ChatGPT backend's own (`codex.rate_limits`…) only
      // to the Codex CLI, which reads its usage windows from them (the OpenAI SDKs' helpers fail on them).
      if (!isOpenAiResponsesEventType(type) && !(relaysChatGptEvents && type.startsWith(CODEX_EVENT_PREFIX)))
        continue;
      socket.send(JSON.stringify(event));
      // Backpressure, as the HTTP routes have: the next event is read from upstream only once the client
      // took this one in, so a client that reads slowly (or not at all) does not make the gateway hold the
      // rest of the answer in memory.
      if (connection.writableNeedDrain) await drained(connection);
      if (!firstTokenSent && type.endsWith('.delta')) {
        firstTokenSent = true;
        context.metrics.observeTimeToFirstToken(RESPONSES_WEBSOCKET_PATH, secondsSinceStart());
      }
      // An upstream `error` event ends the response too (it has no usage).
      if (type === 'error') return;
      if (TERMINAL_RESPONSE_EVENT_TYPES.has(type)) {
        recordResponseUsage(context, (event as { response?: unknown }).response, clientKey);
        return;
      }
    }
    throw upstreamIncompleteError();
  } catch (error) {
    if (clientWentAway(tracked)) return;
    const mapped = requestFailure(context, tracked, error);
    status = mapped.status;
    context.metrics.recordError(RESPONSES_WEBSOCKET_PATH, mapped.code ?? mapped.type);
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(errorEvent(mapped)));
  } finally {
    socket.off('close', onClose);
    if (streamOpen) context.metrics.streamClosed();
    tracked.release();
    recordResponseCreate(context, status, startedAt);
  }
}

/**
 * Counts one `response.create` as a request (`codetether_server_requests_total` with method
 * `response.create`) and writes its line of the request log, as the HTTP routes do for each request:
 * answered or refused, with the status of its answer (its error event's when it got one).
 */
function recordResponseCreate(context: GatewayContext, status: number, startedAt: number): void {
  recordFinishedRequest(context.metrics, context.logger, {
    method: 'response.create',
    route: RESPONSES_WEBSOCKET_PATH,
    transport: 'websocket',
    status,
    durationMs: Math.round((context.monotonicNow() - startedAt) * 1000) / 1000,
  });
}

/** Answers a `response.create` with an error event (the socket stays open) and records it as refused. */
function refuseResponseCreate(
  context: GatewayContext,
  socket: WebSocket,
  error: GatewayError,
  startedAt: number,
): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(errorEvent(error)));
  recordResponseCreate(context, error.status, startedAt);
}

/**
 * Runs one `response.create` as a request of its own: refused while the gateway shuts down (a 503 error
 * event, then the socket closes with 1001, as HTTP requests get 503 then); the key is checked again (a key
 * revoked while the socket is open is refused — a 401 error event, then the socket closes with 1008 — and
 * a key's changed profile applies), and the response counts as a request of the key. Answered or refused,
 * it is one request of the metrics and the request log (`startedAt`: when its frame arrived).
 */
async function answerResponseCreate(
  context: GatewayContext,
  options: Pick<ResponsesWebSocketOptions, 'authenticate' | 'isDraining'>,
  socket: WebSocket,
  client: SocketClient,
  body: Record<string, unknown>,
  startedAt: number,
): Promise<void> {
  if (options.isDraining()) {
    refuseResponseCreate(context, socket, drainingError(), startedAt);
    closeWithinGrace(socket, RESPONSES_WEBSOCKET_CLOSE_CODES.goingAway, 'The gateway is shutting down.');
    return;
  }
  let authenticated: AuthenticatedClient;
  try {
    authenticated = await options.authenticate(client.authorization);
  } catch (error) {
    const refused = error instanceof GatewayError ? error : mapProviderError(error, context.now());
    refuseResponseCreate(context, socket, refused, startedAt);
    if (refused.status === 401 && socket.readyState === socket.OPEN)
      closeWithinGrace(
        socket,
        RESPONSES_WEBSOCKET_CLOSE_CODES.policyViolation,
        'The key is no longer valid.',
      );
    return;
  }
  context.metrics.recordKeyRequest(authenticated.keyName);
  await runInProfileScope(authenticated.profile, () =>
    streamResponse(context, socket, client, body, authenticated.keyName, startedAt),
  );
}

/**
 * Reads one frame as a `response.create` body, checked as the HTTP route checks its body; when it is
 * not one, closes the socket (binary, not JSON, not a `response.create` object) or sends an error event
 * (too deep, a response in flight, a bad field: the socket stays open) and returns `undefined`.
 */
function readResponseCreate(
  context: GatewayContext,
  socket: WebSocket,
  data: RawData,
  isBinary: boolean,
  inFlight: boolean,
  startedAt: number,
): Record<string, unknown> | undefined {
  if (isBinary) {
    closeWithinGrace(socket, RESPONSES_WEBSOCKET_CLOSE_CODES.unsupportedData, 'Send JSON text frames.');
    return undefined;
  }
  const text = String(data);
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    closeWithinGrace(socket, RESPONSES_WEBSOCKET_CLOSE_CODES.invalidPayload, 'The frame is not valid JSON.');
    return undefined;
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    closeWithinGrace(socket, RESPONSES_WEBSOCKET_CLOSE_CODES.policyViolation, 'Send a JSON object.');
    return undefined;
  }
  // Checked as the HTTP route checks its body (an error event; the socket stays open).
  const nestingError = jsonNestingError(text, message, context.maxJsonDepth);
  if (nestingError !== undefined) {
    refuseResponseCreate(context, socket, nestingError, startedAt);
    return undefined;
  }
  const { type, ...body } = message as Record<string, unknown>;
  if (type !== 'response.create') {
    closeWithinGrace(
      socket,
      RESPONSES_WEBSOCKET_CLOSE_CODES.policyViolation,
      `Unsupported message type; send {"type":"response.create", ...}.`,
    );
    return undefined;
  }
  if (inFlight) {
    const error = new GatewayError(
      409,
      'invalid_request_error',
      'A response is already in flight on this WebSocket. Wait for its final event, or open another socket.',
      { code: 'response_already_in_flight' },
    );
    refuseResponseCreate(context, socket, error, startedAt);
    return undefined;
  }
  if (typeof body.model !== 'string' || body.model === '') {
    const error = new GatewayError(
      400,
      'invalid_request_error',
      'The request has no `model`. Set `model`, e.g. "gpt-5.4".',
      {
        param: 'model',
        code: 'missing_required_parameter',
      },
    );
    refuseResponseCreate(context, socket, error, startedAt);
    return undefined;
  }
  const checked = responsesRequestSchema.safeParse(body);
  if (!checked.success) {
    refuseResponseCreate(context, socket, validationErrorToGatewayError(checked.error), startedAt);
    return undefined;
  }
  return body;
}

/** Pings open sockets and drops those that stopped answering (see `heartbeatMs`). */
interface Heartbeat {
  /** Starts watching a newly opened socket (until it closes). */
  watch(socket: WebSocket): void;
  /** Stops pinging (the gateway is closing). */
  stop(): void;
}

/**
 * Creates the heartbeat: one timer (running only while some socket is open, never keeping the process
 * alive) pings every socket each `intervalMs`; a pong resets the socket's count of unanswered pings. A
 * live peer answers each ping before the next check (both travel between two turns of the event loop),
 * so only a peer that is gone reaches the limit.
 */
function createHeartbeat(intervalMs: number): Heartbeat {
  const unanswered = new Map<WebSocket, number>();
  let timer: ReturnType<typeof setInterval> | undefined;
  const check = (): void => {
    for (const [socket, count] of unanswered) {
      if (count >= UNANSWERED_PINGS_ALLOWED) {
        unanswered.delete(socket);
        socket.terminate();
        continue;
      }
      unanswered.set(socket, count + 1);
      socket.ping();
    }
  };
  const stopWhenIdle = (): void => {
    if (unanswered.size > 0 || timer === undefined) return;
    clearInterval(timer);
    timer = undefined;
  };
  return {
    watch(socket) {
      unanswered.set(socket, 0);
      socket.on('pong', () => {
        if (unanswered.has(socket)) unanswered.set(socket, 0);
      });
      socket.once('close', () => {
        unanswered.delete(socket);
        stopWhenIdle();
      });
      if (timer === undefined) {
        timer = setInterval(check, intervalMs);
        timer.unref();
      }
    },
    stop() {
      unanswered.clear();
      stopWhenIdle();
    },
  };
}

/** The 404 for an upgrade request on another path than {@link RESPONSES_WEBSOCKET_PATH}. */
function unknownPathError(path: string): GatewayError {
  return new GatewayError(
    404,
    'invalid_request_error',
    `No WebSocket endpoint at ${path}; use ${RESPONSES_WEBSOCKET_PATH}.`,
    { code: 'unknown_url' },
  );
}

/** The 405 for an upgrade request to the endpoint with another method than `GET`. */
function methodNotAllowedError(method: string | undefined): GatewayError {
  return new GatewayError(
    405,
    'invalid_request_error',
    `A WebSocket is opened with GET ${RESPONSES_WEBSOCKET_PATH}, not ${method}.`,
    { code: 'method_not_allowed', headers: { allow: 'GET' } },
  );
}

/** The 400 for an upgrade whose handshake `ws` refuses (its message says which header is wrong). */
function handshakeError(error: Error): GatewayError {
  return new GatewayError(
    400,
    'invalid_request_error',
    `${error.message}: the WebSocket handshake is not valid. Open the socket with a WebSocket client (version 13).`,
    { code: 'invalid_websocket_handshake', headers: { 'sec-websocket-version': '13' } },
  );
}

/**
 * Returns a check to run after each frame read: when the answers to earlier frames wait to be sent (the
 * connection's write buffer is full), it stops reading the client's frames until the connection drains.
 * A client that sends frames and reads nothing — each refused with an error event — would otherwise make
 * the gateway queue every answer in memory. (Pings are `ws`'s: it cuts off a client with 60 pongs unsent.)
 */
function pauseReadingWhileAnswersWait(socket: WebSocket, connection: Duplex): () => void {
  let readingPaused = false;
  return () => {
    if (readingPaused || !connection.writableNeedDrain) return;
    readingPaused = true;
    socket.pause();
    void drained(connection).then(() => {
      readingPaused = false;
      socket.resume();
    });
  };
}

/**
 * Closes every open socket of `server` (1001) and resolves once all are closed. A client that never
 * answers the close frame, or no longer reads, is cut off a second later ({@link closeWithinGrace}): it
 * would otherwise hold its connection — and the gateway's shutdown — until `ws`'s own 30-second close
 * timeout.
 */
async function closeAllSockets(server: WebSocketServer): Promise<void> {
  const open = [...server.clients];
  const allClosed = Promise.all(
    open.map(
      (client) =>
        new Promise<void>((resolve) => {
          if (client.readyState === client.CLOSED) resolve();
          else client.once('close', () => resolve());
        }),
    ),
  );
  for (const client of open)
    closeWithinGrace(client, RESPONSES_WEBSOCKET_CLOSE_CODES.goingAway, 'The gateway is shutting down.');
  server.close();
  await allClosed;
}

/**
 * Creates OpenAI's Responses WebSocket mode on `/v1/responses`: the client sends `response.create`
 * messages (a Responses body with `type: "response.create"`), the gateway answers each with the
 * response's events, one JSON event per message, continuing conversations as `POST /v1/responses`
 * does. One response at a time per socket (a second one gets a `response_already_in_flight` error
 * event). The upgrade request must carry the gateway key.
 *
 * @param context - shared gateway state
 * @param options - authentication, draining flag, frame limit
 */
export function createResponsesWebSocket(
  context: GatewayContext,
  options: ResponsesWebSocketOptions,
): ResponsesWebSocket {
  const server = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes });
  const heartbeat = createHeartbeat(options.heartbeatMs ?? DEFAULT_WEBSOCKET_HEARTBEAT_MS);
  const routeLabelOf =
    options.routeLabelOf ??
    ((path: string) => (path === RESPONSES_WEBSOCKET_PATH ? path : UNMATCHED_ROUTE_LABEL));

  /**
   * Counts an upgrade request as a request (its method, `GET` but for a refused other one, with the
   * status it got: 101, or its refusal's) and writes its line of the request log, as for every HTTP request.
   */
  const recordUpgrade = (route: string, status: number, startedAt: number, method = 'GET'): void => {
    recordFinishedRequest(context.metrics, context.logger, {
      method,
      route,
      transport: 'websocket',
      status,
      durationMs: Math.round((context.monotonicNow() - startedAt) * 1000) / 1000,
    });
  };
  const refuseUpgrade = (
    socket: Duplex,
    route: string,
    startedAt: number,
    error: GatewayError,
    method = 'GET',
  ): void => {
    rejectUpgrade(socket, error);
    recordUpgrade(route, error.status, startedAt, method);
  };

  /** When each upgrade request handed to `ws` arrived (its refusal, if `ws` refuses it, is timed from then). */
  const handshakeStartedAt = new WeakMap<IncomingMessage, number>();
  // A handshake `ws` refuses (a bad `Sec-WebSocket-Key`, `-Version` or `-Protocol`) is answered as every
  // refused request is — an OpenAI error body, a line of the request log, a request of the metrics —
  // instead of `ws`'s plain-text answer, which neither logs nor counts it.
  server.on('wsClientError', (error: Error, socket: Duplex, request: IncomingMessage) => {
    refuseUpgrade(
      socket,
      RESPONSES_WEBSOCKET_PATH,
      handshakeStartedAt.get(request) ?? context.monotonicNow(),
      handshakeError(error),
    );
  });

  const onConnection = (socket: WebSocket, request: IncomingMessage, connection: Duplex): void => {
    // A frame that breaks the protocol (not UTF-8, above the limit, unmasked, a bad opcode or close
    // code…) makes `ws` close the socket with its code (1007, 1009, 1002) and emit 'error': with no
    // listener, that event would end the process.
    socket.on('error', (error: Error & { code?: string }) => {
      context.logger.debug(
        { code: error.code, error: error.message },
        'a WebSocket client broke the protocol; its socket is closed',
      );
    });
    heartbeat.watch(socket);
    const headers = toHeaders(request);
    const client: SocketClient = {
      headers,
      authorization: request.headers.authorization,
      relaysChatGptEvents: isCodexClient(headers),
      connection,
    };
    let inFlight = false;
    const readOnlyAsFastAsAnswered = pauseReadingWhileAnswersWait(socket, connection);
    socket.on('message', (data: RawData, isBinary: boolean) => {
      const startedAt = context.monotonicNow();
      const body = readResponseCreate(context, socket, data, isBinary, inFlight, startedAt);
      readOnlyAsFastAsAnswered();
      if (body === undefined) return;
      inFlight = true;
      void answerResponseCreate(context, options, socket, client, body, startedAt).finally(() => {
        inFlight = false;
      });
    });
  };

  return {
    handleUpgrade(request, socket, head) {
      const startedAt = context.monotonicNow();
      // Node takes its own error listener off a socket it hands to `upgrade`: until `ws` adds one, a
      // client that resets the connection (while its key is checked, or its refusal is written) would
      // raise an 'error' event nobody listens to, which ends the process.
      socket.on('error', destroySocket);
      const path = pathOf(request.url);
      if (path === undefined) {
        refuseUpgrade(
          socket,
          UNMATCHED_ROUTE_LABEL,
          startedAt,
          new GatewayError(400, 'invalid_request_error', 'The request target is not a valid URL path.', {
            code: 'invalid_url',
          }),
        );
        return;
      }
      if (path !== RESPONSES_WEBSOCKET_PATH) {
        refuseUpgrade(socket, routeLabelOf(path), startedAt, unknownPathError(path));
        return;
      }

      if (request.method !== 'GET') {
        refuseUpgrade(
          socket,
          RESPONSES_WEBSOCKET_PATH,
          startedAt,
          methodNotAllowedError(request.method),
          request.method,
        );
        return;
      }

      void (async () => {
        try {
          // The Host and Origin checks of every HTTP request (DNS rebinding, browser pages).
          const refusal = options.refuseHostOrOrigin(request.headers.host, request.headers.origin);
          if (refusal !== undefined) throw refusal;
          if (options.isDraining()) throw drainingError();
          await options.authenticate(request.headers.authorization);
        } catch (error) {
          const refused = error instanceof GatewayError ? error : mapProviderError(error, context.now());
          refuseUpgrade(socket, RESPONSES_WEBSOCKET_PATH, startedAt, refused);
          return;
        }
        handshakeStartedAt.set(request, startedAt);
        server.handleUpgrade(request, socket, head, (webSocket) => {
          recordUpgrade(RESPONSES_WEBSOCKET_PATH, 101, startedAt);
          onConnection(webSocket, request, socket);
        });
      })();
    },
    async close() {
      heartbeat.stop();
      await closeAllSockets(server);
    },
  };
}
