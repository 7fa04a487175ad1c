import { parseArgs } from 'node:util';
import { EmulatorError } from './errors.js';
import { type EmulatorOptions, isScenarioName, SCENARIO_NAMES } from './types.js';

/** Usage text of `codetether-emulator`. */
export const CLI_USAGE = `Usage: codetether-emulator [--port N] [--host HOST] [--scenario NAME] [--token-delay-ms N]
                           [--max-connection-age-ms N]

Starts a local stand-in for the OpenAI auth issuer, the ChatGPT Codex backend and the OpenAI
Responses API (HTTP SSE + WebSocket). Stops on Ctrl-C (SIGINT) or SIGTERM.

Options:
  --port N              port to listen on (default 1456; 0 picks a free port)
  --host HOST           address to bind (default 127.0.0.1)
  --scenario NAME       default scenario (default echo): ${SCENARIO_NAMES.join(', ')}
  --token-delay-ms N    pause between stream events in ms (default 0)
  --access-token-ttl N  lifetime of issued access tokens in seconds (default 3600)
  --max-connection-age-ms N
                        WebSocket connections end with websocket_connection_limit_reached after
                        N ms (default 3600000, i.e. 60 minutes; 0 disables the limit)
  --deny-authorize      make logins fail with access_denied
  -h, --help            show this help`;

/** Parsed command line: options for `startEmulator`, or a request for help. */
export type CliArguments = { kind: 'help' } | { kind: 'start'; options: EmulatorOptions };

/** Default port of the command (the library defaults to a random port). */
export const DEFAULT_CLI_PORT = 1456;

/**
 * Parses the command's arguments.
 *
 * @param argv - arguments after the script name
 * @throws EmulatorError `invalid-option` for unknown options or bad values
 */
export function parseCliArguments(argv: readonly string[]): CliArguments {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new EmulatorError(
      'invalid-option',
      `${error instanceof Error ? error.message : String(error)}\n\n${CLI_USAGE}`,
      {
        cause: error,
      },
    );
  }
  if (values.help === true) return { kind: 'help' };
  const options: EmulatorOptions = {
    port: integerOption('--port', values.port, DEFAULT_CLI_PORT),
    host: values.host ?? '127.0.0.1',
  };
  if (values.scenario !== undefined) {
    if (!isScenarioName(values.scenario)) {
      throw new EmulatorError(
        'invalid-option',
        `Unknown scenario "${values.scenario}". Use one of: ${SCENARIO_NAMES.join(', ')}.`,
      );
    }
    options.scenario = values.scenario;
  }
  if (values['token-delay-ms'] !== undefined) {
    options.eventDelayMs = integerOption('--token-delay-ms', values['token-delay-ms'], 0);
  }
  if (values['access-token-ttl'] !== undefined) {
    options.accessTokenTtlSeconds = integerOption('--access-token-ttl', values['access-token-ttl'], 3600);
  }
  if (values['max-connection-age-ms'] !== undefined) {
    options.maxConnectionAgeMs = integerOption('--max-connection-age-ms', values['max-connection-age-ms'], 0);
  }
  if (values['deny-authorize'] === true) options.denyAuthorization = true;
  return { kind: 'start', options };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      scenario: { type: 'string', short: 's' },
      'token-delay-ms': { type: 'string' },
      'access-token-ttl': { type: 'string' },
      'max-connection-age-ms': { type: 'string' },
      'deny-authorize': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function integerOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) {
    throw new EmulatorError('invalid-option', `${name} must be a non-negative integer, got "${value}".`);
  }
  return number;
}

/**
 * The lines the command prints once listening: the URL and shell `export` lines that point the
 * `codetether` CLI and `codetether-server` at the emulator.
 *
 * @param urls - the emulator's base URLs
 */
export function describeEmulator(urls: {
  url: string;
  issuerUrl: string;
  chatgptBaseUrl: string;
  openaiBaseUrl: string;
}): string {
  return [
    `CodeTether emulator listening on ${urls.url}`,
    '',
    '# Point codetether / codetether-server at it:',
    `export CODETETHER_AUTH_ISSUER=${urls.issuerUrl}`,
    `export CODETETHER_CHATGPT_BASE_URL=${urls.chatgptBaseUrl}`,
    `export CODETETHER_OPENAI_BASE_URL=${urls.openaiBaseUrl}`,
    '',
    'Press Ctrl-C to stop.',
  ].join('\n');
}
