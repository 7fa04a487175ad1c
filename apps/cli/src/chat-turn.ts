import type { CodexProvider } from '@codetether/provider-codex';
import type { CompletionRequest, StreamChunk } from '@codetether/responses-protocol';
import type { CommandContext } from './command-context.js';
import { resolveProfileHome } from './credentials-location.js';
import { saveRateLimits } from './rate-limit-cache.js';
import { createChunkPrinter, type PrintedAnswer } from './rendering/chunk-printer.js';
import { hasRateLimitWindows, type RateLimitSnapshotView } from './rendering/rate-limit-bars.js';
import { renderUsageSummary } from './rendering/usage-summary.js';
import { type Progress, startProgress } from './spinner.js';

/** A turn of a conversation to stream as an answer (the conversation keeps the history). */
export interface ConversationTurn {
  /** The model, for the spinner and the usage line. */
  model: string;
  /** Sends the turn (e.g. `conversation.send(text, { signal })`). */
  send(signal: AbortSignal): AsyncIterable<StreamChunk>;
}

/** Options of {@link streamAnswer}. */
export interface AnswerOptions {
  /** Cancels the answer. */
  signal: AbortSignal;
  /** The session id of a stateless request (keeps the WebSocket and the prompt cache across calls). */
  sessionId?: string;
  /** Show reasoning. */
  showThinking: boolean;
  /** One JSON chunk per line. */
  json: boolean;
  /** Save the usage windows under `CODETETHER_HOME` for `codetether usage` (default true). */
  cacheRateLimits?: boolean;
}

/** The result of one streamed answer. */
export interface AnswerOutcome extends PrintedAnswer {
  /** True when the user cancelled it (Ctrl-C). */
  cancelled: boolean;
}

/** An answer that ended with an error chunk; `code` is the provider's code (mapped to an exit code). */
export class AnswerError extends Error {
  /** The error chunk's code. */
  readonly code: string | undefined;

  /**
   * @param message - the error chunk's message
   * @param code - the error chunk's code
   */
  constructor(message: string, code: string | undefined) {
    super(message);
    this.name = 'AnswerError';
    this.code = code;
  }
}

/** The `error` StreamChunk of a failure thrown before or outside the stream (messages are already scrubbed). */
function errorChunkOf(error: unknown): StreamChunk {
  const code = (error as { code?: unknown }).code;
  const chunk: StreamChunk = {
    type: 'error',
    message: error instanceof Error ? error.message : String(error),
  };
  if (typeof code === 'string') chunk.code = code;
  return chunk;
}

/**
 * Streams one answer to the terminal, prints the usage line on standard error, and caches the usage
 * windows for `codetether usage`. Throws {@link AnswerError} when the stream ends with an error
 * (unless it was cancelled), and the provider's error when the request could not start.
 *
 * @param context - streams, environment and clock
 * @param provider - the provider (its rate limits are cached)
 * @param request - a stateless request (`provider.completeStream`), or a conversation's turn
 * @param options - signal, session, display switches
 */
export async function streamAnswer(
  context: CommandContext,
  provider: CodexProvider,
  request: CompletionRequest | ConversationTurn,
  options: AnswerOptions,
): Promise<AnswerOutcome> {
  const started = context.now();
  const printer = createChunkPrinter(context.terminal, {
    showThinking: options.showThinking,
    json: options.json,
  });
  const rememberWindows = async (): Promise<void> => {
    const snapshot = provider.lastRateLimits as RateLimitSnapshotView | undefined;
    if (options.cacheRateLimits !== false && snapshot !== undefined && hasRateLimitWindows(snapshot)) {
      await saveRateLimits(resolveProfileHome(context.env), snapshot, context.now());
    }
  };
  // On a terminal, a spinner fills the wait for the first chunk (connecting, retrying, reasoning
  // with --no-thinking) and disappears without a trace; piped output gets nothing.
  let waiting: Progress | undefined =
    options.json || !context.terminal.stderrIsInteractive
      ? undefined
      : startProgress(context.terminal, `Waiting for ${request.model}…`);
  const stopWaiting = (): void => {
    waiting?.stop();
    waiting = undefined;
  };
  try {
    const chunks =
      'send' in request
        ? request.send(options.signal)
        : provider.completeStream(request, { signal: options.signal, sessionId: options.sessionId });
    for await (const chunk of chunks) {
      stopWaiting();
      printer.print(chunk);
    }
  } catch (error) {
    stopWaiting();
    // A usage-limit rejection still carries the windows: keep them for `codetether usage`.
    await rememberWindows();
    if (!options.signal.aborted) {
      // With --json, a failure before the stream (usage limit, 401, backend down) is an error chunk on
      // standard output too, so a program reading the JSON lines sees why nothing came.
      if (options.json) printer.print(errorChunkOf(error));
      throw error;
    }
  }
  stopWaiting();
  const answer = printer.finish();
  const cancelled = options.signal.aborted || answer.error?.code === 'aborted';
  if (!cancelled && answer.error === undefined) {
    const { stderr, stderrColors } = context.terminal;
    stderr.write(
      `${renderUsageSummary({ model: request.model, usage: answer.usage, elapsedMs: context.now() - started }, stderrColors)}\n`,
    );
  }
  // After the output: the user has the whole answer before the cache file is written.
  await rememberWindows();
  if (cancelled) return { ...answer, cancelled };
  if (answer.error !== undefined) throw new AnswerError(answer.error.message, answer.error.code);
  return { ...answer, cancelled };
}
