import { CliError } from './cli-error.js';
import { EXIT_CODES, type ExitCode } from './exit-codes.js';
import { toPlainTerminalText } from './rendering/terminal-text.js';
import type { Terminal } from './terminal.js';

/** An error turned into what the user sees and the exit code. */
export interface ErrorReport {
  /** What happened, one sentence (library messages may already say what to do). */
  message: string;
  /** What to do next, when the message does not already say it. */
  hint?: string | undefined;
  /** The exit code. */
  exitCode: ExitCode;
}

const LOGIN_COMMAND = 'codetether auth login';

/** Provider/OAuth error codes that mean "there is no usable login". */
const NOT_LOGGED_IN_CODES = new Set([
  'not-logged-in',
  'missing-account-id',
  'unauthorized',
  'refresh-token-rejected',
  'credentials-corrupt',
]);

/** Error codes that mean the command line asked for something impossible. */
const USAGE_CODES = new Set(['unsupported-model', 'invalid-request', 'invalid-paste', 'invalid-profile']);

function readCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** Socket error codes, in words. */
const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused: nothing is listening there',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved',
  ETIMEDOUT: 'the connection timed out',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  'bad port': 'that port is blocked by Node.js',
};

function findNetworkReason(error: unknown, message: string): string | undefined {
  for (let current = error, depth = 0; current !== undefined && depth < 8; depth += 1) {
    const code = readCode(current);
    if (code !== undefined && NETWORK_REASONS[code] !== undefined) return NETWORK_REASONS[code];
    current = current instanceof Error ? current.cause : undefined;
  }
  const named = Object.keys(NETWORK_REASONS).find((code) => message.includes(code));
  return named === undefined ? undefined : NETWORK_REASONS[named];
}

/**
 * Rewrites the provider's "could not reach" error (whose message nests the transport's own advice) as
 * one sentence naming the server and the socket error, with the setting to check as the next step.
 * Returns `undefined` for any other message.
 *
 * @param error - the error
 * @param message - its message
 */
function describeUnreachable(error: unknown, message: string): ErrorReport | undefined {
  const headline = /^Could not reach the (ChatGPT backend|OpenAI API)\b/.exec(message);
  if (headline === null) return undefined;
  const target =
    /\b(?:https?|wss?):\/\/[^\s)]+/.exec(message)?.[0] ?? /\bto ([\w.-]+:\d+)/.exec(message)?.[1];
  const reason = findNetworkReason(error, message);
  const variable =
    headline[1] === 'ChatGPT backend' ? 'CODETETHER_CHATGPT_BASE_URL' : 'CODETETHER_OPENAI_BASE_URL';
  return {
    message: `${headline[0]}${target === undefined ? '' : ` at ${target.replace(/[.,;:]+$/, '')}`}${reason === undefined ? '' : ` (${reason})`}.`,
    hint: `Check your network connection and ${variable}, then try again.`,
    exitCode: EXIT_CODES.failure,
  };
}

/**
 * Maps any error to a message, a next step and an exit code: {@link CliError}s carry their own;
 * provider and OAuth errors are recognised by their `code` (not logged in → 3, unsupported model or
 * bad request → 2, aborted → 130, anything else → 1). An unreachable backend becomes one sentence
 * naming the address and the socket error, with the base-URL setting to check.
 *
 * @param error - what was thrown
 */
export function describeError(error: unknown): ErrorReport {
  if (error instanceof CliError) {
    return { message: error.message, hint: error.hint, exitCode: error.exitCode };
  }
  // Collapse the doubled full stops of nested library messages ("try again.. Check…").
  const message = (error instanceof Error ? error.message : String(error)).replace(
    /(?<!\.)\.\.(?=\s|$)/g,
    '.',
  );
  const code = readCode(error);
  if (code === 'network-error') {
    const unreachable = describeUnreachable(error, message);
    if (unreachable !== undefined) return unreachable;
  }
  if (code !== undefined && NOT_LOGGED_IN_CODES.has(code)) {
    return {
      message,
      hint: message.includes(LOGIN_COMMAND) ? undefined : `Run \`${LOGIN_COMMAND}\` to sign in.`,
      exitCode: EXIT_CODES.notLoggedIn,
    };
  }
  if (code === 'aborted') return { message: 'Cancelled.', exitCode: EXIT_CODES.interrupted };
  if (code !== undefined && USAGE_CODES.has(code)) return { message, exitCode: EXIT_CODES.usage };
  if (code === undefined && !(error instanceof Error)) {
    return { message, hint: 'Run again with --debug for details.', exitCode: EXIT_CODES.failure };
  }
  return { message, exitCode: EXIT_CODES.failure };
}

/**
 * Prints an error on standard error: `error: <message>`, the next step on its own line, and with
 * `debug` the stack and causes. Returns the exit code to use.
 *
 * @param terminal - where to print
 * @param error - what was thrown
 * @param debug - show the stack trace
 */
export function reportError(terminal: Terminal, error: unknown, debug: boolean): ExitCode {
  const report = describeError(error);
  const colors = terminal.stderrColors;
  terminal.stderr.write(`${colors.red(colors.bold('error:'))} ${toPlainTerminalText(report.message)}\n`);
  if (report.hint !== undefined)
    terminal.stderr.write(`${colors.dim('→')} ${toPlainTerminalText(report.hint)}\n`);
  if (debug) {
    // `node:util` only for --debug: importing it as an ES module on every run costs start-up time.
    const util = process.getBuiltinModule?.('node:util') as typeof import('node:util') | undefined;
    const details =
      util === undefined
        ? String(error instanceof Error ? error.stack : error)
        : util.inspect(error, { depth: 6 });
    terminal.stderr.write(`${colors.dim(details)}\n`);
  }
  return report.exitCode;
}
