import { randomUUID } from 'node:crypto';
import { resolveCodetetherHome } from '@codetether/oauth-pkce';
import { buildDefaultUserAgent, buildRequestHeaders, DEFAULT_ORIGINATOR } from '@codetether/provider-codex';
import {
  resolveEndpoints,
  resolveProfile,
  resolveTransportMode,
} from '@codetether/provider-codex/configuration';
import type { CommandContext } from '../command-context.js';
import { checkCredentialStore } from '../doctor/credential-store-check.js';
import { type DoctorCheck, failed, passed, skipped } from '../doctor/doctor-check.js';
import {
  checkClockSkew,
  checkEndpoint,
  ENDPOINT_TIMEOUT_MS,
  type Endpoint,
  type EndpointFinding,
} from '../doctor/endpoint-checks.js';
import {
  checkConfigFile,
  checkCredentialFiles,
  checkHomeFolder,
  checkNodeVersion,
} from '../doctor/local-checks.js';
import { checkLogin, type LoginFinding } from '../doctor/login-check.js';
import { openWebSocketHandshake } from '../doctor/websocket-handshake.js';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';
import { toPlainTerminalText, toSafeJson } from '../rendering/terminal-text.js';

/** Options of `codetether doctor`. */
export interface DoctorOptions {
  /** Print JSON. */
  json?: boolean;
}

/** What `codetether doctor --json` prints. */
export interface DoctorReport {
  /** True when no check failed. */
  ok: boolean;
  /** Every check, in order. */
  checks: DoctorCheck[];
}

/** The endpoints the active login needs (all of them when there is no login). */
function endpointsFor(mode: 'chatgpt' | 'api-key' | undefined, env: CommandContext['env']): Endpoint[] {
  const urls = resolveEndpoints({}, env);
  const issuer = {
    label: 'OAuth issuer',
    url: urls.issuer,
    setting: 'CODETETHER_AUTH_ISSUER (config "authIssuer")',
  };
  const chatgpt = {
    label: 'ChatGPT backend',
    url: urls.chatgptBaseUrl,
    setting: 'CODETETHER_CHATGPT_BASE_URL (config "chatgptBaseUrl")',
  };
  const openai = {
    label: 'OpenAI API',
    url: urls.openaiBaseUrl,
    setting: 'CODETETHER_OPENAI_BASE_URL (config "openaiBaseUrl")',
  };
  if (mode === 'chatgpt') return [issuer, chatgpt];
  if (mode === 'api-key') return [openai];
  return [issuer, chatgpt, openai];
}

/** Opens (and closes) a WebSocket to the Responses endpoint with the login's headers. */
async function checkWebSocket(context: CommandContext, login: LoginFinding): Promise<DoctorCheck> {
  const name = 'WebSocket';
  let transport: string;
  try {
    transport = resolveTransportMode(undefined, context.env);
  } catch {
    transport = 'auto';
  }
  if (transport === 'http') return skipped(name, 'the transport is set to http');
  if (login.session === undefined || login.credentials === undefined) return skipped(name, 'no usable login');
  const urls = resolveEndpoints({}, context.env);
  const backend = login.session.backend;
  const url = `${backend === 'chatgpt' ? urls.chatgptBaseUrl : urls.openaiBaseUrl}/responses`;
  const headers = buildRequestHeaders({
    backend,
    wire: 'websocket',
    bearerToken: login.credentials.bearerToken,
    accountId: login.credentials.accountId,
    sessionId: randomUUID(),
    originator: DEFAULT_ORIGINATOR,
    userAgent: buildDefaultUserAgent(),
  });
  const outcome = await openWebSocketHandshake(url, headers, ENDPOINT_TIMEOUT_MS);
  const where = url.replace(/^http/, 'ws');
  if (outcome.accepted) return passed(name, `handshake with ${where} accepted (${outcome.elapsedMs} ms)`);
  if ('status' in outcome) {
    const fix =
      outcome.status === 401 || outcome.status === 403
        ? 'Run `codetether auth login` to sign in again.'
        : 'Requests fall back to HTTP; set `-c transport=http` (or config "transport": "http") to skip the WebSocket.';
    return failed(name, `handshake with ${where} refused (HTTP ${outcome.status})`, fix);
  }
  return failed(
    name,
    `${where} cannot be reached (${outcome.error})`,
    'Check your network connection (and proxy).',
  );
}

/** Runs every check, in order. */
async function runChecks(context: CommandContext): Promise<DoctorCheck[]> {
  const home = resolveCodetetherHome(context.env);
  // `--profile` / CODETETHER_PROFILE (checked when the command environment was loaded).
  const profile = resolveProfile(undefined, context.env);
  const checks: DoctorCheck[] = [
    checkNodeVersion(process.versions.node),
    await checkHomeFolder(home),
    await checkCredentialFiles(home, profile),
    await checkConfigFile(home),
    await checkCredentialStore(context.env, home, profile),
  ];
  const issuer = resolveEndpoints({}, context.env).issuer;
  const login = await checkLogin({ env: context.env, issuer, now: context.now });
  checks.push(login.check);
  const reached: EndpointFinding[] = [];
  for (const endpoint of endpointsFor(login.session?.mode, context.env)) {
    reached.push(await checkEndpoint(endpoint, context.now));
  }
  checks.push(...reached.map((finding) => finding.check));
  checks.push(checkClockSkew(reached.find((finding) => finding.serverClock !== undefined)?.serverClock));
  checks.push(await checkWebSocket(context, login));
  return checks;
}

/**
 * `codetether doctor`: checks Node.js, the home folder and credential file permissions, the config
 * file, the credential store (file, or Redis: reachable, version, refresh lock), the login and its token, that the endpoints answer, the clock against the server's, and a
 * WebSocket handshake. One line per check with the fix on a failure; exit 1 when any check fails.
 *
 * @param context - streams, environment and clock
 * @param options - `--json`
 */
export async function runDoctor(context: CommandContext, options: DoctorOptions): Promise<ExitCode> {
  const checks = await runChecks(context);
  const report: DoctorReport = { ok: checks.every((check) => check.status !== 'fail'), checks };
  const { stdout, stdoutColors: colors } = context.terminal;
  if (options.json === true) {
    stdout.write(`${toSafeJson(report, 2)}\n`);
  } else {
    const width = Math.max(...checks.map((check) => check.name.length));
    for (const check of checks) {
      const mark =
        check.status === 'ok'
          ? colors.green('✔')
          : check.status === 'fail'
            ? colors.red('✖')
            : colors.dim('-');
      stdout.write(
        `${mark} ${check.name.padEnd(width)}  ${check.status === 'skip' ? colors.dim(`skipped: ${toPlainTerminalText(check.detail)}`) : toPlainTerminalText(check.detail)}\n`,
      );
      if (check.fix !== undefined)
        stdout.write(`  ${' '.repeat(width)}  ${colors.yellow('→')} ${toPlainTerminalText(check.fix)}\n`);
    }
    stdout.write(
      report.ok
        ? `\n${colors.green('Everything looks fine.')}\n`
        : `\n${colors.red('Some checks failed; see the → lines.')}\n`,
    );
  }
  return report.ok ? EXIT_CODES.success : EXIT_CODES.failure;
}
