import {
  DEFAULT_CALLBACK_PORT,
  DEFAULT_LOGIN_TIMEOUT_MS,
  DEFAULT_PROFILE,
  type DeviceCodeInfo,
  isPlausibleApiKey,
  loginWithBrowser,
  loginWithDeviceCode,
  type OAuthTokens,
  readAccountClaims,
  startPasteLogin,
} from '@codetether/oauth-pkce';
import { CliError } from '../cli-error.js';
import type { CommandContext } from '../command-context.js';
import { openApiKeyStore, openCredentialStore, resolveIssuer } from '../credentials-location.js';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';
import { abortOnInterrupt } from '../interrupt.js';
import { readAll, readLine } from '../read-input.js';
import { shortenAccountId } from '../rendering/account-id.js';
import { formatDuration } from '../rendering/duration.js';
import { type Progress, startProgress } from '../spinner.js';
import { removeChatGptLogin, removeStoredApiKey } from '../stored-login.js';

/** Options of `codetether auth login`. */
export interface LoginOptions {
  /** Device-code flow. */
  deviceCode?: boolean;
  /** `--device-auth`: the Codex CLI's name for the device-code flow. */
  deviceAuth?: boolean;
  /** Read an OpenAI API key from standard input and store it instead of signing in with ChatGPT. */
  withApiKey?: boolean;
  /** `false` (`--no-browser`): paste flow. */
  browser?: boolean;
  /** `false` (`--no-open`): print the URL without launching a browser. */
  open?: boolean;
  /** Callback port (default 1455). */
  port?: number;
}

/** Redraws a spinner with the time left every second until stopped. */
function countdown(
  context: CommandContext,
  deadline: number,
  text: (left: string) => string,
): { progress: Progress; stop: (finalText?: string) => void } {
  const render = (): string => text(formatDuration(deadline - context.now()));
  const progress = startProgress(context.terminal, render());
  const timer = setInterval(() => progress.update(render()), 1000);
  timer.unref();
  return {
    progress,
    stop(finalText) {
      clearInterval(timer);
      progress.stop(finalText);
    },
  };
}

async function browserLogin(
  context: CommandContext,
  options: LoginOptions,
  issuer: string,
  signal: AbortSignal,
): Promise<OAuthTokens> {
  const { stderr, stderrColors: colors } = context.terminal;
  let waiting: ReturnType<typeof countdown> | undefined;
  const timeoutMs = DEFAULT_LOGIN_TIMEOUT_MS;
  try {
    return await loginWithBrowser({
      issuer,
      port: options.port ?? DEFAULT_CALLBACK_PORT,
      openBrowser: options.open !== false,
      timeoutMs,
      signal,
      onAuthorizeUrl(url) {
        const lead =
          options.open === false
            ? 'Open this URL in your browser'
            : 'Opening your browser. If it does not open, visit';
        stderr.write(`${lead} to sign in to ChatGPT:\n\n  ${colors.cyan(colors.underline(url))}\n\n`);
        const deadline = context.now() + timeoutMs;
        waiting = countdown(
          context,
          deadline,
          (left) => `Waiting for the browser to finish signing in… ${left} left`,
        );
      },
      onBrowserOpenError() {
        stderr.write(`${colors.yellow('!')} Could not open a browser: open the URL above yourself.\n`);
      },
    });
  } finally {
    waiting?.stop();
  }
}

async function deviceCodeLogin(
  context: CommandContext,
  issuer: string,
  signal: AbortSignal,
): Promise<OAuthTokens> {
  const { stderr, stderrColors: colors } = context.terminal;
  let waiting: ReturnType<typeof countdown> | undefined;
  try {
    return await loginWithDeviceCode({
      issuer,
      signal,
      onUserCode(info: DeviceCodeInfo) {
        stderr.write(
          [
            '',
            '  To sign in, open this page in any browser:',
            '',
            `    ${colors.cyan(colors.underline(info.verificationUrl))}`,
            '',
            '  and enter this code:',
            '',
            `    ${colors.bold(colors.yellow(info.userCode))}`,
            '',
            colors.dim('  Never share this code; nobody from OpenAI or CodeTether will ask for it.'),
            '',
            '',
          ].join('\n'),
        );
        waiting = countdown(
          context,
          info.expiresAt,
          (left) => `Waiting for you to enter the code… ${left} left`,
        );
      },
    });
  } finally {
    waiting?.stop();
  }
}

async function pasteLogin(
  context: CommandContext,
  options: LoginOptions,
  issuer: string,
  signal: AbortSignal,
): Promise<OAuthTokens> {
  const { stderr, stderrColors: colors } = context.terminal;
  const login = await startPasteLogin({ issuer, port: options.port ?? DEFAULT_CALLBACK_PORT, signal });
  stderr.write(
    [
      'Open this URL in any browser and sign in to ChatGPT:',
      '',
      `  ${colors.cyan(colors.underline(login.authorizeUrl))}`,
      '',
      `Afterwards the browser goes to ${login.redirectUri.replace(/\/auth\/callback$/, '')}/… and shows an error page: that is expected.`,
      "Copy the whole address from the browser's address bar and paste it here (the code alone works too).",
      '',
    ].join('\n'),
  );
  const pasted = await readLine(context.stdin, stderr, `${colors.bold('Redirect URL or code:')} `, signal);
  if (pasted === undefined || pasted.trim() === '') {
    throw new CliError('usage', 'Nothing was pasted, so the login was not completed.', {
      hint: 'Run `codetether auth login --no-browser` again and paste the address the browser ended on.',
    });
  }
  return login.complete(pasted);
}

/** What `--with-api-key` says when piped standard input stays silent. */
const WAITING_FOR_API_KEY =
  'Reading the API key from standard input… End it with Ctrl-D (or close the pipe), e.g. printenv OPENAI_API_KEY | codetether auth login --with-api-key.\n';

/** Reads the key: hidden prompt on a terminal, else all of standard input (`printenv KEY | …`). */
async function readApiKey(context: CommandContext, signal: AbortSignal): Promise<string> {
  const { stderr, stderrColors: colors } = context.terminal;
  if (context.stdin.isTTY === true) {
    const typed = await readLine(
      context.stdin,
      stderr,
      `${colors.bold('OpenAI API key (input hidden):')} `,
      signal,
      { hideInput: true },
    );
    return (typed ?? '').trim();
  }
  const read = await readAll(context.stdin, {
    onWaiting: () => context.terminal.stderr.write(WAITING_FOR_API_KEY),
    schedule: context.schedule,
  });
  return read.trim();
}

/**
 * `codetether auth login --with-api-key`: stores the key read from standard input (never echoed or
 * printed) in `$CODETETHER_HOME/api-key.json`, replacing a stored ChatGPT login.
 */
async function loginWithApiKey(context: CommandContext): Promise<ExitCode> {
  const interrupt = abortOnInterrupt();
  let apiKey: string;
  try {
    apiKey = await readApiKey(context, interrupt.signal);
  } catch (error) {
    if (interrupt.signal.aborted) throw new CliError('interrupted', 'Login cancelled.', { cause: error });
    throw error;
  } finally {
    interrupt.dispose();
  }
  const hint =
    'Pipe the key in on standard input, e.g. `printenv OPENAI_API_KEY | codetether auth login --with-api-key`.';
  if (apiKey === '') throw new CliError('usage', 'No API key was given: standard input was empty.', { hint });
  if (!isPlausibleApiKey(apiKey)) {
    throw new CliError('usage', 'That is not an API key: it contains spaces or line breaks.', { hint });
  }
  const store = openApiKeyStore(context.env);
  await store.write(apiKey);
  const replaced = await removeChatGptLogin(context.env);
  const { stdout, stdoutColors: colors } = context.terminal;
  const profile = store.profile === DEFAULT_PROFILE ? '' : ` (profile ${store.profile})`;
  stdout.write(`${colors.green('✔')} Saved your OpenAI API key to ${store.location}${profile}.\n`);
  if (replaced.kind !== 'none') {
    stdout.write(colors.dim(`It replaces the ChatGPT login that was stored in ${replaced.location}.\n`));
  }
  return EXIT_CODES.success;
}

/**
 * `codetether auth login`: signs in with the browser (default), a device code or the paste flow,
 * then saves the login to `$CODETETHER_HOME/auth.json` (replacing a stored API key); with
 * `--with-api-key` it stores an API key read from standard input instead. Both go to the profile of
 * `--profile` / `CODETETHER_PROFILE` when one is named (`$CODETETHER_HOME/profiles/<name>/`).
 *
 * @param context - streams, environment and clock
 * @param options - the chosen flow and port
 */
export async function runLogin(context: CommandContext, options: LoginOptions): Promise<ExitCode> {
  if (options.withApiKey === true) return loginWithApiKey(context);
  const issuer = resolveIssuer(context.env);
  const store = openCredentialStore(context.env);
  const { stdout, stdoutColors: colors } = context.terminal;
  const interrupt = abortOnInterrupt();
  let tokens: OAuthTokens;
  try {
    if (options.deviceCode === true || options.deviceAuth === true)
      tokens = await deviceCodeLogin(context, issuer, interrupt.signal);
    else if (options.browser === false) tokens = await pasteLogin(context, options, issuer, interrupt.signal);
    else tokens = await browserLogin(context, options, issuer, interrupt.signal);
  } catch (error) {
    if (interrupt.signal.aborted) throw new CliError('interrupted', 'Login cancelled.', { cause: error });
    throw error;
  } finally {
    interrupt.dispose();
  }
  const claims = readAccountClaims(tokens);
  await store.withLock(() =>
    store.write({
      type: 'chatgpt',
      tokens,
      ...(claims.accountId === undefined ? {} : { accountId: claims.accountId }),
      lastRefreshAt: context.now(),
      source: 'login',
    }),
  );
  const who = claims.email ?? 'your ChatGPT account';
  const details = [
    store.profile === undefined || store.profile === DEFAULT_PROFILE ? undefined : `profile ${store.profile}`,
    claims.planType === undefined ? undefined : `plan ${claims.planType}`,
    claims.accountId === undefined ? undefined : `account ${shortenAccountId(claims.accountId)}`,
  ].filter((part) => part !== undefined);
  stdout.write(
    `${colors.green('✔')} Logged in as ${colors.bold(who)}${details.length > 0 ? ` (${details.join(', ')})` : ''}.\n`,
  );
  stdout.write(`${colors.dim(`Credentials saved to ${store.location}`)}\n`);
  const replacedApiKey = await removeStoredApiKey(context.env);
  if (replacedApiKey !== undefined) {
    stdout.write(`${colors.dim(`It replaces the API key that was stored in ${replacedApiKey}.`)}\n`);
  }
  return EXIT_CODES.success;
}
