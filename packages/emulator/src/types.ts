/**
 * Names of the scripted behaviours the Responses endpoints can play. See the README's scenario table.
 */
export type ScenarioName =
  | 'text'
  | 'echo'
  | 'reasoning'
  | 'tool-call'
  | 'parallel-tool-calls'
  | 'tool-result'
  | 'compaction'
  | 'failed'
  | 'incomplete'
  | 'error-nested'
  | 'rate-limited'
  | 'server-error-then-success'
  | 'disconnect'
  | 'ws-close-1006'
  | 'ws-close-1011'
  | 'slow'
  | 'large'
  | 'unauthorized';

/** Every scenario name, in the order the README lists them. */
export const SCENARIO_NAMES: readonly ScenarioName[] = [
  'text',
  'echo',
  'reasoning',
  'tool-call',
  'parallel-tool-calls',
  'tool-result',
  'compaction',
  'failed',
  'incomplete',
  'error-nested',
  'rate-limited',
  'server-error-then-success',
  'disconnect',
  'ws-close-1006',
  'ws-close-1011',
  'slow',
  'large',
  'unauthorized',
];

/** Tells whether a string is one of the known scenario names. */
export function isScenarioName(value: string): value is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(value);
}

/** Values the emulator reports in the `x-codex-*` rate-limit headers. */
export interface EmulatorRateLimitOptions {
  /** Used percent of the primary (5-hour) window at start. Default 12. */
  primaryUsedPercent?: number;
  /** Used percent of the secondary (weekly) window at start. Default 34. */
  secondaryUsedPercent?: number;
  /** Primary window length in minutes. Default 300. */
  primaryWindowMinutes?: number;
  /** Secondary window length in minutes. Default 10080. */
  secondaryWindowMinutes?: number;
  /** Seconds until the primary window resets. Default 3600. */
  primaryResetAfterSeconds?: number;
  /** Seconds until the secondary window resets. Default 345600 (4 days). */
  secondaryResetAfterSeconds?: number;
  /** Plan type reported in `x-codex-plan-type` and usage-limit bodies. Default `plus`. */
  planType?: string;
  /** When set, reported as `x-codex-credits-balance`. */
  creditsBalance?: number;
  /** How much the used percents grow with every Responses request. Default 0.1. */
  incrementPerRequest?: number;
}

/** One model of the emulated ChatGPT backend, in the backend's `/models` shape plus two emulator fields. */
export interface EmulatorModel {
  /** The model id. */
  slug: string;
  /** Human-readable name. */
  display_name?: string;
  /** What it is for. */
  description?: string;
  /** The effort used when none is sent. */
  default_reasoning_level?: string;
  /** The efforts accepted. */
  supported_reasoning_levels?: { effort: string; description: string }[];
  /** `list` (shown) or `hide` (accepted, not shown). */
  visibility?: string;
  /** Clients older than this (`client_version`) do not get the model listed. */
  minimal_client_version?: string;
  /** Whether the OpenAI API serves it too. */
  supported_in_api?: boolean;
  /** Sort order, lower first. */
  priority?: number;
  /** Context window in tokens. */
  context_window?: number;
  /** Whether it produces reasoning summaries. */
  supports_reasoning_summaries?: boolean;
  /** Whether `text.verbosity` is accepted (when `false` it is refused). */
  support_verbosity?: boolean;
  /** Verbosity used when none is sent. */
  default_verbosity?: string;
  /** Whether parallel tool calls work. */
  supports_parallel_tool_calls?: boolean;
  /** Service tiers offered (`priority`, `flex`); others are refused. */
  service_tiers?: string[];
  /** Emulator only: the plans that may use it (default every plan). Not sent. */
  plans?: string[];
  /** Emulator only: retired — neither listed nor accepted, refused like the real service. Not sent. */
  retired?: boolean;
}

/** The account the issuer logs users into (authorize and device flows). */
export interface EmulatorAccountOptions {
  /** ChatGPT account (workspace) id. Default `6f1c2b1e-0000-4000-8000-00000000c0de`. */
  accountId?: string;
  /** Plan type in the token claims. Default `plus`. */
  planType?: string;
  /** E-mail in the token claims. Default `user@example.com`. */
  email?: string;
  /** ChatGPT user id in the token claims. Default `user-emulator`. */
  userId?: string;
}

/** Options of {@link startEmulator}; all can be changed later with `setOptions` except `port` and `host`. */
export interface EmulatorOptions {
  /** Port to listen on. Default 0 (a random free port). */
  port?: number;
  /** Host to bind. Default `127.0.0.1`. */
  host?: string;
  /**
   * Default scenario (default `echo`). A request can choose another with the header
   * `x-codetether-scenario: <name>` or the marker `[scenario:<name>]` in its last user text.
   */
  scenario?: ScenarioName;
  /** Pause between stream events in milliseconds. Default 0 (20 for scenario `slow`). */
  eventDelayMs?: number;
  /** Alias of {@link EmulatorOptions.eventDelayMs} (the name the contract uses). */
  tokenDelayMs?: number;
  /**
   * Holds back every `/oauth/token` answer this long, in milliseconds, after the request took effect
   * (codes spent, refresh tokens rotated): a client that dies meanwhile never sees its new tokens, as
   * when a response is lost in transit. Default 0.
   */
  tokenEndpointDelayMs?: number;
  /**
   * Holds every `/oauth/token` request this long, in milliseconds, *before* it takes effect: a client
   * that disconnects meanwhile changes nothing (its code stays unspent, its refresh token unrotated), as
   * when a request never reached the issuer. The request is recorded on arrival, so a test can wait for
   * it and then kill its client. Default 0.
   */
  tokenEndpointHoldMs?: number;
  /** Lifetime of issued access tokens. Default 3600 seconds. */
  accessTokenTtlSeconds?: number;
  /** When true `/oauth/authorize` redirects with `error=access_denied` and the device flow is denied. */
  denyAuthorization?: boolean;
  /** Alias of {@link EmulatorOptions.denyAuthorization}. */
  denyAuthorize?: boolean;
  /** Number of device-code polls answered `authorization_pending` before approval. Default 1. */
  deviceCodePollsBeforeApproval?: number;
  /** Alias of {@link EmulatorOptions.deviceCodePollsBeforeApproval}. */
  deviceCodePendingPolls?: number;
  /** `interval` reported by the device-code endpoint, in seconds. Default 1 (tests use 0). */
  deviceCodeIntervalSeconds?: number;
  /** Lifetime of a device code in seconds. Default 900. */
  deviceCodeExpiresInSeconds?: number;
  /** How many of the first device-code polls answer `slow_down`. Default 0. */
  deviceCodeSlowDownPolls?: number;
  /** When false the device-code endpoints answer 404 (device login not enabled). Default true. */
  deviceCodeEnabled?: boolean;
  /**
   * WebSocket support: `false` refuses upgrades with 426; `{ handshakeStatus }` refuses them with that
   * status (e.g. 401, 403, 404). Default true.
   */
  websocket?: boolean | { handshakeStatus?: number };
  /** Values for the rate-limit headers. */
  rateLimit?: EmulatorRateLimitOptions;
  /** Size of the text streamed by scenario `large`, in bytes. Default 4 MiB. */
  largeResponseBytes?: number;
  /** Extra API keys accepted by `/v1/responses`. */
  acceptedApiKeys?: string[];
  /** OAuth client ids the issuer accepts. Default the Codex CLI's `app_EMoamEEZ73f0CkXaXp7hrann`. */
  clientIds?: string[];
  /** The account issued by the authorize and device flows. */
  account?: EmulatorAccountOptions;
  /**
   * Models the ChatGPT backend accepts (slugs only; narrows {@link EmulatorOptions.models}). Default the
   * Codex subscription models.
   */
  chatgptModels?: string[];
  /**
   * The ChatGPT backend's model list, as `GET /backend-api/codex/models` serves it (per plan, per
   * `client_version`, with an ETag) and as the Responses endpoints enforce it. Change it at run time
   * with `setOptions`. Default `DEFAULT_MODEL_CATALOGUE`.
   */
  models?: EmulatorModel[];
  /** `false` makes `GET /backend-api/codex/usage` answer 403, as some backends do. Default true. */
  usageEndpoint?: boolean;
  /**
   * ChatGPT account ids (`chatgpt-account-id` header) at their usage limit: every Responses request of
   * such an account (HTTP or WebSocket) is answered like scenario `rate-limited` — 429
   * `usage_limit_reached` with the reset time and exhausted `x-codex-*` headers — whatever scenario it
   * asked for. Change it with `setOptions` to lift the limit. Default none.
   */
  usageLimitedAccounts?: string[];
  /** HTTP status of the failing request in scenario `server-error-then-success`. Default 500. */
  serverErrorStatus?: number;
  /**
   * How many requests fail before one succeeds in scenario `server-error-then-success` (the cycle then
   * repeats). Counted per session (`session-id`/`session_id` header or `prompt_cache_key`), or per
   * emulator for requests without one. Default 1.
   */
  serverErrorCount?: number;
  /**
   * Events sent before the socket is terminated in scenario `ws-close-1006` (and closed in `ws-close-1011`).
   * Default 0: the socket closes right after the `response.create` frame, before any event, so a client
   * may safely fall back to HTTP. Set it higher to cut a stream in the middle.
   */
  webSocketCloseAfterEvents?: number;
  /**
   * Largest request accepted, in bytes: a larger HTTP body gets 413, a larger WebSocket frame closes the
   * socket with 1009. Default 32 MiB.
   */
  maxBodyBytes?: number;
  /**
   * Longest a WebSocket connection may live, in milliseconds (real clock), like the real services'
   * 60-minute cap. Past it, the next `response.create` — or the idle socket itself, at once — gets a
   * `websocket_connection_limit_reached` error event and the socket closes (1000). A response
   * streaming when the limit passes finishes first. Default 3 600 000 (60 minutes); `0` means no limit.
   */
  maxConnectionAgeMs?: number;
  /**
   * Longest a client may take to send a whole HTTP request, in milliseconds (real clock); its headers
   * must arrive within the smaller of this and 60 000. A slower request (headers or body sent a byte at
   * a time, or a connection that sends nothing) gets 408 and is closed. Streaming the answer and open
   * WebSockets are not limited by it. Read once at start. Default 300 000 (5 minutes).
   */
  requestTimeoutMs?: number;
  /** Most recorded requests kept; older ones are dropped. Default 10000. */
  maxRecordedRequests?: number;
  /**
   * Most bytes of bodies and frames (their `bytesReceived`) the recorded requests may hold; the oldest
   * requests are dropped first, the newest is always kept. Default 268 435 456 (256 MiB).
   */
  maxRecordedBytes?: number;
  /** Clock in epoch milliseconds (token expiry, device-code expiry, reset times). Default `Date.now`. */
  now?: () => number;
}

/** One request the emulator received, with secrets redacted. */
export interface RecordedRequest {
  /** HTTP method (`GET` for a WebSocket handshake that was refused, `POST` for a `response.create` frame). */
  method: string;
  /** Path without the query string. */
  path: string;
  /** Query parameters (secrets redacted). */
  query: Record<string, string>;
  /** Lower-cased request headers; `authorization`, cookies and API keys redacted. */
  headers: Record<string, string>;
  /** Parsed JSON or form fields (secret fields redacted); `undefined` when there was no body. */
  body: unknown;
  /** `websocket` for frames received on a WebSocket (and refused handshakes). */
  transport: 'http' | 'websocket';
  /** The scenario the request ran, for Responses requests. */
  scenario?: string;
  /**
   * How the stream answering a Responses request ended, once it has: `completed` (every event sent),
   * `cut` (dropped by its scenario), `aborted` (the client went away, or the emulator closed, first).
   * Absent while it streams and for requests answered otherwise (an error, a JSON answer).
   */
  streamEnd?: 'completed' | 'cut' | 'aborted';
  /** When it arrived (epoch ms, from the emulator's clock). */
  at: number;
  /**
   * The WebSocket connection a `response.create` (or other) frame arrived on (`conn_…`, the same for
   * every frame of one connection); absent for HTTP requests and refused handshakes.
   */
  connectionId?: string;
  /** `previous_response_id` of a Responses request, when it sent one (a string). */
  previousResponseId?: string;
  /**
   * Number of input items a Responses request sent (a string `input` counts as one; none is 0) — only
   * what this request carried, not the history a `previous_response_id` adds.
   */
  inputItems?: number;
  /** Bytes received for this request: the HTTP body's length or the WebSocket frame's length. */
  bytesReceived?: number;
}

/** Options of {@link Emulator.issueTokens}. */
export interface IssueTokensOptions {
  /** Account id in the claims. Default the emulator's account. */
  accountId?: string;
  /** Plan type in the claims. Default the emulator's account plan. */
  planType?: string;
  /** E-mail in the claims. */
  email?: string;
  /** Access token lifetime. Default `accessTokenTtlSeconds`. Negative values give an expired token. */
  expiresInSeconds?: number;
}

/** Tokens returned by {@link Emulator.issueTokens}, as the token endpoint would issue them. */
export interface IssuedTokens {
  /** JWT access token accepted by the ChatGPT backend until `expiresAt`. */
  accessToken: string;
  /** Single-use (rotating) refresh token. */
  refreshToken: string;
  /** JWT id token (exchangeable for an API key). */
  idToken: string;
  /** The `chatgpt_account_id` claim. */
  accountId: string;
  /** The `chatgpt_plan_type` claim. */
  planType: string;
  /** Access token lifetime in seconds (negative for an already expired token). */
  expiresIn: number;
  /** Access token expiry, epoch milliseconds. */
  expiresAt: number;
}

/** A running emulator. */
export interface Emulator {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The OAuth issuer base URL (same as `url`). */
  readonly issuerUrl: string;
  /** ChatGPT Codex backend base URL: `url + '/backend-api/codex'`. */
  readonly chatgptBaseUrl: string;
  /** OpenAI API base URL: `url + '/v1'`. */
  readonly openaiBaseUrl: string;
  /** Every request received so far (oldest first), secrets redacted. */
  readonly requests: RecordedRequest[];
  /** Forgets the recorded requests. */
  clearRequests(): void;
  /** Issues a fresh token set for an account without going through a login flow. */
  issueTokens(options?: IssueTokensOptions): IssuedTokens;
  /** Creates an API key accepted by `/v1/responses`. */
  createApiKey(): string;
  /**
   * Terminates every open WebSocket connection now, without a close frame (clients see 1006), as a
   * network drop would; responses streaming on them stop. Returns how many were dropped.
   */
  dropConnections(): number;
  /**
   * Makes the next `count` requests that carry a `previous_response_id` fail with
   * `previous_response_not_found` (and forget the connection's last response), whether or not the
   * id is known — to test that clients resend the full input. Default 1.
   */
  injectPreviousResponseNotFound(count?: number): void;
  /** Changes behaviour at runtime (merged into the current options; `rateLimit`/`account` merged too). */
  setOptions(partial: Partial<EmulatorOptions>): void;
  /** Closes every socket and the server; resolves when fully closed. */
  close(): Promise<void>;
}
