import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import type { EmulatorContext } from '../context.js';
import { parseBodyText, parseRequestTarget } from '../http-utilities.js';
import { createId } from '../ids.js';
import { apiError } from './error-bodies.js';
import { playEvents } from './event-playback.js';
import { prepareResponse } from './prepare-response.js';
import { RESPONSES_PATHS, type ResponsesBackend, validateCredentials } from './request-validation.js';
import type { ResponsesEvent } from './response-events.js';
import { UNFINISHED_SCENARIOS } from './scenario-plan.js';

/** Largest WebSocket frame accepted (bytes); bigger frames close the socket with 1009. */
export const MAX_FRAME_BYTES = 32 * 1024 * 1024;

/** Buffered bytes above which the sender waits for the socket to drain. */
const HIGH_WATER_MARK = 1024 * 1024;

/** The WebSocket side of the Responses endpoints. */
export interface WebSocketEndpoint {
  /** Handles an HTTP upgrade request (any path; non-Responses paths get 404). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Terminates every open socket. */
  closeAll(): void;
  /** Open sockets. */
  readonly openSockets: number;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  426: 'Upgrade Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * Creates the WebSocket endpoint: upgrades on `/backend-api/codex/responses` and `/v1/responses` after
 * the same credential checks as HTTP (refusals are plain HTTP responses with the JSON error body). The
 * handshake response carries the `x-codex-*` rate-limit headers (ChatGPT backend). Each
 * `response.create` frame runs one response: a `codex.rate_limits` event (ChatGPT backend), then one
 * JSON event per frame. Failures arrive as `{type:"error", status_code, error, headers}` events and
 * leave the socket open; responses on one socket run one after another.
 *
 * @param context - emulator state
 * @param recordRefusal - records a refused handshake
 * @param recordFrame - records a `response.create` frame (returns a setter for its scenario)
 */
export function createWebSocketEndpoint(
  context: EmulatorContext,
  recordRefusal: (request: IncomingMessage) => void,
  recordFrame: (request: IncomingMessage, body: unknown) => (scenario: string) => void,
): WebSocketEndpoint {
  const server = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: MAX_FRAME_BYTES,
  });
  const handshakeHeaders = new WeakMap<IncomingMessage, Record<string, string>>();
  server.on('headers', (headers, request) => {
    for (const [name, value] of Object.entries(handshakeHeaders.get(request) ?? {}))
      headers.push(`${name}: ${value}`);
  });

  const refuse = (socket: Duplex, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    const lines = [
      `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}`,
      'Connection: close',
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(text)}`,
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    socket.end(`${lines.join('\r\n')}\r\n\r\n${text}`);
  };

  return {
    get openSockets() {
      return server.clients.size;
    },
    handleUpgrade(request, socket, head) {
      socket.on('error', () => socket.destroy());
      const target = parseRequestTarget(request.url);
      if (target === undefined) {
        recordRefusal(request);
        refuse(
          socket,
          400,
          apiError('The request target is not a valid URL.', 'invalid_request_error', 'invalid_url'),
        );
        return;
      }
      const path = target.pathname;
      const backend = RESPONSES_PATHS[path];
      if (backend === undefined) {
        recordRefusal(request);
        refuse(
          socket,
          404,
          apiError(`No WebSocket endpoint at ${path}.`, 'invalid_request_error', 'not_found'),
        );
        return;
      }
      const websocket = context.options().websocket ?? true;
      if (websocket === false || (typeof websocket === 'object' && websocket.handshakeStatus !== undefined)) {
        recordRefusal(request);
        const status = websocket === false ? 426 : (websocket.handshakeStatus ?? 426);
        refuse(
          socket,
          status,
          apiError(
            'WebSocket transport is not available for this endpoint; use HTTP.',
            'invalid_request_error',
            null,
          ),
        );
        return;
      }
      const failure = validateCredentials(context, backend, request.headers);
      if (failure !== undefined) {
        recordRefusal(request);
        refuse(socket, failure.status, failure.body);
        return;
      }
      handshakeHeaders.set(request, {
        'x-request-id': createId('req', 16),
        ...(backend === 'chatgpt' ? context.rateLimits.currentHeaders() : {}),
      });
      server.handleUpgrade(request, socket, head, (connection) => {
        serveConnection(context, backend, request, connection, recordFrame);
      });
    },
    closeAll() {
      for (const client of server.clients) client.terminate();
      server.close();
    },
  };
}

function serveConnection(
  context: EmulatorContext,
  backend: ResponsesBackend,
  request: IncomingMessage,
  connection: WebSocket,
  recordFrame: (request: IncomingMessage, body: unknown) => (scenario: string) => void,
): void {
  const controller = new AbortController();
  const abort = () => controller.abort();
  context.closing.addEventListener('abort', abort, { once: true });
  connection.on('close', () => {
    controller.abort();
    context.closing.removeEventListener('abort', abort);
  });
  connection.on('error', () => connection.terminate());

  let busy = false;
  let lastResponseId: string | undefined;

  const sendEvent = (event: Record<string, unknown>): undefined | Promise<void> => {
    if (connection.readyState !== connection.OPEN) return undefined;
    const text = JSON.stringify(event);
    if (connection.bufferedAmount < HIGH_WATER_MARK) {
      connection.send(text);
      return undefined;
    }
    // Back-pressure: wait until this frame has been handed to the socket.
    return new Promise<void>((resolve) => {
      connection.send(text, () => resolve());
    });
  };
  const sendError = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    const error =
      typeof body === 'object' && body !== null && 'error' in body
        ? (body as { error: unknown }).error
        : body;
    sendEvent({ type: 'error', status_code: status, error, headers });
  };

  const handleFrame = (data: RawData, isBinary: boolean): void => {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    const limit = Math.min(MAX_FRAME_BYTES, context.options().maxBodyBytes ?? MAX_FRAME_BYTES);
    if (bytes.length > limit) {
      // What the real service does with an oversized frame: close with 1009 (message too big).
      connection.close(1009, 'Message too big');
      return;
    }
    const text = bytes.toString('utf8');
    const parsed = isBinary ? undefined : parseBodyText(text, 'application/json');
    const frame = parsed?.kind === 'json' ? parsed.value : undefined;
    const setScenario = recordFrame(request, frame ?? text);
    if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
      sendError(400, apiError('Frames must be JSON objects.', 'invalid_request_error', 'invalid_json'));
      return;
    }
    const body = frame as Record<string, unknown>;
    if (body.type !== 'response.create') {
      sendError(
        400,
        apiError(
          `Unsupported frame type "${String(body.type)}": send {"type":"response.create", ...}.`,
          'invalid_request_error',
          'unsupported_event_type',
          'type',
        ),
      );
      return;
    }
    if (busy) {
      sendError(
        409,
        apiError(
          'A response is already in progress on this connection; wait for it to finish.',
          'invalid_request_error',
          'conflict',
        ),
      );
      return;
    }
    const { type: _type, ...requestBody } = body;
    const known = new Set(context.storedResponseIds);
    if (lastResponseId !== undefined) known.add(lastResponseId);
    const prepared = prepareResponse(context, backend, request.headers, requestBody, 'websocket', known);
    if (prepared.scenario !== undefined) setScenario(prepared.scenario);
    if (prepared.kind === 'failure') {
      lastResponseId = undefined;
      const rateLimitHeaders =
        prepared.status === 429 && backend === 'chatgpt' ? context.rateLimits.exhaustedHeaders() : {};
      sendError(prepared.status, prepared.body, { ...rateLimitHeaders, ...prepared.headers });
      return;
    }
    busy = true;
    const cut = prepared.outcome.cut;
    const closingEarly = cut !== undefined && cut.afterEvents === 0;
    const run = async () => {
      if (backend === 'chatgpt' && !closingEarly) {
        await sendEvent(rateLimitEvent(context.rateLimits.nextHeaders()));
      }
      const end = await playEvents(prepared, (event: ResponsesEvent) => sendEvent(event), controller.signal);
      if (end === 'cut' && cut !== undefined) {
        if (cut.how === 'close-1011') connection.close(1011, 'Internal server error');
        else connection.terminate();
        return;
      }
      if (end === 'completed' && !UNFINISHED_SCENARIOS.has(prepared.scenario)) {
        lastResponseId = prepared.outcome.builder.id;
        if (requestBody.store === true) context.storedResponseIds.add(lastResponseId);
      }
    };
    run()
      .catch(() => connection.terminate())
      .finally(() => {
        busy = false;
      });
  };

  connection.on('message', (data: RawData, isBinary: boolean) => {
    try {
      handleFrame(data, isBinary);
    } catch (error) {
      // A bug or an input nobody foresaw must cost one response, never the whole server.
      sendError(
        500,
        apiError(
          `Emulator error: ${error instanceof Error ? error.message : String(error)}`,
          'server_error',
          'emulator_error',
        ),
      );
    }
  });
}

/**
 * The `codex.rate_limits` event sent at the start of every WebSocket response on the ChatGPT
 * backend, mirroring the `x-codex-*` headers (WebSocket clients cannot read per-response headers).
 *
 * @param headers - the `x-codex-*` headers of this response
 */
export function rateLimitEvent(headers: Record<string, string>): Record<string, unknown> {
  const window = (prefix: 'primary' | 'secondary') => ({
    used_percent: Number(headers[`x-codex-${prefix}-used-percent`]),
    window_minutes: Number(headers[`x-codex-${prefix}-window-minutes`]),
    reset_after_seconds: Number(headers[`x-codex-${prefix}-reset-after-seconds`]),
    reset_at: Number(headers[`x-codex-${prefix}-reset-at`]),
  });
  const credits = headers['x-codex-credits-balance'];
  return {
    type: 'codex.rate_limits',
    plan_type: headers['x-codex-plan-type'],
    rate_limits: { primary: window('primary'), secondary: window('secondary') },
    ...(credits === undefined ? {} : { credits: { balance: Number(credits) } }),
    headers,
  };
}
