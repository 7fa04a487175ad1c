import { randomUUID } from 'node:crypto';
import { AnswerError } from '../chat-turn.js';
import { createCodexProvider } from '../codex-provider.js';
import type { CommandContext } from '../command-context.js';
import { resolveProfileHome } from '../credentials-location.js';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';
import { loadRateLimits, saveRateLimits } from '../rate-limit-cache.js';
import { formatRelativeTime } from '../rendering/duration.js';
import {
  hasRateLimitWindows,
  type RateLimitSnapshotView,
  renderRateLimitBars,
} from '../rendering/rate-limit-bars.js';
import { toSafeJson } from '../rendering/terminal-text.js';
import { startProgress } from '../spinner.js';

/** Options of `codetether usage`. */
export interface UsageOptions {
  /** Ignore the cached headers and ask the backend (`GET /usage`, else a tiny request). */
  refresh?: boolean;
  /** Print JSON. */
  json?: boolean;
  /** Model for the tiny request. */
  model: string;
}

/** Cached windows older than this are refreshed with a tiny request. */
export const RATE_LIMIT_CACHE_MAX_AGE_MS = 15 * 60 * 1000;

/** Usage windows with where they came from. */
interface UsageReading {
  snapshot: RateLimitSnapshotView | undefined;
  asOf: number;
  source: 'last-answer' | 'usage-endpoint' | 'request';
}

type UsageProvider = ReturnType<typeof createCodexProvider>;

/**
 * The windows from a tiny model request (when `GET /usage` could not tell). A usage-limit rejection
 * still carries the windows: they are shown (with the reason on stderr) instead of failing.
 */
async function readUsageWithRequest(
  context: CommandContext,
  provider: UsageProvider,
  model: string,
): Promise<RateLimitSnapshotView | undefined> {
  const progress = startProgress(context.terminal, 'Asking the backend for your usage windows…');
  let requestError: unknown;
  try {
    for await (const chunk of provider.completeStream(
      {
        model,
        messages: [{ role: 'user', content: 'Reply with the single word OK.' }],
        reasoningEffort: 'low',
      },
      { sessionId: randomUUID() },
    )) {
      if (chunk.type === 'error') throw new AnswerError(chunk.message, chunk.code);
    }
  } catch (error) {
    requestError = error;
  } finally {
    progress.stop();
  }
  const snapshot = provider.lastRateLimits as RateLimitSnapshotView | undefined;
  if (requestError !== undefined) {
    const code = (requestError as { code?: unknown } | null)?.code;
    if (code !== 'usage-limit-reached' || !hasRateLimitWindows(snapshot)) throw requestError;
    const { stderr, stderrColors } = context.terminal;
    const reason = requestError instanceof Error ? requestError.message : String(requestError);
    stderr.write(`${stderrColors.yellow('!')} ${reason}\n`);
  }
  return snapshot;
}

/**
 * The windows, cheapest first: the headers of a recent answer (unless `--refresh`), then the
 * backend's `GET /usage` (no model request), then a tiny model request.
 */
async function readUsageWindows(
  context: CommandContext,
  provider: UsageProvider,
  options: UsageOptions,
  home: string,
): Promise<UsageReading> {
  const cached = options.refresh === true ? undefined : await loadRateLimits(home);
  if (
    cached !== undefined &&
    hasRateLimitWindows(cached.rateLimits) &&
    context.now() - cached.savedAt < RATE_LIMIT_CACHE_MAX_AGE_MS
  ) {
    return { snapshot: cached.rateLimits, asOf: cached.savedAt, source: 'last-answer' };
  }
  const fromEndpoint = (await provider.readUsage()) as RateLimitSnapshotView | undefined;
  const source = hasRateLimitWindows(fromEndpoint) ? 'usage-endpoint' : 'request';
  const snapshot =
    source === 'usage-endpoint' ? fromEndpoint : await readUsageWithRequest(context, provider, options.model);
  const asOf = context.now();
  if (snapshot !== undefined && hasRateLimitWindows(snapshot)) await saveRateLimits(home, snapshot, asOf);
  return { snapshot, asOf, source };
}

/**
 * `codetether usage`: the subscription's usage windows as bars with reset times (and credits when the
 * plan has them), from the headers of the last answer (when recent), the backend's `GET /usage`, or a
 * tiny request.
 *
 * @param context - streams, environment and clock
 * @param options - refresh, JSON and model
 */
export async function runUsage(context: CommandContext, options: UsageOptions): Promise<ExitCode> {
  const home = resolveProfileHome(context.env);
  const provider = createCodexProvider({ env: context.env });
  const { stdout, stdoutColors: colors } = context.terminal;
  try {
    const auth = await provider.resolveAuth();
    if (auth.mode === 'api-key') {
      if (options.json === true) stdout.write(`${toSafeJson({ mode: 'api-key', windows: [] }, 2)}\n`);
      else {
        stdout.write(
          'API-key mode has no subscription usage windows: it is billed per token. Log in with `codetether auth login` to see your ChatGPT limits.\n',
        );
      }
      return EXIT_CODES.success;
    }
    const { snapshot, asOf, source } = await readUsageWindows(context, provider, options, home);
    if (options.json === true) {
      stdout.write(
        `${toSafeJson({ mode: 'chatgpt', source, asOf: new Date(asOf).toISOString(), ...(snapshot ?? {}) }, 2)}\n`,
      );
      return EXIT_CODES.success;
    }
    if (snapshot === undefined || !hasRateLimitWindows(snapshot)) {
      stdout.write('The backend sent no usage windows with its answer, so there is nothing to show.\n');
      return EXIT_CODES.success;
    }
    const plan = snapshot.planType ?? auth.planType;
    const origin =
      source === 'last-answer'
        ? `from your last answer, ${formatRelativeTime(asOf, context.now())}`
        : 'just now';
    stdout.write(
      `${colors.bold(`ChatGPT${plan === undefined ? '' : ` ${plan}`} usage`)} ${colors.dim(`(${origin})`)}\n\n`,
    );
    for (const line of renderRateLimitBars(snapshot, { colors, now: context.now() }))
      stdout.write(`${line}\n`);
    return EXIT_CODES.success;
  } finally {
    await provider.close();
  }
}
