import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { EmulatorContext } from './context.js';
import { DEFAULT_ACCOUNT_ID } from './context.js';
import { EmulatorError } from './errors.js';
import {
  bodyFields,
  bodyValue,
  flattenHeaders,
  MAX_BODY_BYTES,
  parseRequestTarget,
  type ReceivedBody,
  readBody,
  sendHtml,
  sendJson,
} from './http-utilities.js';
import { createJwtSigner } from './jwt.js';
import { CODEX_CLIENT_ID, createAuthState } from './oauth/auth-state.js';
import { handleAuthorize } from './oauth/authorize-endpoint.js';
import { createDeviceCodeEndpoints } from './oauth/device-code-endpoints.js';
import { sendOAuthError } from './oauth/oauth-error.js';
import { handleRevoke } from './oauth/revoke-endpoint.js';
import { handleToken } from './oauth/token-endpoint.js';
import { createRateLimitTracker } from './rate-limit-headers.js';
import { createRequestRecorder } from './recording.js';
import { COMPACT_PATHS, handleCompactHttp } from './responses/compact-endpoint.js';
import { createEncryptedContentSealer } from './responses/encrypted-content.js';
import { apiError } from './responses/error-bodies.js';
import { handleResponsesHttp } from './responses/http-endpoint.js';
import { responsesRequestFacts } from './responses/request-facts.js';
import { DEFAULT_CHATGPT_MODELS, RESPONSES_PATHS } from './responses/request-validation.js';
import { createStoredResponses } from './responses/stored-responses.js';
import { createWebSocketEndpoint } from './responses/websocket-endpoint.js';
import {
  type Emulator,
  type EmulatorOptions,
  type IssuedTokens,
  type IssueTokensOptions,
  isScenarioName,
  type RecordedRequest,
  SCENARIO_NAMES,
} from './types.js';

/** Models listed by `GET /v1/models` besides the ChatGPT ones. */
const API_ONLY_MODELS = ['gpt-5.4-pro', 'gpt-5.4-nano', 'gpt-4.1', 'gpt-4.1-mini', 'o3', 'o4-mini'];

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
  const recorder = createRequestRecorder(() => options.maxRecordedRequests ?? 10_000);
  const signer = createJwtSigner(randomBytes(32).toString('base64url'));

  const server = createServer({ keepAliveTimeout: 5_000, requestTimeout: 0 });
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
  const context: EmulatorContext = {
    options: () => options,
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
  const deviceCode = createDeviceCodeEndpoints(context);

  const record = (
    request: IncomingMessage,
    body: unknown,
    transport: 'http' | 'websocket',
    received: { method?: string; connectionId?: string; bytesReceived: number },
  ) => {
    const target = parseRequestTarget(request.url);
    const path = target?.pathname ?? (request.url ?? '/').split('?')[0] ?? '/';
    const isResponses = RESPONSES_PATHS[path] !== undefined || COMPACT_PATHS[path] !== undefined;
    const entry: RecordedRequest = {
      method: received.method ?? request.method ?? 'GET',
      path,
      query: target === undefined ? {} : Object.fromEntries(target.searchParams),
      headers: flattenHeaders(request.headers),
      body,
      transport,
      at: now(),
      ...(received.connectionId === undefined ? {} : { connectionId: received.connectionId }),
      ...(isResponses ? responsesRequestFacts(body) : {}),
      bytesReceived: received.bytesReceived,
    };
    recorder.record(entry);
    const recorded = recorder.requests.at(-1);
    return (scenario: string) => {
      if (recorded !== undefined) recorded.scenario = scenario;
    };
  };

  const websocket = createWebSocketEndpoint(
    context,
    (request) => {
      record(request, undefined, 'websocket', { bytesReceived: 0 });
    },
    (request, body, frame) => record(request, body, 'websocket', { method: 'POST', ...frame }),
  );

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

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const target = parseRequestTarget(request.url);
    if (target === undefined) {
      record(request, undefined, 'http', { bytesReceived: 0 });
      return sendJson(
        response,
        400,
        apiError('The request target is not a valid URL.', 'invalid_request_error', 'invalid_url'),
        { connection: 'close' },
      );
    }
    const path = target.pathname.replace(/\/+$/, '') || '/';
    const method = request.method ?? 'GET';
    const body: ReceivedBody =
      method === 'GET' || method === 'HEAD'
        ? { kind: 'empty', bytes: 0 }
        : await readBody(request, options.maxBodyBytes ?? MAX_BODY_BYTES);
    const setScenario = record(request, bodyValue(body), 'http', { bytesReceived: body.bytes });
    if (body.kind === 'too-large') {
      return sendJson(
        response,
        413,
        apiError(
          `The request body is larger than ${options.maxBodyBytes ?? MAX_BODY_BYTES} bytes; send a smaller request.`,
          'invalid_request_error',
          'request_too_large',
        ),
        { connection: 'close' },
      );
    }
    if (body.kind === 'invalid' && OAUTH_FORM_PATHS.has(path)) {
      return sendOAuthError(
        response,
        400,
        'invalid_request',
        'The request body could not be parsed; send application/x-www-form-urlencoded fields.',
      );
    }
    if (body.kind === 'invalid' && DEVICE_CODE_PATHS.has(path)) {
      return sendJson(
        response,
        400,
        apiError(
          `We could not parse the JSON body of your request. (${body.reason})`,
          'invalid_request_error',
          'invalid_json',
        ),
      );
    }
    const backend = RESPONSES_PATHS[path];
    if (backend !== undefined) {
      if (method !== 'POST') return methodNotAllowed(response, 'POST');
      await handleResponsesHttp(context, backend, request, response, body, setScenario);
      return;
    }
    const compactBackend = COMPACT_PATHS[path];
    if (compactBackend !== undefined) {
      if (method !== 'POST') return methodNotAllowed(response, 'POST');
      return handleCompactHttp(context, compactBackend, request, response, body);
    }
    switch (path) {
      case '/oauth/authorize':
        if (method !== 'GET') return methodNotAllowed(response, 'GET');
        return handleAuthorize(context, target.searchParams, response);
      case '/oauth/token':
        if (method !== 'POST') return methodNotAllowed(response, 'POST');
        return handleToken(context, bodyFields(body), response);
      case '/oauth/revoke':
        if (method !== 'POST') return methodNotAllowed(response, 'POST');
        return handleRevoke(context, bodyFields(body), response);
      case '/api/accounts/deviceauth/usercode':
        if (method !== 'POST') return methodNotAllowed(response, 'POST');
        return deviceCode.handleUserCode(bodyFields(body), response);
      case '/api/accounts/deviceauth/token':
        if (method !== 'POST') return methodNotAllowed(response, 'POST');
        return deviceCode.handlePoll(bodyFields(body), response);
      case '/codex/device':
        return deviceCode.handleDevicePage(response);
      case '/deviceauth/callback':
        return sendHtml(
          response,
          200,
          '<!doctype html><p>Device login complete. You can close this window.</p>',
        );
      case '/v1/models':
        return sendJson(response, 200, {
          object: 'list',
          data: [...(options.chatgptModels ?? DEFAULT_CHATGPT_MODELS), ...API_ONLY_MODELS].map((id) => ({
            id,
            object: 'model',
            created: 1_700_000_000,
            owned_by: 'openai',
          })),
        });
      case '/backend-api/codex/models':
        return sendJson(response, 200, {
          models: (options.chatgptModels ?? DEFAULT_CHATGPT_MODELS).map((slug) => ({
            slug,
            display_name: slug,
          })),
        });
      case '/health':
      case '/':
        return sendJson(response, 200, { ok: true, name: 'codetether-emulator' });
      default:
        return sendJson(
          response,
          404,
          apiError(`Unknown endpoint ${method} ${path}.`, 'invalid_request_error', 'unknown_url'),
        );
    }
  }

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

/** OAuth endpoints that take form fields. */
const OAUTH_FORM_PATHS: ReadonlySet<string> = new Set(['/oauth/token', '/oauth/revoke']);

/** Device-code endpoints that take JSON. */
const DEVICE_CODE_PATHS: ReadonlySet<string> = new Set([
  '/api/accounts/deviceauth/usercode',
  '/api/accounts/deviceauth/token',
]);

const CLIENT_ERROR_STATUS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout'],
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
  const [status, text] = CLIENT_ERROR_STATUS[error.code ?? ''] ?? [400, 'Bad Request'];
  const body = JSON.stringify(
    apiError(
      status === 431 ? 'The request headers are too large.' : 'The request could not be parsed as HTTP/1.1.',
      'invalid_request_error',
      status === 431 ? 'headers_too_large' : 'bad_request',
    ),
  );
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function methodNotAllowed(response: ServerResponse, allowed: string): void {
  sendJson(
    response,
    405,
    apiError(`Method not allowed; use ${allowed}.`, 'invalid_request_error', 'method_not_allowed'),
    { allow: allowed },
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
  for (const name of [
    'eventDelayMs',
    'tokenDelayMs',
    'accessTokenTtlSeconds',
    'largeResponseBytes',
    'maxBodyBytes',
    'maxConnectionAgeMs',
  ] as const) {
    const value = options[name];
    if (value !== undefined && (typeof value !== 'number' || Number.isNaN(value))) {
      throw new EmulatorError('invalid-option', `Option ${name} must be a number.`);
    }
  }
}
