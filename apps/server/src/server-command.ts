import { parseArgs } from 'node:util';
import { createCodexProvider } from '@codetether/provider-codex';
import {
  ENVIRONMENT_VARIABLES,
  readEnvironmentSetting,
  resolveLogLevel,
} from '@codetether/provider-codex/configuration';
import { createModelMap, type ModelMapRule, parseModelMapRules } from './dialect-model-map.js';
import { createGatewayLogger, type GatewayLogger } from './gateway-logger.js';
import type { GatewayProvider } from './gateway-provider.js';
import { loadOrCreateServerApiKey } from './server-api-key.js';
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
  /** Human-readable output (startup banner, the generated key once). */
  stdout: (text: string) => void;
  /** Usage errors. */
  stderr: (text: string) => void;
  /** Logger (default pino JSON on stdout). */
  logger?: GatewayLogger;
  /** Provider (default `createCodexProvider({ env })`). */
  provider?: GatewayProvider;
}

/** Settings read from the command line and the environment. */
export interface ServerCommandSettings {
  /** Address to bind. */
  host: string;
  /** Port to listen on. */
  port: number;
  /** Shutdown grace period for open streams, ms. */
  shutdownGraceMs: number;
  /** Refuse to start unless a key is configured, instead of generating one (`--require-key`). */
  requireKey: boolean;
  /** Continuation and its index limits, or `false` (`--no-continuation`, `CODETETHER_GATEWAY_CONTINUATION=off`). */
  continuation: false | { maxConversations?: number; maxAgeMs?: number };
  /** The user's model map rules (`--model-map`, `CODETETHER_GATEWAY_MODEL_MAP`), tried before the defaults. */
  modelMap: ModelMapRule[];
}

/** The usage text of `codetether-server`. */
export const SERVER_USAGE = `Usage: codetether-server [--host 127.0.0.1] [--port 8787] [--shutdown-grace-ms 10000] [--require-key]

An OpenAI-compatible gateway over your ChatGPT login (codetether auth login) or OPENAI_API_KEY.

Options:
  --host HOST               address to bind (default CODETETHER_SERVER_HOST or 127.0.0.1)
  --port PORT               port to listen on (default CODETETHER_SERVER_PORT or 8787)
  --shutdown-grace-ms MS    how long open streams may finish on SIGTERM (default 10000)
  --no-continuation         send every request in full: no conversation recognition, no
                            previous_response_id upstream (or CODETETHER_GATEWAY_CONTINUATION=off)
  --max-conversations N     the most conversations remembered for continuation (default 256)
  --conversation-max-age-ms MS
                            how long a conversation is remembered after its last turn (default 1800000)
  --model-map MAP           model names of Anthropic and Ollama clients to Codex models, as
                            comma-separated pattern=model pairs (* matches anything), tried before
                            the defaults claude-*opus*=gpt-5.4:high, claude-*sonnet*=gpt-5.4,
                            claude-*haiku*=gpt-5.4-mini (or CODETETHER_GATEWAY_MODEL_MAP)
  --require-key             exit with an error unless CODETETHER_SERVER_API_KEY is set or a key is
                            stored in CODETETHER_HOME, instead of generating one (the container uses it)
  -h, --help                show this help
  -V, --version             print the version

Environment: CODETETHER_SERVER_API_KEY (bearer key; generated and stored in CODETETHER_HOME when unset),
CODETETHER_HOME, OPENAI_API_KEY, CODETETHER_CHATGPT_BASE_URL, CODETETHER_OPENAI_BASE_URL,
CODETETHER_AUTH_ISSUER, CODETETHER_TRANSPORT, CODETETHER_LOG_LEVEL.
`;

/** A command-line mistake (exit code 2). */
export class ServerUsageError extends Error {
  /** Always `usage`. */
  readonly code = 'usage' as const;

  /** @param message - what is wrong with the command line */
  constructor(message: string) {
    super(message);
    this.name = 'ServerUsageError';
  }
}

function parsePort(value: string, source: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ServerUsageError(`${source} must be a port number between 0 and 65535, got '${value}'.`);
  }
  return port;
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
  let values: {
    host?: string;
    port?: string;
    'shutdown-grace-ms'?: string;
    'require-key'?: boolean;
    'no-continuation'?: boolean;
    'max-conversations'?: string;
    'conversation-max-age-ms'?: string;
    'model-map'?: string;
    help?: boolean;
    version?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'shutdown-grace-ms': { type: 'string' },
        'require-key': { type: 'boolean' },
        'no-continuation': { type: 'boolean' },
        'max-conversations': { type: 'string' },
        'conversation-max-age-ms': { type: 'string' },
        'model-map': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new ServerUsageError((error as Error).message);
  }
  if (values.help === true) return 'help';
  if (values.version === true) return 'version';
  const host = values.host ?? readEnvironmentSetting(env, ENVIRONMENT_VARIABLES.serverHost) ?? DEFAULT_HOST;
  if (host === '') throw new ServerUsageError('--host must not be empty.');
  const portFromEnvironment = readEnvironmentSetting(env, ENVIRONMENT_VARIABLES.serverPort);
  const port =
    values.port !== undefined
      ? parsePort(values.port, '--port')
      : portFromEnvironment !== undefined
        ? parsePort(portFromEnvironment, ENVIRONMENT_VARIABLES.serverPort)
        : DEFAULT_PORT;
  const grace = values['shutdown-grace-ms'];
  const shutdownGraceMs = grace === undefined ? DEFAULT_SHUTDOWN_GRACE_MS : Number(grace);
  if (!Number.isFinite(shutdownGraceMs) || shutdownGraceMs < 0) {
    throw new ServerUsageError(`--shutdown-grace-ms must be a number of milliseconds, got '${grace}'.`);
  }
  return {
    host,
    port,
    shutdownGraceMs,
    requireKey: values['require-key'] === true,
    continuation: parseContinuation(values, env),
    modelMap: parseModelMap(values['model-map'], env),
  };
}

function parseModelMap(option: string | undefined, env: Record<string, string | undefined>): ModelMapRule[] {
  const text = option ?? readEnvironmentSetting(env, ENVIRONMENT_VARIABLES.gatewayModelMap) ?? '';
  try {
    return parseModelMapRules(text);
  } catch (error) {
    throw new ServerUsageError(`--model-map: ${(error as Error).message}`);
  }
}

function parsePositiveInteger(value: string, flag: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0)
    throw new ServerUsageError(`${flag} must be a positive whole number, got '${value}'.`);
  return parsed;
}

function parseContinuation(
  values: { 'no-continuation'?: boolean; 'max-conversations'?: string; 'conversation-max-age-ms'?: string },
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
  const limits: { maxConversations?: number; maxAgeMs?: number } = {};
  if (values['max-conversations'] !== undefined)
    limits.maxConversations = parsePositiveInteger(values['max-conversations'], '--max-conversations');
  if (values['conversation-max-age-ms'] !== undefined)
    limits.maxAgeMs = parsePositiveInteger(values['conversation-max-age-ms'], '--conversation-max-age-ms');
  return limits;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
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
  const settings = parseServerArguments(argv, io.env);
  if (settings === 'help' || settings === 'version') {
    io.stdout(settings === 'help' ? SERVER_USAGE : `${SERVER_VERSION}\n`);
    return undefined;
  }
  const logger = io.logger ?? createGatewayLogger({ level: resolveLogLevel(undefined, io.env) });
  const key = await loadOrCreateServerApiKey({ env: io.env, generate: !settings.requireKey });
  let provider: GatewayProvider;
  if (io.provider !== undefined) provider = io.provider;
  else {
    const codex = createCodexProvider({ env: io.env });
    provider = codex;
    await codex.resolveAuth().then(
      (auth) => logger.info({ mode: auth.mode, backend: auth.backend }, 'upstream credentials found'),
      (error: unknown) =>
        logger.warn(
          { code: (error as { code?: unknown }).code },
          `no usable upstream credentials yet: ${error instanceof Error ? error.message : String(error)}`,
        ),
    );
  }
  const gateway = await startGatewayServer({
    provider,
    apiKey: key.apiKey,
    logger,
    host: settings.host,
    port: settings.port,
    continuation: settings.continuation,
    modelMap: createModelMap(settings.modelMap),
    closeProviderOnClose: true,
  });
  const baseUrl = `${gateway.url}/v1`;
  io.stdout(`codetether-server listening on ${gateway.url} (OpenAI base URL ${baseUrl})\n`);
  if (key.source === 'generated') {
    io.stdout(
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
    io.stdout(
      `Clients must send "Authorization: Bearer <key>" with the key from ${key.source === 'environment' ? 'CODETETHER_SERVER_API_KEY' : key.path}.\n`,
    );
  }
  if (!isLoopback(gateway.host)) {
    logger.warn(
      { host: gateway.host },
      'listening on a non-loopback address: anyone who can reach it and knows the key can use your account',
    );
  }
  return { gateway, settings };
}
