// The one place the CodeTether environment variables, their defaults and their precedence
// (option/flag > environment > default) are defined. Published as the side-effect-free subpath
// `@codetether/provider-codex/configuration`: this module (and what it imports) must load no
// network stack, no validation library and not the provider itself, so the CLI can read its
// settings without paying for them at start-up.
import { DEFAULT_ISSUER, DEFAULT_ORIGINATOR } from '@codetether/oauth-pkce/constants';
import { parseProfileName } from '@codetether/oauth-pkce/profile-name';
import { CodexProviderError } from './errors.js';

/** The environment as CodeTether reads it: variable name → value (unset variables are `undefined`). */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Every environment variable the CodeTether apps read, by the setting it holds. (The default reasoning
 * effort variables are `DEFAULT_EFFORT_ENVIRONMENT_VARIABLES` of `@codetether/responses-protocol`.)
 */
export const ENVIRONMENT_VARIABLES = {
  /** CodeTether's home folder: `auth.json`, the server key, the usage cache (default `~/.codetether`). */
  home: 'CODETETHER_HOME',
  /** Where the ChatGPT login is kept: `file` (default, `$CODETETHER_HOME/auth.json`) or a `redis://` / `rediss://` URL. */
  store: 'CODETETHER_STORE',
  /** The login profile to use (default `default`: `$CODETETHER_HOME/auth.json`, or Redis's `codetether:credentials`). */
  profile: 'CODETETHER_PROFILE',
  /** OAuth issuer (default {@link DEFAULT_AUTH_ISSUER}). */
  authIssuer: 'CODETETHER_AUTH_ISSUER',
  /** ChatGPT Codex backend base URL (default {@link DEFAULT_CHATGPT_BASE_URL}). */
  chatgptBaseUrl: 'CODETETHER_CHATGPT_BASE_URL',
  /** OpenAI API base URL (default {@link DEFAULT_OPENAI_BASE_URL}). */
  openaiBaseUrl: 'CODETETHER_OPENAI_BASE_URL',
  /** `auto`, `websocket` (`ws`) or `http` (`sse`); default `auto`. */
  transport: 'CODETETHER_TRANSPORT',
  /** An OpenAI API key, used when no login (ChatGPT or API key) is stored. */
  openaiApiKey: 'OPENAI_API_KEY',
  /** The model `codetether chat` and `codetether usage` use when `--model` is not given. */
  model: 'CODETETHER_MODEL',
  /** The gateway's log level (default {@link DEFAULT_LOG_LEVEL}). */
  logLevel: 'CODETETHER_LOG_LEVEL',
  /** The bearer key gateway clients must send (default: generated and stored under the home folder). */
  serverApiKey: 'CODETETHER_SERVER_API_KEY',
  /** The address the gateway binds. */
  serverHost: 'CODETETHER_SERVER_HOST',
  /** The port the gateway listens on. */
  serverPort: 'CODETETHER_SERVER_PORT',
  /** `on` (default) or `off`: whether the gateway continues recognised conversations (`previous_response_id`). */
  gatewayContinuation: 'CODETETHER_GATEWAY_CONTINUATION',
  /** The gateway's model map for the Anthropic and Ollama dialects: `pattern=model` pairs, comma-separated. */
  gatewayModelMap: 'CODETETHER_GATEWAY_MODEL_MAP',
  /** How long the backend's model list is used before it is asked again, seconds (default 300). */
  modelsCacheTtlSeconds: 'CODETETHER_MODELS_CACHE_TTL_SECONDS',
  /** The instructions the gateway sends for requests that bring none (default {@link DEFAULT_GATEWAY_INSTRUCTIONS}). */
  serverInstructions: 'CODETETHER_SERVER_INSTRUCTIONS',
  /** The gateway's failover profiles, comma-separated, in order (`--failover`; off by default). */
  serverFailover: 'CODETETHER_SERVER_FAILOVER',
  /** Extra `Host` names the gateway answers when bound to loopback (comma-separated; `*` for any). */
  serverAllowedHosts: 'CODETETHER_SERVER_ALLOWED_HOSTS',
  /** Browser origins the gateway allows, with CORS (comma-separated; none by default). */
  serverAllowedOrigins: 'CODETETHER_SERVER_ALLOWED_ORIGINS',
  /** The most connections the gateway keeps open at once. */
  serverMaxConnections: 'CODETETHER_SERVER_MAX_CONNECTIONS',
  /** How long a client may take to send a request's headers, ms. */
  serverHeadersTimeoutMs: 'CODETETHER_SERVER_HEADERS_TIMEOUT_MS',
  /** How long a client may take to send a whole request (headers and body), ms. */
  serverRequestTimeoutMs: 'CODETETHER_SERVER_REQUEST_TIMEOUT_MS',
  /** How long an idle keep-alive connection stays open, ms. */
  serverKeepAliveTimeoutMs: 'CODETETHER_SERVER_KEEP_ALIVE_TIMEOUT_MS',
} as const;

/** Default OAuth issuer (`CODETETHER_AUTH_ISSUER`): oauth-pkce's `DEFAULT_ISSUER`. */
export const DEFAULT_AUTH_ISSUER: string = DEFAULT_ISSUER;
/** Default ChatGPT Codex backend (`CODETETHER_CHATGPT_BASE_URL`). */
export const DEFAULT_CHATGPT_BASE_URL = 'https://chatgpt.com/backend-api/codex';
/** Default OpenAI API base (`CODETETHER_OPENAI_BASE_URL`). */
export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';
/** Default `originator` header, as the official Codex CLI sends it (oauth-pkce's `DEFAULT_ORIGINATOR`). */
export { DEFAULT_ORIGINATOR };
/** How long a session that fell back to HTTP stays on HTTP (10 minutes). */
export const DEFAULT_FALLBACK_STICKY_MS = 10 * 60 * 1000;
/**
 * How long a model list read from the backend is used without asking again: 5 minutes (the official
 * Codex CLI's own cache lifetime). Past it the cached list is still used while a conditional request
 * (`If-None-Match`) revalidates it in the background.
 */
export const DEFAULT_MODELS_CACHE_TTL_MS = 5 * 60 * 1000;
/**
 * The `client_version` sent with `GET /models`: the Codex CLI version whose protocol CodeTether speaks.
 * The backend hides models whose `minimal_client_version` is newer.
 */
export const DEFAULT_CODEX_CLIENT_VERSION = '0.171.0';
/** Default log level of the gateway (`CODETETHER_LOG_LEVEL`). */
export const DEFAULT_LOG_LEVEL = 'info';
/**
 * The instructions the gateway sends when a request brings none (`CODETETHER_SERVER_INSTRUCTIONS`):
 * neutral and minimal, because the ChatGPT backend refuses a request without `instructions`. A
 * client's own instructions (system/developer messages, or `instructions` on `/v1/responses`) always win.
 */
export const DEFAULT_GATEWAY_INSTRUCTIONS = 'You are a helpful assistant.';

/** Which wire the provider uses: `auto` = WebSocket first, HTTP SSE fallback. */
export type TransportMode = 'auto' | 'websocket' | 'http';

const TRANSPORT_MODES: readonly TransportMode[] = ['auto', 'websocket', 'http'];

/** Base URLs after applying options > environment > defaults. */
export interface ResolvedEndpoints {
  /** OAuth issuer. */
  issuer: string;
  /** ChatGPT Codex backend base (no trailing slash). */
  chatgptBaseUrl: string;
  /** OpenAI API base (no trailing slash). */
  openaiBaseUrl: string;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * Reads one variable: its value without surrounding spaces, or `undefined` when it is unset or blank
 * (a blank variable counts as unset everywhere in CodeTether).
 *
 * @param env - the environment
 * @param name - the variable, usually one of {@link ENVIRONMENT_VARIABLES}
 */
export function readEnvironmentSetting(env: Environment, name: string): string | undefined {
  return nonEmpty(env[name]);
}

/** Resolves the issuer and both base URLs: explicit options win, then the environment, then defaults. */
export function resolveEndpoints(
  options: {
    issuer?: string | undefined;
    chatgptBaseUrl?: string | undefined;
    openaiBaseUrl?: string | undefined;
  },
  env: Record<string, string | undefined>,
): ResolvedEndpoints {
  return {
    issuer: withoutTrailingSlash(
      nonEmpty(options.issuer) ??
        readEnvironmentSetting(env, ENVIRONMENT_VARIABLES.authIssuer) ??
        DEFAULT_AUTH_ISSUER,
    ),
    chatgptBaseUrl: withoutTrailingSlash(
      nonEmpty(options.chatgptBaseUrl) ??
        readEnvironmentSetting(env, ENVIRONMENT_VARIABLES.chatgptBaseUrl) ??
        DEFAULT_CHATGPT_BASE_URL,
    ),
    openaiBaseUrl: withoutTrailingSlash(
      nonEmpty(options.openaiBaseUrl) ??
        readEnvironmentSetting(env, ENVIRONMENT_VARIABLES.openaiBaseUrl) ??
        DEFAULT_OPENAI_BASE_URL,
    ),
  };
}

/**
 * Resolves the transport mode: the option wins, then `CODETETHER_TRANSPORT`, then `auto`.
 * An unknown value is an `invalid-request` error naming the accepted values.
 */
export function resolveTransportMode(
  option: TransportMode | undefined,
  env: Record<string, string | undefined>,
): TransportMode {
  if (option !== undefined) {
    if (!TRANSPORT_MODES.includes(option)) throw invalidTransport(String(option), 'the transport option');
    return option;
  }
  const fromEnvironment = readEnvironmentSetting(env, ENVIRONMENT_VARIABLES.transport)?.toLowerCase();
  if (fromEnvironment === undefined) return 'auto';
  if (fromEnvironment === 'ws') return 'websocket';
  if (fromEnvironment === 'sse') return 'http';
  if (!(TRANSPORT_MODES as readonly string[]).includes(fromEnvironment)) {
    throw invalidTransport(fromEnvironment, ENVIRONMENT_VARIABLES.transport);
  }
  return fromEnvironment as TransportMode;
}

function invalidTransport(value: string, source: string): CodexProviderError {
  return new CodexProviderError(
    'invalid-request',
    `Unknown transport '${value}' in ${source}. Use one of: ${TRANSPORT_MODES.join(', ')}.`,
    { isRetryable: false },
  );
}

/**
 * True when `OPENAI_API_KEY` holds a value. Only the presence is reported, never the key.
 *
 * @param env - the environment
 */
export function hasOpenAiApiKey(env: Environment): boolean {
  return readEnvironmentSetting(env, ENVIRONMENT_VARIABLES.openaiApiKey) !== undefined;
}

/**
 * Resolves the gateway's log level: the option wins, then `CODETETHER_LOG_LEVEL`, then `info`.
 *
 * @param option - the level the caller chose, if any
 * @param env - the environment
 */
export function resolveLogLevel(option: string | undefined, env: Environment): string {
  return nonEmpty(option) ?? readEnvironmentSetting(env, ENVIRONMENT_VARIABLES.logLevel) ?? DEFAULT_LOG_LEVEL;
}

/**
 * Resolves the instructions the gateway sends for requests without any: the option wins, then
 * `CODETETHER_SERVER_INSTRUCTIONS`, then {@link DEFAULT_GATEWAY_INSTRUCTIONS}.
 *
 * @param option - the instructions the caller chose (`--instructions`), if any
 * @param env - the environment
 */
export function resolveGatewayInstructions(option: string | undefined, env: Environment): string {
  return (
    nonEmpty(option) ??
    readEnvironmentSetting(env, ENVIRONMENT_VARIABLES.serverInstructions) ??
    DEFAULT_GATEWAY_INSTRUCTIONS
  );
}

/**
 * The gateway key set in `CODETETHER_SERVER_API_KEY`, or `undefined` when it is unset (then the
 * gateway uses the key stored under the home folder).
 *
 * @param env - the environment
 */
export function readServerApiKey(env: Environment): string | undefined {
  return readEnvironmentSetting(env, ENVIRONMENT_VARIABLES.serverApiKey);
}

/**
 * Resolves how long the backend's model list is used before asking again, in ms: the option wins, then
 * `CODETETHER_MODELS_CACHE_TTL_SECONDS` (a non-negative number; `0` asks every time), then
 * {@link DEFAULT_MODELS_CACHE_TTL_MS}. An invalid value is ignored.
 *
 * @param option - the lifetime the caller chose, ms
 * @param env - the environment
 */
export function resolveModelsCacheTtlMs(option: number | undefined, env: Environment): number {
  if (option !== undefined && Number.isFinite(option) && option >= 0) return option;
  const seconds = Number(
    readEnvironmentSetting(env, ENVIRONMENT_VARIABLES.modelsCacheTtlSeconds) ?? Number.NaN,
  );
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : DEFAULT_MODELS_CACHE_TTL_MS;
}

/** Where the ChatGPT login is kept, from `CODETETHER_STORE`. */
export type CredentialStoreSetting =
  | { type: 'file' }
  | {
      type: 'redis';
      /** The `redis://` or `rediss://` URL (may hold a password: never print it). */
      url: string;
      /** The URL without user name and password, safe to print: `redis://host:port/db`. */
      location: string;
    };

/**
 * Reads `CODETETHER_STORE`: unset, blank or `file` → the file store (the default); a `redis://` or
 * `rediss://` URL → Redis. Anything else is a `store-unavailable` error whose message never repeats the
 * value (it may hold a password).
 *
 * @param env - the environment
 */
export function resolveCredentialStoreSetting(env: Environment): CredentialStoreSetting {
  const value = readEnvironmentSetting(env, ENVIRONMENT_VARIABLES.store);
  if (value === undefined || value.toLowerCase() === 'file') return { type: 'file' };
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'redis:' && url.protocol !== 'rediss:')) {
    throw new CodexProviderError(
      'store-unavailable',
      `${ENVIRONMENT_VARIABLES.store} is neither \`file\` nor a redis:// or rediss:// URL. Set it to redis://[user:password@]host[:port][/database], or unset it to keep the login in a file.`,
      { isRetryable: false },
    );
  }
  return {
    type: 'redis',
    url: value,
    location: `${url.protocol}//${url.host}/${url.pathname.replace(/^\/+|\/+$/g, '') || '0'}`,
  };
}

/**
 * Resolves the login profile: the option wins, then `CODETETHER_PROFILE`, then `default`. A name that is
 * not a valid profile name (1–64 of `a-z 0-9 - _`, e.g. `../x`) is an `invalid-request` error saying
 * where the name came from and what a valid one looks like.
 *
 * @param option - the profile the caller chose (`--profile`, a library option), if any
 * @param env - the environment
 */
export function resolveProfile(option: string | undefined, env: Environment): string {
  const fromOption = nonEmpty(option);
  const name = fromOption ?? readEnvironmentSetting(env, ENVIRONMENT_VARIABLES.profile);
  try {
    return parseProfileName(name);
  } catch (error) {
    const source = fromOption === undefined ? ENVIRONMENT_VARIABLES.profile : 'the profile option';
    throw new CodexProviderError('invalid-request', `${(error as Error).message} (from ${source})`, {
      isRetryable: false,
      cause: error,
    });
  }
}
