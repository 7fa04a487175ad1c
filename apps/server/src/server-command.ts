import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { DEFAULT_PROFILE, parseProfileName } from '@codetether/oauth-pkce';
import {
  DEFAULT_GATEWAY_INSTRUCTIONS,
  ENVIRONMENT_VARIABLES,
  readEnvironmentSetting,
  resolveLogLevel,
} from '@codetether/provider-codex/configuration';
import { DEFAULT_MAX_RUNNING_BACKGROUND_RESPONSES } from './background-responses.js';
import { openClientKeyStorage } from './client-key-storage-selection.js';
import {
  type ConnectionLimits,
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_REQUEST_TIMEOUT_MS,
} from './connection-limits.js';
import {
  DEFAULT_STORED_CONVERSATION_MAX_AGE_MS,
  DEFAULT_STORED_CONVERSATION_MAX_BYTES,
  DEFAULT_STORED_CONVERSATIONS_MAX,
} from './conversation-store.js';
import { createModelMap, type ModelMapRule, parseModelMapRules } from './dialect-model-map.js';
import { createGatewayCodexProvider } from './gateway-codex-provider.js';
import { createGatewayLogger, type GatewayLogger } from './gateway-logger.js';
import type { GatewayProvider } from './gateway-provider.js';
import { runKeysCommand } from './keys-command.js';
import { printableArgument } from './printable-argument.js';
import { refuseRepeatedOptions } from './repeated-options.js';
import { isLoopbackHost } from './request-origin-policy.js';
import { loadOrCreateServerApiKey } from './server-api-key.js';
import { ServerUsageError } from './server-usage-error.js';
import { clientKeyWarnings, jsonEngineWarnings, startUpWarnings } from './start-up-warnings.js';

export { ServerUsageError } from './server-usage-error.js';

import { SERVER_VERSION } from './server-version.js';
import {
  DEFAULT_HOST,
  DEFAULT_PORT,
  DEFAULT_SHUTDOWN_GRACE_MS,
  type RunningGateway,
  startGatewayServer,
} from './start-gateway-server.js';

/** What the command writes to and reads from (injectable for tests). */
export interface ServerCommandIo {
  /** Environment (`process.env` from the `codetether-server` bin); the only place settings are read from. */
  env: Record<string, string | undefined>;
  /** What was asked for on the command line: the help and version texts. */
  stdout: (text: string) => void;
  /** Human-readable messages: the start-up banner, the generated key once, usage errors. */
  stderr: (text: string) => void;
  /** Logger (default pino JSON lines on stdout, which then carries nothing else). */
  logger?: GatewayLogger;
  /** Provider (default `createCodexProvider({ env })`). */
  provider?: GatewayProvider;
}

/** Settings read from the command line and the environment. */
export interface ServerCommandSettings extends ConnectionLimits {
  /** Address to bind. */
  host: string;
  /** Port to listen on. */
  port: number;
  /** Shutdown grace period for the requests in flight (streams, non-streamed and forwarded requests), ms. */
  shutdownGraceMs: number;
  /** The pino log level (`CODETETHER_LOG_LEVEL`, default `info`), lower case. */
  logLevel: string;
  /** Refuse to start unless a key is configured, instead of generating one (`--require-key`). */
  requireKey: boolean;
  /** Continuation and its index limits, or `false` (`--no-continuation`, `CODETETHER_GATEWAY_CONTINUATION=off`). */
  continuation: false | { maxConversations?: number; maxAgeMs?: number; maxBytes?: number };
  /**
   * The Conversations API and its store limits (`--max-stored-conversations`…), or `false`
   * (`--no-conversations-api`).
   */
  conversationsApi: false | { maxConversations?: number; maxAgeMs?: number; maxBytes?: number };
  /** Whether `store: true` chat completions are kept (`--no-stored-chat-completions`: not). */
  storedChatCompletions: boolean;
  /** The background responses' limits (`--max-background-responses`: how many run at once). */
  backgroundResponses: { maxRunning?: number };
  /** Instructions for requests that bring none (`--instructions`), else the environment's or the neutral default. */
  instructions: string | undefined;
  /** More `Host` names answered besides the loopback ones (`--allowed-hosts`), `*` for any. */
  allowedHosts: string[];
  /** Browser origins allowed, with CORS (`--allowed-origins`). */
  allowedOrigins: string[];
  /** The user's model map rules (`--model-map`, `CODETETHER_GATEWAY_MODEL_MAP`), tried before the defaults. */
  modelMap: ModelMapRule[];
  /** The login profile of the gateway's own key (`--profile`, `CODETETHER_PROFILE`, else the first failover profile, else `default`). */
  profile: string;
  /** The failover profiles, in order (`--failover`, `CODETETHER_SERVER_FAILOVER`); empty when off. */
  failover: string[];
}

/** The usage text of `codetether-server`. */
export const SERVER_USAGE = `Usage: codetether-server [options]
       codetether-server keys create NAME [--profile P] | keys list | keys revoke NAME

An OpenAI-compatible gateway over your ChatGPT login (codetether auth login) or OPENAI_API_KEY.

Options (each also read from the variable named after it):
  --host HOST                  address to bind (CODETETHER_SERVER_HOST, default 127.0.0.1)
  --port PORT                  port to listen on (CODETETHER_SERVER_PORT, default 8787)
  --shutdown-grace-ms MS       how long requests in flight may finish on SIGTERM, SIGINT or SIGHUP (default 10000)
  --require-key                exit with an error unless CODETETHER_SERVER_API_KEY is set or a key is
                               stored in CODETETHER_HOME, instead of generating one (the container uses it)
  --instructions TEXT          instructions for requests that bring none (CODETETHER_SERVER_INSTRUCTIONS,
                               default "${DEFAULT_GATEWAY_INSTRUCTIONS}")
  --allowed-hosts A,B          more Host names to answer when bound to loopback, * for any
                               (CODETETHER_SERVER_ALLOWED_HOSTS)
  --allowed-origins A,B        browser origins allowed, with CORS (CODETETHER_SERVER_ALLOWED_ORIGINS; none)
  --max-connections N          open connections at most; more get 503 (CODETETHER_SERVER_MAX_CONNECTIONS, ${DEFAULT_MAX_CONNECTIONS})
  --headers-timeout-ms MS      time to send the request headers, then 408 (CODETETHER_SERVER_HEADERS_TIMEOUT_MS, ${DEFAULT_HEADERS_TIMEOUT_MS})
  --request-timeout-ms MS      time to send the whole request, then 408 (CODETETHER_SERVER_REQUEST_TIMEOUT_MS, ${DEFAULT_REQUEST_TIMEOUT_MS})
  --keep-alive-timeout-ms MS   idle keep-alive connections close after (CODETETHER_SERVER_KEEP_ALIVE_TIMEOUT_MS, ${DEFAULT_KEEP_ALIVE_TIMEOUT_MS})
  --no-continuation            send every request in full: no conversation recognition, no
                               previous_response_id upstream (or CODETETHER_GATEWAY_CONTINUATION=off)
  --max-conversations N        the most conversations remembered for continuation (default 256)
  --conversation-max-age-ms MS how long a conversation is remembered after its last turn (default 1800000)
  --max-conversation-bytes N   the most bytes of conversation transcripts remembered (default 134217728)
  --no-conversations-api       turn off the Conversations API (/v1/conversations, conversation on
                               /v1/responses); its conversations live in this process's memory only
  --max-stored-conversations N the most Conversations API conversations kept, all keys (default ${DEFAULT_STORED_CONVERSATIONS_MAX})
  --stored-conversation-max-age-ms MS
                               how long a conversation is kept after it was last used (default ${DEFAULT_STORED_CONVERSATION_MAX_AGE_MS})
  --max-stored-conversation-bytes N
                               the most bytes of their items and metadata kept (default ${DEFAULT_STORED_CONVERSATION_MAX_BYTES})
  --no-stored-chat-completions keep no chat completion, even with store: true (the stored-completion
                               endpoints answer 404); they live in this process's memory only
  --max-background-responses N the most background responses (background: true) running at once, all
                               keys (default ${DEFAULT_MAX_RUNNING_BACKGROUND_RESPONSES}; more get 429)
  --profile NAME               the login profile the gateway's own key spends (CODETETHER_PROFILE,
                               default: the first --failover profile, else the default profile); a
                               client key made with keys create --profile P spends profile P's login
  --failover P1,P2,...         opt-in failover between your own profiles: a NEW conversation of one of
                               them goes to the next while its own is at its usage limit (until the
                               reset time) or its login fails (for a minute); never mid-stream;
                               logged, counted, x-codetether-profile header (CODETETHER_SERVER_FAILOVER)
  --model-map MAP              model names of Anthropic and Ollama clients to Codex models, as
                               comma-separated pattern=model pairs (* matches anything), tried before
                               the defaults claude-*opus*=gpt-5.4:high, claude-*sonnet*=gpt-5.4,
                               claude-*haiku*=gpt-5.4-mini (CODETETHER_GATEWAY_MODEL_MAP)
  -h, --help                   show this help
  -V, --version                print the version

Output: JSON log lines on stdout; the start-up banner and other messages for people on stderr.
A flag given twice with different values, or a value that is not valid, is an error (exit code 2).

Environment: CODETETHER_SERVER_API_KEY (bearer key; generated and stored in CODETETHER_HOME when unset),
CODETETHER_HOME, CODETETHER_PROFILE, CODETETHER_SERVER_FAILOVER, CODETETHER_STORE (file, or a redis:// URL
shared by replicas: login and client keys), OPENAI_API_KEY, CODETETHER_CHATGPT_BASE_URL, CODETETHER_OPENAI_BASE_URL,
CODETETHER_AUTH_ISSUER, CODETETHER_TRANSPORT, CODETETHER_LOG_LEVEL.
`;

/** The log levels `CODETETHER_LOG_LEVEL` may name (pino's). */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function parseLogLevel(env: Record<string, string | undefined>): string {
  const level = resolveLogLevel(undefined, env);
  if (!(LOG_LEVELS as readonly string[]).includes(level.toLowerCase())) {
    throw new ServerUsageError(
      `${ENVIRONMENT_VARIABLES.logLevel} must be one of ${LOG_LEVELS.join(', ')}, got '${printableArgument(level)}'.`,
    );
  }
  return level.toLowerCase();
}

/** A DNS name: dot-separated labels of letters, digits, `-` and `_`, at most 253 characters. */
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_][a-z0-9_-]{0,62})*\.?$/i;

/** An IPv6 address without its brackets (`[::1]` → `::1`); anything else as it is. */
function unbracketed(value: string): string {
  return /^\[.*\]$/.test(value) ? value.slice(1, -1) : value;
}

/** Whether a value is an IPv4 address, an IPv6 address (with or without brackets) or a host name. */
function isHostOrAddress(value: string): boolean {
  const address = unbracketed(value);
  return isIP(address) === 6 || (address === value && (isIP(value) === 4 || HOST_NAME.test(value)));
}

/** `--host`, else `CODETETHER_SERVER_HOST`, else 127.0.0.1: an IP address (IPv6 with or without brackets) or a name. */
function parseHost(flag: string | undefined, env: Record<string, string | undefined>): string {
  const value = flag ?? readEnvironmentSetting(env, ENVIRONMENT_VARIABLES.serverHost);
  if (value === undefined) return DEFAULT_HOST;
  const source = flag === undefined ? ENVIRONMENT_VARIABLES.serverHost : '--host';
  if (isHostOrAddress(value)) return unbracketed(value);
  throw new ServerUsageError(
    `${source} must be an IP address or a host name, got '${printableArgument(value)}' (for example 127.0.0.1, 0.0.0.0, ::1 or gateway.lan).`,
  );
}

function parsePort(value: string, source: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ServerUsageError(
      `${source} must be a port number between 0 and 65535, got '${printableArgument(value)}'.`,
    );
  }
  return port;
}

/** The string options of the command line, by name. */
const STRING_OPTIONS = [
  'host',
  'port',
  'shutdown-grace-ms',
  'instructions',
  'allowed-hosts',
  'allowed-origins',
  'max-connections',
  'headers-timeout-ms',
  'request-timeout-ms',
  'keep-alive-timeout-ms',
  'max-conversations',
  'conversation-max-age-ms',
  'max-conversation-bytes',
  'max-stored-conversations',
  'stored-conversation-max-age-ms',
  'max-stored-conversation-bytes',
  'max-background-responses',
  'model-map',
  'profile',
  'failover',
] as const;

type ParsedValues = Partial<Record<(typeof STRING_OPTIONS)[number], string>> & {
  'require-key'?: boolean;
  'no-continuation'?: boolean;
  'no-conversations-api'?: boolean;
  'no-stored-chat-completions'?: boolean;
  help?: boolean;
  version?: boolean;
};

function parseValues(argv: readonly string[]): ParsedValues {
  let parsed: {
    values: unknown;
    tokens: ReadonlyArray<{ kind: string; name?: string; value?: string | undefined }>;
  };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        ...Object.fromEntries(STRING_OPTIONS.map((name) => [name, { type: 'string' as const }])),
        'require-key': { type: 'boolean' },
        'no-continuation': { type: 'boolean' },
        'no-conversations-api': { type: 'boolean' },
        'no-stored-chat-completions': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
      strict: true,
      allowPositionals: false,
      tokens: true,
    });
  } catch (error) {
    throw new ServerUsageError(printableArgument((error as Error).message, 400));
  }
  refuseRepeatedOptions(parsed.tokens);
  return parsed.values as ParsedValues;
}

/**
 * The longest wait Node's timers take (2^31 - 1 ms, about 24.8 days): a longer one fires after 1 ms,
 * so a timeout or grace period above it would end things at once instead of never.
 */
export const LONGEST_TIMER_MS = 2_147_483_647;

/** Where a whole-number setting comes from and what it may be. */
interface WholeNumberSource {
  /** The flag's value, if given. */
  flag: string | undefined;
  /** The flag's name, e.g. `--max-connections`. */
  flagName: string;
  /** The environment and the variable read when the flag is not given (none for flag-only settings). */
  env?: Record<string, string | undefined>;
  variable?: string;
  /** The value when neither is set. */
  fallback: number;
  /** The smallest value allowed (default 1). */
  minimum?: number;
  /** The largest value allowed (default `Number.MAX_SAFE_INTEGER`). */
  maximum?: number;
}

/** A whole number (digits only: no sign, exponent, hex or blank) from a flag, else a variable, else the default. */
function wholeNumberSetting(source: WholeNumberSource): number {
  const { flag, flagName, env, variable, fallback, minimum = 1, maximum = Number.MAX_SAFE_INTEGER } = source;
  const fromEnvironment =
    env === undefined || variable === undefined ? undefined : readEnvironmentSetting(env, variable);
  const [value, name] = flag !== undefined ? [flag, flagName] : [fromEnvironment, variable ?? flagName];
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || number < minimum || number > maximum) {
    throw new ServerUsageError(
      `${name} must be a whole number of at least ${minimum} and at most ${maximum}, got '${printableArgument(value)}'.`,
    );
  }
  return number;
}

/** A list setting: its flag and variable, which entries are valid, and what a valid one looks like. */
interface ListSetting {
  flagName: '--allowed-hosts' | '--allowed-origins';
  variable: string;
  isValid(item: string): boolean;
  /** The rest of the message after "'<item>' is not …". */
  advice: string;
}

/** An origin as a browser sends it: scheme and host (and port), nothing after; a trailing `/` is forgiven. */
const ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[^/?#@\s]+\/?$/i;

const ALLOWED_HOSTS: ListSetting = {
  flagName: '--allowed-hosts',
  variable: ENVIRONMENT_VARIABLES.serverAllowedHosts,
  isValid: (host) => host === '*' || isHostOrAddress(host),
  advice:
    'a host name or address. Give names as in the Host header without the port (gateway.lan, 10.0.0.5, [::1]), or * for any.',
};

const ALLOWED_ORIGINS: ListSetting = {
  flagName: '--allowed-origins',
  variable: ENVIRONMENT_VARIABLES.serverAllowedOrigins,
  isValid: (origin) => origin === '*' || origin === 'null' || ORIGIN.test(origin),
  advice:
    'an origin. Write it as the browser sends it, scheme and host with no path (http://localhost:3000), or * for any.',
};

/**
 * A comma-separated list from its flag, else its variable (empty when neither is set), each entry
 * checked: one no request could ever match (a host with a port or a scheme, an origin without a scheme
 * or with a path) is a usage error instead of a silent 403 on every request.
 */
function listSetting(
  values: ParsedValues,
  env: Record<string, string | undefined>,
  setting: ListSetting,
): string[] {
  const flag = values[setting.flagName.slice(2) as 'allowed-hosts' | 'allowed-origins'];
  const source = flag === undefined ? setting.variable : setting.flagName;
  const items = (flag ?? readEnvironmentSetting(env, setting.variable) ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  for (const item of items) {
    if (!setting.isValid(item)) {
      throw new ServerUsageError(`${source}: '${printableArgument(item)}' is not ${setting.advice}`);
    }
  }
  return items;
}

/** The timeouts and the connection cap: flags, then the environment, then the defaults. */
function parseConnectionLimits(
  values: ParsedValues,
  env: Record<string, string | undefined>,
): ConnectionLimits {
  const limits: ConnectionLimits = {
    headersTimeoutMs: wholeNumberSetting({
      flag: values['headers-timeout-ms'],
      flagName: '--headers-timeout-ms',
      env,
      variable: ENVIRONMENT_VARIABLES.serverHeadersTimeoutMs,
      fallback: DEFAULT_HEADERS_TIMEOUT_MS,
      maximum: LONGEST_TIMER_MS,
    }),
    requestTimeoutMs: wholeNumberSetting({
      flag: values['request-timeout-ms'],
      flagName: '--request-timeout-ms',
      env,
      variable: ENVIRONMENT_VARIABLES.serverRequestTimeoutMs,
      fallback: DEFAULT_REQUEST_TIMEOUT_MS,
      maximum: LONGEST_TIMER_MS,
    }),
    keepAliveTimeoutMs: wholeNumberSetting({
      flag: values['keep-alive-timeout-ms'],
      flagName: '--keep-alive-timeout-ms',
      env,
      variable: ENVIRONMENT_VARIABLES.serverKeepAliveTimeoutMs,
      fallback: DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
      maximum: LONGEST_TIMER_MS,
    }),
    maxConnections: wholeNumberSetting({
      flag: values['max-connections'],
      flagName: '--max-connections',
      env,
      variable: ENVIRONMENT_VARIABLES.serverMaxConnections,
      fallback: DEFAULT_MAX_CONNECTIONS,
    }),
  };
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new ServerUsageError(
      `The headers timeout (${limits.headersTimeoutMs} ms) must not exceed the request timeout (${limits.requestTimeoutMs} ms).`,
    );
  }
  return limits;
}

/**
 * Reads the settings from the arguments (after the executable and script) and the environment.
 * Returns `'help'` or `'version'` when one of those was asked for instead of starting the gateway.
 *
 * @param argv - command-line arguments
 * @param env - environment
 */
export function parseServerArguments(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): ServerCommandSettings | 'help' | 'version' {
  const values = parseValues(argv);
  if (values.help === true) return 'help';
  if (values.version === true) return 'version';
  const host = parseHost(values.host, env);
  const portFromEnvironment = readEnvironmentSetting(env, ENVIRONMENT_VARIABLES.serverPort);
  const port =
    values.port !== undefined
      ? parsePort(values.port, '--port')
      : portFromEnvironment !== undefined
        ? parsePort(portFromEnvironment, ENVIRONMENT_VARIABLES.serverPort)
        : DEFAULT_PORT;
  const shutdownGraceMs = wholeNumberSetting({
    flag: values['shutdown-grace-ms'],
    flagName: '--shutdown-grace-ms',
    fallback: DEFAULT_SHUTDOWN_GRACE_MS,
    minimum: 0,
    maximum: LONGEST_TIMER_MS,
  });
  const logLevel = parseLogLevel(env);
  if (values.instructions?.trim() === '') throw new ServerUsageError('--instructions must not be empty.');
  return {
    host,
    port,
    shutdownGraceMs,
    logLevel,
    requireKey: values['require-key'] === true,
    instructions: values.instructions,
    allowedHosts: listSetting(values, env, ALLOWED_HOSTS),
    allowedOrigins: listSetting(values, env, ALLOWED_ORIGINS),
    ...parseConnectionLimits(values, env),
    continuation: parseContinuation(values, env),
    conversationsApi: parseConversationsApi(values),
    storedChatCompletions: values['no-stored-chat-completions'] !== true,
    backgroundResponses:
      values['max-background-responses'] === undefined
        ? {}
        : {
            maxRunning: wholeNumberSetting({
              flag: values['max-background-responses'],
              flagName: '--max-background-responses',
              fallback: DEFAULT_MAX_RUNNING_BACKGROUND_RESPONSES,
            }),
          },
    modelMap: parseModelMap(values['model-map'], env),
    ...parseProfiles(values, env),
  };
}

/** `--profile` and `--failover`: valid profile names, a failover list of two or more different ones. */
function parseProfiles(
  values: { profile?: string; failover?: string },
  env: Record<string, string | undefined>,
): { profile: string; failover: string[] } {
  const validName = (name: string, source: string): string => {
    try {
      return parseProfileName(name);
    } catch (error) {
      throw new ServerUsageError(`${source}: ${(error as Error).message}`);
    }
  };
  const failoverText = values.failover ?? readEnvironmentSetting(env, ENVIRONMENT_VARIABLES.serverFailover);
  const failoverSource = values.failover === undefined ? ENVIRONMENT_VARIABLES.serverFailover : '--failover';
  const failover = (failoverText ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '')
    .map((name) => validName(name, failoverSource));
  if (failoverText !== undefined && (failover.length < 2 || new Set(failover).size !== failover.length)) {
    throw new ServerUsageError(
      `${failoverSource} needs two or more different profiles, comma-separated (e.g. --failover work,personal).`,
    );
  }
  const named = values.profile ?? readEnvironmentSetting(env, ENVIRONMENT_VARIABLES.profile);
  const profileSource = values.profile === undefined ? ENVIRONMENT_VARIABLES.profile : '--profile';
  const profile = named === undefined ? (failover[0] ?? DEFAULT_PROFILE) : validName(named, profileSource);
  return { profile, failover };
}

function parseModelMap(option: string | undefined, env: Record<string, string | undefined>): ModelMapRule[] {
  const text = option ?? readEnvironmentSetting(env, ENVIRONMENT_VARIABLES.gatewayModelMap) ?? '';
  try {
    return parseModelMapRules(text);
  } catch (error) {
    throw new ServerUsageError(`--model-map: ${(error as Error).message}`);
  }
}

function parseContinuation(
  values: {
    'no-continuation'?: boolean;
    'max-conversations'?: string;
    'conversation-max-age-ms'?: string;
    'max-conversation-bytes'?: string;
  },
  env: Record<string, string | undefined>,
): ServerCommandSettings['continuation'] {
  const fromEnvironment = readEnvironmentSetting(
    env,
    ENVIRONMENT_VARIABLES.gatewayContinuation,
  )?.toLowerCase();
  if (fromEnvironment !== undefined && !['on', 'off', 'true', 'false', '1', '0'].includes(fromEnvironment)) {
    throw new ServerUsageError(
      `${ENVIRONMENT_VARIABLES.gatewayContinuation} must be 'on' or 'off', got '${fromEnvironment}'.`,
    );
  }
  if (values['no-continuation'] === true || ['off', 'false', '0'].includes(fromEnvironment ?? ''))
    return false;
  return storeLimitsFromFlags(values, {
    'max-conversations': { limit: 'maxConversations' },
    'conversation-max-age-ms': { limit: 'maxAgeMs' },
    'max-conversation-bytes': { limit: 'maxBytes' },
  });
}

/** The limits of a store of conversations (continuation's, the Conversations API's) that flags can set. */
interface StoreLimits {
  maxConversations?: number;
  maxAgeMs?: number;
  maxBytes?: number;
}

/**
 * The store limits given on the command line: each flag of `flags` that was given, read as a whole
 * number (at most its `maximum`), sets its limit.
 */
function storeLimitsFromFlags<Flag extends string>(
  values: Readonly<Partial<Record<NoInfer<Flag>, unknown>>>,
  flags: Record<Flag, { limit: keyof StoreLimits; maximum?: number }>,
): StoreLimits {
  const limits: StoreLimits = {};
  for (const flag of Object.keys(flags) as Flag[]) {
    const value = values[flag];
    const { limit, maximum } = flags[flag];
    if (typeof value === 'string')
      limits[limit] = wholeNumberSetting({
        flag: value,
        flagName: `--${flag}`,
        fallback: 0,
        ...(maximum === undefined ? {} : { maximum }),
      });
  }
  return limits;
}

/** `--no-conversations-api`, else the Conversations API's store limits that were given. */
function parseConversationsApi(values: ParsedValues): ServerCommandSettings['conversationsApi'] {
  if (values['no-conversations-api'] === true) return false;
  return storeLimitsFromFlags(values, {
    'max-stored-conversations': { limit: 'maxConversations' },
    'stored-conversation-max-age-ms': { limit: 'maxAgeMs', maximum: LONGEST_TIMER_MS },
    'max-stored-conversation-bytes': { limit: 'maxBytes' },
  });
}

/** Logs whether a profile's login can be used (a missing one is a warning naming the login command). */
async function logUpstreamCredentials(
  logger: GatewayLogger,
  profile: string,
  provider: ReturnType<typeof createGatewayCodexProvider>,
): Promise<void> {
  await provider.resolveAuth().then(
    (auth) => logger.info({ profile, mode: auth.mode, backend: auth.backend }, 'upstream credentials found'),
    (error: unknown) =>
      logger.warn(
        { profile, code: (error as { code?: unknown }).code },
        `no usable upstream credentials yet: ${error instanceof Error ? error.message : String(error)}`,
      ),
  );
}

/**
 * Starts the gateway as the `codetether-server` command does: loads or generates the server key
 * (printing a generated key once, with how to use it), creates the provider from the environment and
 * listens. Returns the running gateway, or undefined when only help or the version was printed.
 *
 * @param argv - command-line arguments
 * @param io - environment, output and optional injected provider/logger
 */
export async function runServerCommand(
  argv: readonly string[],
  io: ServerCommandIo,
): Promise<{ gateway: RunningGateway; settings: ServerCommandSettings } | undefined> {
  if (argv[0] === 'keys') {
    await runKeysCommand(argv.slice(1), io);
    return undefined;
  }
  const settings = parseServerArguments(argv, io.env);
  if (settings === 'help' || settings === 'version') {
    io.stdout(settings === 'help' ? SERVER_USAGE : `${SERVER_VERSION}\n`);
    return undefined;
  }
  const logger = io.logger ?? createGatewayLogger({ level: settings.logLevel });
  const key = await loadOrCreateServerApiKey({ env: io.env, generate: !settings.requireKey });
  const clientKeyStorage = openClientKeyStorage(io.env);
  // One provider per profile: the one checked at start-up is the one the gateway uses (and closes).
  const providers = new Map<string, ReturnType<typeof createGatewayCodexProvider>>();
  const providerFor = (profile: string) => {
    let created = providers.get(profile);
    if (created === undefined) {
      created = createGatewayCodexProvider({
        env: io.env,
        profile,
        ...(settings.instructions === undefined ? {} : { defaultInstructions: settings.instructions }),
      });
      providers.set(profile, created);
    }
    return created;
  };
  let provider: GatewayProvider;
  if (io.provider !== undefined) provider = io.provider;
  else {
    const codex = providerFor(settings.profile);
    provider = codex;
    await logUpstreamCredentials(logger, settings.profile, codex);
  }
  // Check the other failover profiles' logins now, so a missing one shows at start-up.
  for (const profile of settings.failover.filter((name) => name !== settings.profile)) {
    if (io.provider === undefined) await logUpstreamCredentials(logger, profile, providerFor(profile));
  }
  let gateway: RunningGateway;
  try {
    gateway = await startGatewayServer({
      provider,
      apiKey: key.apiKey,
      logger,
      host: settings.host,
      port: settings.port,
      continuation: settings.continuation,
      conversationsApi: settings.conversationsApi,
      backgroundResponses: settings.backgroundResponses,
      ...(settings.storedChatCompletions ? {} : { storedChatCompletions: false as const }),
      allowedHosts: settings.allowedHosts,
      allowedOrigins: settings.allowedOrigins,
      headersTimeoutMs: settings.headersTimeoutMs,
      requestTimeoutMs: settings.requestTimeoutMs,
      keepAliveTimeoutMs: settings.keepAliveTimeoutMs,
      maxConnections: settings.maxConnections,
      modelMap: createModelMap(settings.modelMap),
      clientKeys: { store: clientKeyStorage.store, usage: clientKeyStorage.usage },
      ...(io.provider === undefined
        ? { profiles: { serverProfile: settings.profile, providerFor, failover: settings.failover } }
        : {}),
      closeProviderOnClose: true,
    });
  } catch (error) {
    if (key.source === 'generated') {
      io.stderr(
        `codetether-server: a server key was generated and stored in ${key.path} (mode 0600) before listening failed; it was not shown, and is used on the next start (read it with: cat ${key.path}).\n`,
      );
    }
    throw error;
  }
  const keyFileWarnings = await clientKeyWarnings(clientKeyStorage.store);
  const baseUrl = `${gateway.url}/v1`;
  // Banners go to stderr: stdout carries only the JSON log lines.
  io.stderr(`codetether-server listening on ${gateway.url} (OpenAI base URL ${baseUrl})\n`);
  if (key.source === 'generated') {
    io.stderr(
      [
        '',
        `Generated a server API key and stored it in ${key.path} (mode 0600). It is shown only this once:`,
        '',
        `  ${key.apiKey}`,
        '',
        'Point OpenAI clients at the gateway with it, for example:',
        `  export OPENAI_BASE_URL=${baseUrl}`,
        '  export OPENAI_API_KEY=<the key above>',
        `  curl ${baseUrl}/models -H "Authorization: Bearer $OPENAI_API_KEY"`,
        '',
        '',
      ].join('\n'),
    );
  } else {
    io.stderr(
      `Clients must send "Authorization: Bearer <key>" with the key from ${key.source === 'environment' ? 'CODETETHER_SERVER_API_KEY' : key.path}.\n`,
    );
  }
  const engineWarnings = jsonEngineWarnings();
  for (const line of [
    ...startUpWarnings(gateway.host, key.source, key.apiKey),
    ...keyFileWarnings,
    ...engineWarnings,
  ])
    io.stderr(line);
  for (const line of [...keyFileWarnings, ...engineWarnings])
    logger.warn({}, line.replace(/^WARNING: /, '').trim());
  if (!isLoopbackHost(gateway.host)) {
    logger.warn(
      { host: gateway.host },
      'listening on a non-loopback address: anyone who can reach it and knows the key can use your account',
    );
  }
  return { gateway, settings };
}
