import type { ChatMessage } from '@codetether/responses-protocol';
import { streamAnswer } from '../chat-turn.js';
import { CliError } from '../cli-error.js';
import { createCodexProvider, type TransportMode } from '../codex-provider.js';
import type { CommandContext } from '../command-context.js';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';
import { abortOnStopSignal, exitCodeOfSignal } from '../interrupt.js';
import { readAll } from '../read-input.js';

/** What `chat` says when piped standard input stays silent (`sleep 1000 | codetether chat`). */
const WAITING_FOR_STANDARD_INPUT =
  'Reading the message from standard input… End it with Ctrl-D (or close the pipe), or pass the message as an argument: codetether chat "Hello".\n';

/** Options of `codetether chat`. */
export interface ChatOptions {
  /** Model or alias. */
  model: string;
  /** System instructions. */
  system?: string;
  /** `auto`, `websocket` or `http`. */
  transport?: TransportMode;
  /** One StreamChunk JSON per line. */
  json?: boolean;
  /** `false` with `--no-thinking`. */
  thinking?: boolean;
}

/**
 * `codetether chat [PROMPT]`: streams one answer (prompt from the arguments or piped standard input),
 * or runs an interactive session when no prompt is given on a terminal.
 *
 * @param context - streams, environment and clock
 * @param words - the prompt words
 * @param options - model, system, transport, output switches
 */
export async function runChat(
  context: CommandContext,
  words: string[],
  options: ChatOptions,
): Promise<ExitCode> {
  if (options.model.trim() === '') {
    throw new CliError('usage', 'The model name is empty.', {
      hint: 'Pass a model or alias (--model gpt-5.4, --model gpt-5.4:high), or leave --model out for the default.',
    });
  }
  let prompt = words.join(' ').trim();
  // A prompt argument wins: piped standard input is then not read at all (a `while read` loop around
  // the command keeps its input). A blank one (`chat "$EMPTY"`) on a terminal is a mistake, not a
  // request for the interactive session a script would then hang in.
  if (words.length > 0 && prompt === '' && context.stdin.isTTY === true) {
    throw new CliError('usage', 'The prompt argument is empty.', {
      hint: 'Pass the text to ask (codetether chat "Hello"), or no argument at all for an interactive session.',
    });
  }
  if (prompt === '' && context.stdin.isTTY !== true) {
    prompt = (
      await readAll(context.stdin, {
        onWaiting: () => context.terminal.stderr.write(WAITING_FOR_STANDARD_INPUT),
        schedule: context.schedule,
      })
    ).trim();
  }
  const interactive = prompt === '' && context.stdin.isTTY === true;
  if (prompt === '' && !interactive) {
    throw new CliError(
      'usage',
      'No prompt was given: the argument is missing and standard input was empty.',
      {
        hint: 'Pass the prompt as an argument (codetether chat "Hello") or pipe it in (echo Hello | codetether chat).',
      },
    );
  }
  if (interactive && options.json === true) {
    throw new CliError('usage', '--json needs a prompt; the interactive session prints text only.', {
      hint: 'Pass the prompt as an argument or on standard input: codetether chat --json "Hello".',
    });
  }
  const { stderr, stderrColors: colors } = context.terminal;
  // A one-shot answer mentions the fallback only once HTTP has worked: when the backend is down
  // altogether, the error alone is the one sentence the user needs.
  let fallbackNote: string | undefined;
  const provider = createCodexProvider({
    env: context.env,
    ...(options.transport === undefined ? {} : { transport: options.transport }),
    onTransportFallback(info) {
      const note = colors.dim(`(The WebSocket failed (${info.reason}); this session uses HTTP.)\n`);
      if (interactive || context.debug) stderr.write(note);
      else fallbackNote = note;
    },
  });
  try {
    // Fails fast with "not logged in" (exit 3) or an unsupported model (exit 2) before anything streams.
    await provider.validateModel(options.model);
    const system: ChatMessage[] =
      options.system === undefined ? [] : [{ role: 'system', content: options.system }];
    const display = { showThinking: options.thinking !== false, json: options.json === true };
    if (interactive) {
      // Loaded only here: a one-shot answer does not load readline and the session's code.
      const { runInteractiveSession } = await import('../interactive-session.js');
      return await runInteractiveSession(context, provider, {
        model: options.model,
        instructions: options.system,
        ...display,
      });
    }
    // Ctrl-C, SIGTERM (`timeout`, `kill`) and SIGHUP abort the answer upstream and let the spinner
    // give the cursor back before the process ends with 130, 143 or 129.
    const stop = abortOnStopSignal();
    try {
      const outcome = await streamAnswer(
        context,
        provider,
        { model: options.model, messages: [...system, { role: 'user', content: prompt }] },
        { signal: stop.signal, sessionId: globalThis.crypto.randomUUID(), ...display },
      );
      if (outcome.cancelled) {
        const signal = stop.received() ?? 'SIGINT';
        // After SIGHUP the terminal is gone: nothing more is written to it.
        if (signal !== 'SIGHUP') stderr.write(`${colors.yellow('Cancelled.')}\n`);
        return exitCodeOfSignal(signal);
      }
      if (fallbackNote !== undefined) stderr.write(fallbackNote);
      return EXIT_CODES.success;
    } finally {
      stop.dispose();
    }
  } finally {
    await provider.close();
  }
}
