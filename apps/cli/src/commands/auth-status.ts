import { readAccountClaims, type StoredChatGptCredentials } from '@codetether/oauth-pkce';
import { hasOpenAiApiKey, resolveEndpoints } from '@codetether/provider-codex/configuration';
import { CliError } from '../cli-error.js';
import type { CommandContext } from '../command-context.js';
import { openCredentialStore } from '../credentials-location.js';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';
import { shortenAccountId } from '../rendering/account-id.js';
import { formatClockTime, formatRelativeTime } from '../rendering/duration.js';

/** Options of `codetether auth status`. */
export interface StatusOptions {
  /** Print JSON. */
  json?: boolean;
}

/** What `auth status --json` prints. Never contains a token or key. */
export interface AuthStatusReport {
  /** True when a ChatGPT login or an API key is available. */
  loggedIn: boolean;
  /** The auth requests use: `chatgpt`, `api-key` or `none`. */
  mode: 'chatgpt' | 'api-key' | 'none';
  /** The backend base URL requests go to. */
  backendUrl?: string;
  /** The login's e-mail. */
  email?: string;
  /** The ChatGPT plan. */
  planType?: string;
  /** The ChatGPT account (workspace) id. */
  accountId?: string;
  /** When the access token expires (ISO 8601); it is refreshed automatically. */
  tokenExpiresAt?: string;
  /** True when the access token has expired (the next request refreshes it). */
  tokenExpired?: boolean;
  /** `login` or `codex-cli-import`. */
  source?: string;
  /** The credentials file. */
  credentialsPath: string;
  /** Whether `OPENAI_API_KEY` is set (its value is never shown). */
  apiKeySet: boolean;
  /** Why the credentials file could not be read (damaged, unreadable), when it could not. */
  credentialsError?: string;
}

function buildReport(
  context: CommandContext,
  stored: StoredChatGptCredentials | undefined,
  credentialsPath: string,
): AuthStatusReport {
  const endpoints = resolveEndpoints({}, context.env);
  const apiKeySet = hasOpenAiApiKey(context.env);
  if (stored !== undefined) {
    const claims = readAccountClaims(stored.tokens);
    const report: AuthStatusReport = {
      loggedIn: true,
      mode: 'chatgpt',
      backendUrl: endpoints.chatgptBaseUrl,
      tokenExpiresAt: new Date(stored.tokens.expiresAt).toISOString(),
      tokenExpired: stored.tokens.expiresAt <= context.now(),
      source: stored.source,
      credentialsPath,
      apiKeySet,
    };
    if (claims.email !== undefined) report.email = claims.email;
    if (claims.planType !== undefined) report.planType = claims.planType;
    const accountId = stored.accountId ?? claims.accountId;
    if (accountId !== undefined) report.accountId = accountId;
    return report;
  }
  if (apiKeySet) {
    return {
      loggedIn: true,
      mode: 'api-key',
      backendUrl: endpoints.openaiBaseUrl,
      credentialsPath,
      apiKeySet,
    };
  }
  return { loggedIn: false, mode: 'none', credentialsPath, apiKeySet };
}

function row(label: string, value: string): string {
  return `  ${label.padEnd(12)} ${value}\n`;
}

/**
 * `codetether auth status`: shows the active login without touching the network (a ChatGPT login
 * wins over `OPENAI_API_KEY`). Exit code 3 when there is neither.
 *
 * @param context - streams, environment and clock
 * @param options - `--json`
 */
export async function runStatus(context: CommandContext, options: StatusOptions): Promise<ExitCode> {
  const store = openCredentialStore(context.env);
  const { stdout, stdoutColors: colors } = context.terminal;
  let stored: StoredChatGptCredentials | undefined;
  try {
    stored = await store.read();
  } catch (error) {
    // Scripts reading `--json` still get an object; people get the error and what to do.
    if (options.json !== true) throw error;
    const failed: AuthStatusReport = {
      loggedIn: false,
      mode: 'none',
      credentialsPath: store.location,
      apiKeySet: hasOpenAiApiKey(context.env),
      credentialsError: error instanceof Error ? error.message : String(error),
    };
    stdout.write(`${JSON.stringify(failed, null, 2)}\n`);
    return EXIT_CODES.notLoggedIn;
  }
  const report = buildReport(context, stored, store.location);
  if (options.json === true) {
    stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return report.loggedIn ? EXIT_CODES.success : EXIT_CODES.notLoggedIn;
  }
  if (!report.loggedIn) {
    throw new CliError('not-logged-in', 'You are not logged in (no ChatGPT login, OPENAI_API_KEY not set).', {
      hint: 'Run `codetether auth login` to sign in with ChatGPT, or set OPENAI_API_KEY to use an API key.',
    });
  }
  if (report.mode === 'api-key') {
    stdout.write(`${colors.green('●')} Using an OpenAI API key ${colors.dim('(API-key mode)')}\n`);
    stdout.write(row('API key', 'from OPENAI_API_KEY (hidden)'));
    stdout.write(row('Backend', report.backendUrl ?? ''));
    stdout.write(row('Credentials', `${report.credentialsPath} ${colors.dim('(no ChatGPT login stored)')}`));
    return EXIT_CODES.success;
  }
  const now = context.now();
  stdout.write(`${colors.green('●')} Logged in with ChatGPT\n`);
  if (report.email !== undefined) stdout.write(row('E-mail', colors.bold(report.email)));
  if (report.planType !== undefined) stdout.write(row('Plan', report.planType));
  if (report.accountId !== undefined) stdout.write(row('Account', shortenAccountId(report.accountId)));
  if (report.tokenExpiresAt !== undefined) {
    const at = Date.parse(report.tokenExpiresAt);
    const when = `${report.tokenExpired === true ? 'expired' : 'expires'} ${formatRelativeTime(at, now)} (${formatClockTime(at, now)})`;
    stdout.write(row('Token', `${when} ${colors.dim('— refreshed automatically')}`));
  }
  stdout.write(row('Backend', report.backendUrl ?? ''));
  stdout.write(row('Credentials', report.credentialsPath));
  if (report.source === 'codex-cli-import') stdout.write(row('Source', 'imported from the Codex CLI'));
  if (report.apiKeySet) {
    stdout.write(
      row('API key', `OPENAI_API_KEY is set ${colors.dim('(used only when no ChatGPT login is stored)')}`),
    );
  }
  return EXIT_CODES.success;
}
