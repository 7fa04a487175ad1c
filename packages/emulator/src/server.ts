import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { EmulatorContext } from './context.js';
import { DEFAULT_ACCOUNT_ID } from './context.js';
import { EmulatorError } from './errors.js';
import { createHttpRouter } from './http-router.js';
import { sendJson } from './http-utilities.js';
import { createJwtSigner } from './jwt.js';
import { CODEX_CLIENT_ID, createAuthState } from './oauth/auth-state.js';
import { createRateLimitTracker } from './rate-limit-headers.js';
import { createRequestRecorder, DEFAULT_MAX_RECORDED_BYTES } from './recording.js';
import { createRequestRecording } from './request-recording.js';
import { createEncryptedContentSealer } from './responses/encrypted-content.js';
import { apiError } from './responses/error-bodies.js';
import { createStoredResponses } from './responses/stored-responses.js';
import { createWebSocketEndpoint } from './responses/websocket-endpoint.js';
import {
  type Emulator,
  type EmulatorOptions,
  type IssuedTokens,
  type IssueTokensOptions,
  isScenarioName,
  SCENARIO_NAMES,
} from './types.js';

/**
 * Starts an emulator: a real HTTP + WebSocket server (default `127.0.0.1`, random port) that plays the
 * OpenAI auth issuer, the ChatGPT Codex backend (`/backend-api/codex/responses`) and the OpenAI
 * Responses API (`/v1/responses`).
 *
 * @example
 * ```ts
 * const emulator = await startEmulator({ scenario: 'text' });
 * const tokens = emulator.issueTokens();
 * // … point a client at emulator.chatgptBaseUrl with tokens.accessToken …
 * await emulator.close();
 * ```
 *
 * @param initialOptions - behaviour; change it later with `setOptions`
 * @throws EmulatorError `listen-failed` when the port cannot be bound, `invalid-option` for a bad option
 */
export async function startEmulator(initialOptions: EmulatorOptions = {}): Promise<Emulator> {
  let options: EmulatorOptions = { ...initialOptions };
  validateOptions(options);
  const now = () => (options.now ?? Date.now)();
  const closingController = new AbortController();
  const recorder = createRequestRecorder(
    () => options.maxRecordedRequests ?? 10_000,
    () => options.maxRecordedBytes ?? DEFAULT_MAX_RECORDED_BYTES,
  );
  const signer = createJwtSigner(randomBytes(32).toString('base64url'));

  const server = createServer({ keepAliveTimeout: 5_000, ...requestTimeouts(options.requestTimeoutMs) });
  server.maxHeadersCount = 0;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => {
      reject(
        new EmulatorError(
          'listen-failed',
          `Could not listen on ${host}:${options.port ?? 0} (${error.message}); pick another --port or stop what uses it.`,
          { cause: error },
        ),
      );
    };
    server.once('error', onError);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${urlHost === '0.0.0.0' ? '127.0.0.1' : urlHost === '[::]' ? '[::1]' : urlHost}:${address.port}`;

  const auth = createAuthState({ signer, issuerUrl: url, now });
  const optionsChanged = new EventTarget();
  // Each paced stream listens to it while it runs: as many listeners as streams, not a leak (0: no
  // limit, so Node does not warn of one past 10).
  setMaxListeners(0, optionsChanged);
  const context: EmulatorContext = {
    options: () => options,
    optionsChanged,
    now,
    issuerUrl: url,
    signer,
    auth,
    recorder,
    rateLimits: createRateLimitTracker(() => options.rateLimit, now),
    closing: closingController.signal,
    serverErrorCounters: new Map(),
    storedResponses: createStoredResponses(),
    contentSealer: createEncryptedContentSealer(randomBytes(32), now),
    faults: { previousResponseNotFound: 0 },
    defaultAccount: () => ({
      accountId: options.account?.accountId ?? DEFAULT_ACCOUNT_ID,
      planType: options.account?.planType ?? 'plus',
      email: options.account?.email ?? 'user@example.com',
      userId: options.account?.userId ?? 'user-emulator',
    }),
    clientIds: () => options.clientIds ?? [CODEX_CLIENT_ID],
    accessTokenTtlSeconds: () => options.accessTokenTtlSeconds ?? 3600,
  };
  const record = createRequestRecording(recorder, now);

  const websocket = createWebSocketEndpoint(
    context,
    (request) => {
      record(request, undefined, 'websocket', { bytesReceived: 0 });
    },
    (request, body, frame) => record(request, body, 'websocket', { method: 'POST', ...frame }),
  );

  const route = createHttpRouter(context, record);
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    route(request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        sendJson(
          response,
          500,
          apiError(
            `Emulator error: ${error instanceof Error ? error.message : String(error)}`,
            'server_error',
            'emulator_error',
          ),
        );
      } else {
        response.destroy();
      }
    });
  });
  server.on('upgrade', (request: IncomingMessage, socket, head: Buffer) => {
    try {
      websocket.handleUpgrade(request, socket, head);
    } catch {
      // Never let one bad handshake take the server down.
      socket.destroy();
    }
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    answerClientError(error, socket);
  });

  let closed: Promise<void> | undefined;
  return {
    url,
    issuerUrl: url,
    chatgptBaseUrl: `${url}/backend-api/codex`,
    openaiBaseUrl: `${url}/v1`,
    requests: recorder.requests,
    clearRequests: () => recorder.clear(),
    issueTokens(issueOptions: IssueTokensOptions = {}): IssuedTokens {
      const account = context.defaultAccount();
      const tokens = auth.issueTokenSet({
        account: {
          ...account,
          ...(issueOptions.accountId === undefined ? {} : { accountId: issueOptions.accountId }),
          ...(issueOptions.planType === undefined ? {} : { planType: issueOptions.planType }),
          ...(issueOptions.email === undefined ? {} : { email: issueOptions.email }),
        },
        clientId: context.clientIds()[0] ?? CODEX_CLIENT_ID,
        scope: 'openid profile email offline_access',
        expiresInSeconds: issueOptions.expiresInSeconds ?? context.accessTokenTtlSeconds(),
      });
      return {
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        idToken: tokens.idToken,
        accountId: tokens.account.accountId,
        planType: tokens.account.planType,
        expiresIn: tokens.expiresIn,
        expiresAt: tokens.expiresAt,
      };
    },
    createApiKey: () => auth.createApiKey(),
    dropConnections: () => websocket.dropAll(),
    injectPreviousResponseNotFound(count = 1) {
      if (Number.isFinite(count)) context.faults.previousResponseNotFound += Math.max(0, Math.floor(count));
    },
    setOptions(partial: Partial<EmulatorOptions>) {
      const next: EmulatorOptions = { ...options, ...partial };
      if (partial.rateLimit !== undefined) next.rateLimit = { ...options.rateLimit, ...partial.rateLimit };
      if (partial.account !== undefined) next.account = { ...options.account, ...partial.account };
      validateOptions(next);
      options = next;
      optionsChanged.dispatchEvent(new Event('change'));
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        closingController.abort();
        websocket.closeAll();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

/** Default {@link EmulatorOptions.requestTimeoutMs}: 5 minutes, Node's own default. */
const DEFAULT_REQUEST_TIMEOUT_MS = 300_000;

/** The longest the headers of a request may take (Node's default). */
const MAX_HEADERS_TIMEOUT_MS = 60_000;

/**
 * The HTTP server's timeouts for receiving a request (the answer is not limited): Node checks them
 * every `connectionsCheckingInterval`, here a quarter of the headers timeout (at most 1 s) so a
 * short timeout is kept closely.
 */
function requestTimeouts(requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS) {
  const headersTimeout = Math.min(MAX_HEADERS_TIMEOUT_MS, requestTimeoutMs);
  return {
    requestTimeout: requestTimeoutMs,
    headersTimeout,
    connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(headersTimeout / 4))),
  };
}

/** How a request Node's HTTP parser rejected is answered: status line, message and error code. */
interface ClientErrorAnswer {
  status: number;
  statusText: string;
  message: string;
  code: string;
}

const CLIENT_ERROR_ANSWERS: Record<string, ClientErrorAnswer> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    statusText: 'Request Header Fields Too Large',
    message: 'The request headers are too large.',
    code: 'headers_too_large',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    statusText: 'Request Timeout',
    message: 'The request did not arrive in time; send the whole request at once.',
    code: 'request_timeout',
  },
};

const BAD_REQUEST_ANSWER: ClientErrorAnswer = {
  status: 400,
  statusText: 'Bad Request',
  message: 'The request could not be parsed as HTTP/1.1.',
  code: 'bad_request',
};

/**
 * Answers a request Node's HTTP parser rejected (garbage, oversized headers, …) like a real front
 * server would — a status line and a JSON error, then close — instead of silently dropping it.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const answer = CLIENT_ERROR_ANSWERS[error.code ?? ''] ?? BAD_REQUEST_ANSWER;
  const body = JSON.stringify(apiError(answer.message, 'invalid_request_error', answer.code));
  socket.end(
    `HTTP/1.1 ${answer.status} ${answer.statusText}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function validateOptions(options: EmulatorOptions): void {
  const scenario = options.scenario;
  if (scenario !== undefined && !isScenarioName(scenario)) {
    throw new EmulatorError(
      'invalid-option',
      `Unknown scenario "${String(scenario)}". Use one of: ${SCENARIO_NAMES.join(', ')}.`,
    );
  }
  const requestTimeoutMs = options.requestTimeoutMs;
  if (
    requestTimeoutMs !== undefined &&
    (typeof requestTimeoutMs !== 'number' || !Number.isFinite(requestTimeoutMs) || requestTimeoutMs <= 0)
  ) {
    throw new EmulatorError('invalid-option', 'Option requestTimeoutMs must be a positive number.');
  }
  for (const name of [
    'eventDelayMs',
    'tokenDelayMs',
    'tokenEndpointDelayMs',
    'tokenEndpointHoldMs',
    'accessTokenTtlSeconds',
    'largeResponseBytes',
    'maxBodyBytes',
    'maxConnectionAgeMs',
    'maxRecordedBytes',
  ] as const) {
    const value = options[name];
    if (value !== undefined && (typeof value !== 'number' || Number.isNaN(value))) {
      throw new EmulatorError('invalid-option', `Option ${name} must be a number.`);
    }
  }
}
