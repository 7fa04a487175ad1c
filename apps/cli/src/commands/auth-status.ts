import { readAccountClaims, type StoredChatGptCredentials } from '@codetether/oauth-pkce';
import { hasOpenAiApiKey, resolveEndpoints } from '@codetether/provider-codex/configuration';
import { CliError } from '../cli-error.js';
import type { CommandContext } from '../command-context.js';
import { openApiKeyStore, openCredentialStore } from '../credentials-location.js';
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
  /** Where the API key in use comes from: `stored` (`auth login --with-api-key`) or `environment`. */
  apiKeySource?: 'stored' | 'environment';
  /** The last four characters of the stored API key (nothing more of it is ever shown). */
  apiKeyLast4?: string;
  /** The stored API key's file, when a key is stored. */
  apiKeyPath?: string;
  /** Why the credentials file could not be read (damaged, unreadable), when it could not. */
  credentialsError?: string;
}

/** What is stored under the home folder. */
interface StoredLogins {
  chatgpt: StoredChatGptCredentials | undefined;
  credentialsPath: string;
  apiKey: string | undefined;
  apiKeyPath: string;
}

function buildReport(context: CommandContext, stored: StoredLogins): AuthStatusReport {
  const { credentialsPath } = stored;
  const endpoints = resolveEndpoints({}, context.env);
  const apiKeySet = hasOpenAiApiKey(context.env);
  if (stored.chatgpt !== undefined) {
    const chatgpt = stored.chatgpt;
    const claims = readAccountClaims(chatgpt.tokens);
    const report: AuthStatusReport = {
      loggedIn: true,
      mode: 'chatgpt',
      backendUrl: endpoints.chatgptBaseUrl,
      tokenExpiresAt: new Date(chatgpt.tokens.expiresAt).toISOString(),
      tokenExpired: chatgpt.tokens.expiresAt <= context.now(),
      source: chatgpt.source,
      credentialsPath,
      apiKeySet,
    };
    if (claims.email !== undefined) report.email = claims.email;
    if (claims.planType !== undefined) report.planType = claims.planType;
    const accountId = chatgpt.accountId ?? claims.accountId;
    if (accountId !== undefined) report.accountId = accountId;
    return report;
  }
  if (stored.apiKey !== undefined || apiKeySet) {
    const report: AuthStatusReport = {
      loggedIn: true,
      mode: 'api-key',
      backendUrl: endpoints.openaiBaseUrl,
      credentialsPath,
      apiKeySet,
      apiKeySource: stored.apiKey === undefined ? 'environment' : 'stored',
    };
    if (stored.apiKey !== undefined) {
      report.apiKeyLast4 = stored.apiKey.slice(-4);
      report.apiKeyPath = stored.apiKeyPath;
    }
    return report;
  }
  return { loggedIn: false, mode: 'none', credentialsPath, apiKeySet };
}

function row(label: string, value: string): string {
  return `  ${label.padEnd(12)} ${value}\n`;
}

/**
 * `codetether auth status`: shows the active login without touching the network (a stored ChatGPT
 * login wins, then a stored API key, then `OPENAI_API_KEY`). Exit code 3 when there is none.
 *
 * @param context - streams, environment and clock
 * @param options - `--json`
 */
export async function runStatus(context: CommandContext, options: StatusOptions): Promise<ExitCode> {
  const store = openCredentialStore(context.env);
  const apiKeyStore = openApiKeyStore(context.env);
  const { stdout, stdoutColors: colors } = context.terminal;
  let stored: StoredLogins;
  try {
    const chatgpt = await store.read();
    stored = {
      chatgpt,
      credentialsPath: store.location,
      apiKey: chatgpt === undefined ? await apiKeyStore.read() : undefined,
      apiKeyPath: apiKeyStore.location,
    };
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
  const report = buildReport(context, stored);
  if (options.json === true) {
    stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return report.loggedIn ? EXIT_CODES.success : EXIT_CODES.notLoggedIn;
  }
  if (!report.loggedIn) {
    throw new CliError(
      'not-logged-in',
      'You are not logged in (no ChatGPT login or API key stored, OPENAI_API_KEY not set).',
      {
        hint: 'Run `codetether auth login` to sign in with ChatGPT, or `codetether auth login --with-api-key` (or set OPENAI_API_KEY) to use an API key.',
      },
    );
  }
  if (report.mode === 'api-key') {
    stdout.write(`${colors.green('●')} Using an OpenAI API key ${colors.dim('(API-key mode)')}\n`);
    if (report.apiKeySource === 'stored') {
      stdout.write(row('API key', `(stored) …${report.apiKeyLast4 ?? ''}`));
      stdout.write(row('Backend', report.backendUrl ?? ''));
      stdout.write(row('Credentials', report.apiKeyPath ?? ''));
      if (report.apiKeySet) {
        stdout.write(row('', colors.dim('OPENAI_API_KEY is set too; the stored key wins')));
      }
      return EXIT_CODES.success;
    }
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
