import { randomUUID } from 'node:crypto';
import { startEmulator } from '@codetether/emulator';
import {
  createMemoryCredentialStore,
  loginWithBrowser,
  type OAuthTokens,
  readAccountClaims,
} from '@codetether/oauth-pkce';
import { type CodexProvider, createCodexProvider } from '@codetether/provider-codex';
import type { ChatMessage, ToolDefinition } from '@codetether/responses-protocol';
import { streamAnswer } from '../chat-turn.js';
import { CliError } from '../cli-error.js';
import type { CommandContext } from '../command-context.js';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';
import { shortenAccountId } from '../rendering/account-id.js';
import { type RateLimitSnapshotView, renderRateLimitBars } from '../rendering/rate-limit-bars.js';

/** The tool the demo offers the model. */
const WEATHER_TOOL: ToolDefinition = {
  name: 'get_weather',
  description: 'Current weather for a city.',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string', description: 'City name' } },
    required: ['city'],
    additionalProperties: false,
  },
};

/**
 * The demo's local tool: a deterministic forecast for the requested city.
 *
 * @param argumentsJson - the tool call's arguments (JSON)
 */
export function runWeatherTool(argumentsJson: string): string {
  let city = 'Paris';
  try {
    const parsed: unknown = JSON.parse(argumentsJson);
    const candidate = (parsed as { city?: unknown } | null)?.city;
    if (typeof candidate === 'string' && candidate.trim() !== '') city = candidate;
  } catch {
    // Keep the default city: the demo tool never fails.
  }
  return JSON.stringify({ city, forecast: 'sunny', temperatureCelsius: 21 });
}

/**
 * Plays the browser's part of a login: asks the issuer's authorize endpoint (which approves at once on
 * the emulator) and delivers its redirect to the CLI's loopback callback server.
 *
 * @param url - the authorize URL
 */
async function followAuthorizeRedirect(url: string): Promise<void> {
  const authorize = await fetch(url, { redirect: 'manual' });
  const location = authorize.headers.get('location');
  if (location === null) throw new Error(`The issuer answered ${authorize.status} without a redirect.`);
  const callback = new URL(location);
  // The redirect names `localhost`; the callback server listens on 127.0.0.1.
  if (callback.hostname === 'localhost') callback.hostname = '127.0.0.1';
  const response = await fetch(callback);
  await response.arrayBuffer();
}

/**
 * `codetether demo`: starts the emulator in-process and runs the whole real stack against it — PKCE
 * browser login with a loopback callback, a streamed chat over the WebSocket with reasoning, a tool
 * call answered by a local function, and the usage bars. No account, no network, no environment.
 *
 * @param context - streams and clock (the environment is ignored)
 */
export async function runDemo(context: CommandContext): Promise<ExitCode> {
  const { stdout, stdoutColors: colors } = context.terminal;
  const heading = (step: number, text: string): void => {
    stdout.write(`\n${colors.bold(colors.cyan(`${step}/4`))} ${colors.bold(text)}\n`);
  };
  const note = (text: string): void => {
    stdout.write(`${colors.dim(text)}\n`);
  };
  const emulator = await startEmulator({ eventDelayMs: 15, scenario: 'text' });
  let provider: CodexProvider | undefined;
  try {
    stdout.write(
      `${colors.bold('CodeTether demo')} ${colors.dim(`— a local emulator of the OpenAI issuer and Codex backend at ${emulator.url}; no account or network needed.`)}\n`,
    );

    heading(1, 'Sign in with ChatGPT (OAuth 2.0 + PKCE, loopback callback)');
    const opener = new AbortController();
    let openerError: unknown;
    let tokens: OAuthTokens;
    try {
      tokens = await loginWithBrowser({
        issuer: emulator.issuerUrl,
        port: 0,
        timeoutMs: 60_000,
        signal: opener.signal,
        onAuthorizeUrl(url) {
          const shown = new URL(url);
          note(`  authorize URL: ${shown.origin}${shown.pathname}?client_id=…&code_challenge=…&state=…`);
        },
        openBrowser: async (url) => {
          try {
            await followAuthorizeRedirect(url);
          } catch (error) {
            openerError = error;
            opener.abort(error);
          }
        },
      });
    } catch (error) {
      throw new CliError('failed', 'The demo login against the emulator failed.', {
        cause: openerError ?? error,
        hint: 'Run `codetether demo --debug` to see why.',
      });
    }
    const store = createMemoryCredentialStore();
    const claims = readAccountClaims(tokens);
    await store.write({
      type: 'chatgpt',
      tokens,
      ...(claims.accountId === undefined ? {} : { accountId: claims.accountId }),
      lastRefreshAt: context.now(),
      source: 'login',
    });
    stdout.write(
      `${colors.green('✔')} Logged in as ${colors.bold(claims.email ?? 'the demo user')} (plan ${claims.planType ?? 'unknown'}, account ${shortenAccountId(claims.accountId ?? '?')}).\n`,
    );

    provider = createCodexProvider({
      auth: { type: 'chatgpt', store },
      env: {},
      issuer: emulator.issuerUrl,
      chatgptBaseUrl: emulator.chatgptBaseUrl,
      openaiBaseUrl: emulator.openaiBaseUrl,
      transport: 'websocket',
    });
    const sessionId = randomUUID();
    const answerOptions = {
      signal: new AbortController().signal,
      sessionId,
      showThinking: true,
      json: false,
      cacheRateLimits: false,
    };
    const model = 'gpt-5.4';

    heading(2, 'Chat over the WebSocket (reasoning dimmed, answer streamed)');
    emulator.setOptions({ scenario: 'reasoning' });
    const greeting = 'Say hello to a new CodeTether user.';
    stdout.write(`${colors.cyan('›')} ${greeting}\n`);
    await streamAnswer(
      context,
      provider,
      { model, messages: [{ role: 'user', content: greeting }] },
      answerOptions,
    );

    heading(3, 'A tool call, answered by a local function');
    emulator.setOptions({ scenario: 'tool-call' });
    const question = 'What is the weather in Paris right now?';
    stdout.write(`${colors.cyan('›')} ${question}\n`);
    const messages: ChatMessage[] = [{ role: 'user', content: question }];
    const call = await streamAnswer(
      context,
      provider,
      { model, messages, tools: [WEATHER_TOOL] },
      answerOptions,
    );
    const toolCall = call.toolCalls[0];
    if (toolCall === undefined) throw new CliError('failed', 'The emulator did not ask for the demo tool.');
    const result = runWeatherTool(toolCall.arguments);
    stdout.write(`${colors.green('✔')} ran ${toolCall.name} locally → ${result}\n`);
    messages.push(
      { role: 'assistant', toolCalls: [toolCall] },
      { role: 'tool', toolCallId: toolCall.id, content: result },
    );
    await streamAnswer(context, provider, { model, messages, tools: [WEATHER_TOOL] }, answerOptions);

    heading(4, 'Your usage windows (from the response headers)');
    const snapshot = provider.lastRateLimits as RateLimitSnapshotView | undefined;
    const bars = snapshot === undefined ? [] : renderRateLimitBars(snapshot, { colors, now: context.now() });
    if (bars.length === 0) note('  The emulator sent no usage windows.');
    for (const line of bars) stdout.write(`${line}\n`);

    const responses = emulator.requests.filter((request) => request.path.endsWith('/responses'));
    const overWebSocket = responses.filter((request) => request.transport === 'websocket').length;
    stdout.write(
      `\n${colors.green('✔')} Done: ${responses.length} responses requests, ${overWebSocket} over the WebSocket.\n`,
    );
    note('Next, with your own account: codetether auth login, then codetether chat "Hello".');
    return EXIT_CODES.success;
  } finally {
    await provider?.close();
    await emulator.close();
  }
}
