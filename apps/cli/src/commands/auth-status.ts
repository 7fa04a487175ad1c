import { DEFAULT_PROFILE, readAccountClaims, type StoredChatGptCredentials } from '@codetether/oauth-pkce';
import {
  ENVIRONMENT_VARIABLES,
  hasOpenAiApiKey,
  readEnvironmentSetting,
  resolveEndpoints,
  resolveProfile,
} from '@codetether/provider-codex/configuration';
import { CliError } from '../cli-error.js';
import type { CommandContext } from '../command-context.js';
import { openApiKeyStore, openCredentialStore, resolveProfileHome } from '../credentials-location.js';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';
import { loadRateLimits } from '../rate-limit-cache.js';
import { shortenAccountId } from '../rendering/account-id.js';
import { formatClockTime, formatRelativeTime } from '../rendering/duration.js';
import {
  hasRateLimitWindows,
  type RateLimitWindowView,
  toEpochMilliseconds,
  windowLabel,
} from '../rendering/rate-limit-bars.js';
import { toPlainTerminalText, toSafeJson } from '../rendering/terminal-text.js';

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

/** The usage windows of a profile's latest answer, as `auth status --json` prints them. */
export interface ProfileUsageReport {
  /** When the windows were received (ISO 8601). */
  asOf: string;
  /** The short window (5 hours on ChatGPT plans). */
  primary?: RateLimitWindowView;
  /** The long window (weekly). */
  secondary?: RateLimitWindowView;
}

/** One profile in `auth status --json`'s `profiles` list: the fields of the report, plus its name and usage. */
export interface ProfileStatusReport extends AuthStatusReport {
  /** The profile name (`default` for the login at `$CODETETHER_HOME/auth.json`). */
  profile: string;
  /** The usage windows of the profile's latest answer, when known. */
  usage?: ProfileUsageReport;
}

/** What `auth status --json` prints: the selected profile's report, and without a profile every profile. */
export interface AuthStatusOutput extends ProfileStatusReport {
  /** Every profile with a login (`default` first), when no profile was selected and named ones exist. */
  profiles?: ProfileStatusReport[];
}

/** What is stored for one profile. */
interface StoredLogins {
  chatgpt: StoredChatGptCredentials | undefined;
  credentialsPath: string;
  apiKey: string | undefined;
  apiKeyPath: string;
}

/** `OPENAI_API_KEY` counts only for the default profile. */
function environmentKeyApplies(context: CommandContext, profile: string): boolean {
  return profile === DEFAULT_PROFILE && hasOpenAiApiKey(context.env);
}

function buildReport(context: CommandContext, stored: StoredLogins, profile: string): AuthStatusReport {
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
  if (stored.apiKey !== undefined || environmentKeyApplies(context, profile)) {
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

async function readUsage(context: CommandContext, profile: string): Promise<ProfileUsageReport | undefined> {
  const cached = await loadRateLimits(resolveProfileHome(context.env, profile));
  if (cached === undefined || !hasRateLimitWindows(cached.rateLimits)) return undefined;
  const usage: ProfileUsageReport = { asOf: new Date(cached.savedAt).toISOString() };
  if (cached.rateLimits.primary !== undefined) usage.primary = cached.rateLimits.primary;
  if (cached.rateLimits.secondary !== undefined) usage.secondary = cached.rateLimits.secondary;
  return usage;
}

/** Reads one profile's login (never the network). Scripts reading `--json` get an object even on failure. */
async function reportProfile(
  context: CommandContext,
  profile: string,
  json: boolean,
): Promise<ProfileStatusReport> {
  const store = openCredentialStore(context.env, profile);
  const apiKeyStore = openApiKeyStore(context.env, profile);
  let report: AuthStatusReport;
  try {
    const chatgpt = await store.read();
    const stored: StoredLogins = {
      chatgpt,
      credentialsPath: store.location,
      apiKey: chatgpt === undefined ? await apiKeyStore.read() : undefined,
      apiKeyPath: apiKeyStore.location,
    };
    report = buildReport(context, stored, profile);
  } catch (error) {
    // People get the error and what to do; scripts get an object.
    if (!json) throw error;
    report = {
      loggedIn: false,
      mode: 'none',
      credentialsPath: store.location,
      apiKeySet: hasOpenAiApiKey(context.env),
      credentialsError: error instanceof Error ? error.message : String(error),
    };
  } finally {
    await (store as { close?: () => Promise<void> }).close?.();
  }
  const usage = report.mode === 'chatgpt' ? await readUsage(context, profile) : undefined;
  return { profile, ...report, ...(usage === undefined ? {} : { usage }) };
}

/**
 * The named profiles holding a ChatGPT login or an API key (the default profile left out). A store that
 * cannot be listed (its failure was already reported for the default profile) lists only the API keys.
 */
async function listNamedProfiles(context: CommandContext): Promise<string[]> {
  const store = openCredentialStore(context.env);
  try {
    const [logins, apiKeys] = await Promise.all([
      Promise.resolve(store.listProfiles?.() ?? []).catch((): string[] => []),
      openApiKeyStore(context.env).listProfiles(),
    ]);
    return [...new Set([...logins, ...apiKeys])].filter((name) => name !== DEFAULT_PROFILE).sort();
  } finally {
    await (store as { close?: () => Promise<void> }).close?.();
  }
}

function row(label: string, value: string): string {
  return `  ${label.padEnd(12)} ${value}\n`;
}

function describeWindow(window: RateLimitWindowView, now: number): string {
  const used = `${windowLabel(window.windowMinutes)} ${Math.round(window.usedPercent ?? 0)}% used`;
  if (window.resetsAt === undefined) return used;
  return `${used}, resets ${formatRelativeTime(toEpochMilliseconds(window.resetsAt), now)}`;
}

function writeUsage(context: CommandContext, usage: ProfileUsageReport | undefined): void {
  if (usage === undefined) return;
  const now = context.now();
  const windows = [usage.primary, usage.secondary].filter((window) => window !== undefined);
  const asOf = context.terminal.stdoutColors.dim(
    `(as of ${formatRelativeTime(Date.parse(usage.asOf), now)})`,
  );
  context.terminal.stdout.write(
    row('Usage', `${windows.map((window) => describeWindow(window, now)).join('; ')} ${asOf}`),
  );
}

/** Prints one profile's report as text; a profile without a login is one line. */
function writeProfile(context: CommandContext, report: ProfileStatusReport, named: boolean): void {
  const { stdout, stdoutColors: colors } = context.terminal;
  const suffix = named ? ` ${colors.dim(`(profile ${report.profile})`)}` : '';
  if (!report.loggedIn) {
    stdout.write(`${colors.dim('○')} Not logged in${suffix}\n`);
    stdout.write(row('Credentials', report.credentialsPath));
    return;
  }
  if (report.mode === 'api-key') {
    stdout.write(`${colors.green('●')} Using an OpenAI API key ${colors.dim('(API-key mode)')}${suffix}\n`);
    if (report.apiKeySource === 'stored') {
      stdout.write(row('API key', `(stored) …${report.apiKeyLast4 ?? ''}`));
      stdout.write(row('Backend', report.backendUrl ?? ''));
      stdout.write(row('Credentials', report.apiKeyPath ?? ''));
      if (report.apiKeySet && report.profile === DEFAULT_PROFILE) {
        stdout.write(row('', colors.dim('OPENAI_API_KEY is set too; the stored key wins')));
      }
      return;
    }
    stdout.write(row('API key', 'from OPENAI_API_KEY (hidden)'));
    stdout.write(row('Backend', report.backendUrl ?? ''));
    stdout.write(row('Credentials', `${report.credentialsPath} ${colors.dim('(no ChatGPT login stored)')}`));
    return;
  }
  const now = context.now();
  stdout.write(`${colors.green('●')} Logged in with ChatGPT${suffix}\n`);
  if (report.email !== undefined) stdout.write(row('E-mail', colors.bold(toPlainTerminalText(report.email))));
  if (report.planType !== undefined) stdout.write(row('Plan', toPlainTerminalText(report.planType)));
  if (report.accountId !== undefined)
    stdout.write(row('Account', toPlainTerminalText(shortenAccountId(report.accountId))));
  if (report.tokenExpiresAt !== undefined) {
    const at = Date.parse(report.tokenExpiresAt);
    const when = `${report.tokenExpired === true ? 'expired' : 'expires'} ${formatRelativeTime(at, now)} (${formatClockTime(at, now)})`;
    stdout.write(row('Token', `${when} ${colors.dim('— refreshed automatically')}`));
  }
  writeUsage(context, report.usage);
  stdout.write(row('Backend', report.backendUrl ?? ''));
  stdout.write(row('Credentials', report.credentialsPath));
  if (report.source === 'codex-cli-import') stdout.write(row('Source', 'imported from the Codex CLI'));
  if (report.apiKeySet && report.profile === DEFAULT_PROFILE) {
    stdout.write(
      row('API key', `OPENAI_API_KEY is set ${colors.dim('(used only when no ChatGPT login is stored)')}`),
    );
  }
}

/**
 * `codetether auth status`: shows the login without touching the network (a stored ChatGPT login wins,
 * then a stored API key, then — for the default profile only — `OPENAI_API_KEY`). With `--profile` /
 * `CODETETHER_PROFILE` it shows that profile; without, the default profile and every named profile
 * holding a login, each with its plan and the usage windows of its latest answer when known (`--json`:
 * the default profile's fields as before, plus `profile` and a `profiles` list). Exit code 3 when no
 * shown profile is logged in.
 *
 * @param context - streams, environment and clock
 * @param options - `--json`
 */
export async function runStatus(context: CommandContext, options: StatusOptions): Promise<ExitCode> {
  const json = options.json === true;
  const selected = readEnvironmentSetting(context.env, ENVIRONMENT_VARIABLES.profile);
  const profile = resolveProfile(undefined, context.env);
  const main: AuthStatusOutput = await reportProfile(context, profile, json);
  const named = selected === undefined ? await listNamedProfiles(context) : [];
  const others = await Promise.all(named.map((name) => reportProfile(context, name, json)));
  const shown = [main, ...others];
  if (others.length > 0) main.profiles = shown.map((report) => ({ ...report }));
  const anyLoggedIn = shown.some((report) => report.loggedIn);
  if (json) {
    context.terminal.stdout.write(`${toSafeJson(main, 2)}\n`);
    return anyLoggedIn ? EXIT_CODES.success : EXIT_CODES.notLoggedIn;
  }
  if (!anyLoggedIn) {
    const flag = profile === DEFAULT_PROFILE ? '' : ` --profile ${profile}`;
    const which = profile === DEFAULT_PROFILE ? 'You are' : `The profile '${profile}' is`;
    const environment = profile === DEFAULT_PROFILE ? ', OPENAI_API_KEY not set' : '';
    throw new CliError(
      'not-logged-in',
      `${which} not logged in (no ChatGPT login or API key stored${environment}).`,
      {
        hint: `Run \`codetether auth login${flag}\` to sign in with ChatGPT, or \`codetether auth login${flag} --with-api-key\`${profile === DEFAULT_PROFILE ? ' (or set OPENAI_API_KEY)' : ''} to use an API key.`,
      },
    );
  }
  shown.forEach((report, index) => {
    if (index > 0) context.terminal.stdout.write('\n');
    writeProfile(context, report, profile !== DEFAULT_PROFILE || others.length > 0);
  });
  return EXIT_CODES.success;
}
