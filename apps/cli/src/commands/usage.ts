import { randomUUID } from 'node:crypto';
import { resolveCodetetherHome } from '@codetether/oauth-pkce';
import { AnswerError } from '../chat-turn.js';
import { createCodexProvider } from '../codex-provider.js';
import type { CommandContext } from '../command-context.js';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';
import { loadRateLimits, saveRateLimits } from '../rate-limit-cache.js';
import { formatRelativeTime } from '../rendering/duration.js';
import {
  hasRateLimitWindows,
  type RateLimitSnapshotView,
  renderRateLimitBars,
} from '../rendering/rate-limit-bars.js';
import { startProgress } from '../spinner.js';

/** Options of `codetether usage`. */
export interface UsageOptions {
  /** Ignore the cached headers and ask the backend. */
  refresh?: boolean;
  /** Print JSON. */
  json?: boolean;
  /** Model for the tiny request. */
  model: string;
}

/** Cached windows older than this are refreshed with a tiny request. */
export const RATE_LIMIT_CACHE_MAX_AGE_MS = 15 * 60 * 1000;

/**
 * `codetether usage`: the subscription's usage windows as bars with reset times, from the headers of the
 * last answer (when recent) or a tiny request.
 *
 * @param context - streams, environment and clock
 * @param options - refresh, JSON and model
 */
export async function runUsage(context: CommandContext, options: UsageOptions): Promise<ExitCode> {
  const home = resolveCodetetherHome(context.env);
  const provider = createCodexProvider({ env: context.env });
  const { stdout, stdoutColors: colors } = context.terminal;
  try {
    const auth = await provider.resolveAuth();
    if (auth.mode === 'api-key') {
      if (options.json === true)
        stdout.write(`${JSON.stringify({ mode: 'api-key', windows: [] }, null, 2)}\n`);
      else {
        stdout.write(
          'API-key mode has no subscription usage windows: it is billed per token. Log in with `codetether auth login` to see your ChatGPT limits.\n',
        );
      }
      return EXIT_CODES.success;
    }
    const cached = options.refresh === true ? undefined : await loadRateLimits(home);
    let snapshot: RateLimitSnapshotView | undefined;
    let asOf: number;
    let source: 'last-answer' | 'request';
    if (
      cached !== undefined &&
      hasRateLimitWindows(cached.rateLimits) &&
      context.now() - cached.savedAt < RATE_LIMIT_CACHE_MAX_AGE_MS
    ) {
      snapshot = cached.rateLimits;
      asOf = cached.savedAt;
      source = 'last-answer';
    } else {
      const progress = startProgress(context.terminal, 'Asking the backend for your usage windows…');
      let requestError: unknown;
      try {
        for await (const chunk of provider.completeStream(
          {
            model: options.model,
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
      snapshot = provider.lastRateLimits as RateLimitSnapshotView | undefined;
      if (requestError !== undefined) {
        // Having used up a window is exactly when people look at it: a usage-limit rejection still
        // carries the windows, so show them (and say so) instead of failing.
        const code = (requestError as { code?: unknown } | null)?.code;
        if (code !== 'usage-limit-reached' || !hasRateLimitWindows(snapshot)) throw requestError;
        const { stderr, stderrColors } = context.terminal;
        const reason = requestError instanceof Error ? requestError.message : String(requestError);
        stderr.write(`${stderrColors.yellow('!')} ${reason}\n`);
      }
      asOf = context.now();
      source = 'request';
      if (snapshot !== undefined && hasRateLimitWindows(snapshot)) await saveRateLimits(home, snapshot, asOf);
    }
    if (options.json === true) {
      stdout.write(
        `${JSON.stringify({ mode: 'chatgpt', source, asOf: new Date(asOf).toISOString(), ...(snapshot ?? {}) }, null, 2)}\n`,
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
