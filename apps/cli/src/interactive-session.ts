import { createInterface, type Interface } from 'node:readline';
import type { CodexProvider, Conversation } from '@codetether/provider-codex';
import { streamAnswer } from './chat-turn.js';
import type { CommandContext } from './command-context.js';
import { reportError } from './error-report.js';
import { EXIT_CODES, type ExitCode } from './exit-codes.js';
import { exitCodeOfSignal, onStopSignal, type StopSignal } from './interrupt.js';
import { createSwitchableOutput } from './switchable-output.js';
import type { Colors, OutputStream, Terminal } from './terminal.js';

/** Options of {@link runInteractiveSession}. */
export interface InteractiveSessionOptions {
  /** Model or alias. */
  model: string;
  /** The system instructions, if any (kept across `/reset`). */
  instructions?: string | undefined;
  /** Show reasoning. */
  showThinking: boolean;
  /**
   * Ends the process at once: a second Ctrl-C (or SIGTERM, SIGHUP) while an answer is still being
   * cancelled. Default `process.exit`.
   */
  forceExit?: (code: ExitCode) => void;
}

/** The answer being streamed. */
interface CurrentAnswer {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * Puts text entered while an answer streamed (kept, not sent) in front of what was typed since, cursor
 * at the end, as if typed at the new prompt. Called while readline's output is muted.
 */
function restoreEnteredText(readline: Interface, entered: string[]): void {
  if (entered.length === 0) return;
  const typedAhead = readline.line;
  readline.write(null, { ctrl: true, name: 'e' });
  readline.write(null, { ctrl: true, name: 'u' });
  readline.write(`${entered.join(' ')}${typedAhead === '' ? '' : ' '}${typedAhead}`);
}

/**
 * Streams the answer to one message of the conversation; a failure is reported (the session goes on).
 * Resolves true when the answer was cancelled.
 */
async function answerTurn(
  context: CommandContext,
  provider: CodexProvider,
  options: InteractiveSessionOptions,
  turn: { conversation: Conversation; text: string; controller: AbortController },
): Promise<boolean> {
  try {
    const outcome = await streamAnswer(
      context,
      provider,
      { model: options.model, send: (signal) => turn.conversation.send(turn.text, { signal }) },
      { signal: turn.controller.signal, showThinking: options.showThinking, json: false },
    );
    return outcome.cancelled;
  } catch (error) {
    reportError(context.terminal, error, context.debug);
    return false;
  }
}

/** Draws the prompt (and what was typed ahead) after an answer, which ended on a fresh line. */
function promptOnFreshLine(readline: Interface): void {
  // Whatever readline computed while muted (the rows of the typed-ahead text) does not describe the
  // screen; left as it is, readline would first move the cursor up into the answer and erase it.
  (readline as unknown as { prevRows?: number }).prevRows = 0;
  readline.prompt(true);
}

/**
 * Where the session's own text (banner, prompt, echo of the keys, hints) goes: where the user looks,
 * standard output, or standard error when standard output is redirected (`codetether chat >
 * answers.txt` keeps only the answers, and the prompt stays on the screen).
 */
function sessionScreen(terminal: Terminal): { screen: OutputStream; colors: Colors } {
  const onStandardError = terminal.stdout.isTTY !== true && terminal.stderr.isTTY === true;
  return onStandardError
    ? { screen: terminal.stderr, colors: terminal.stderrColors }
    : { screen: terminal.stdout, colors: terminal.stdoutColors };
}

/**
 * A multi-turn chat on a terminal (node:readline) on one provider conversation: it keeps the
 * history and one WebSocket, so each turn after the first sends only the new message (continuing
 * the previous response) while the socket lasts, and the full history when it must. The
 * conversation warms the socket up while the first question is typed. A failed turn (usage limit,
 * network error) is reported and left out of the history; the next turn works as before.
 *
 * Keys: Ctrl-C cancels the answer being streamed (a second one while it is still stopping leaves at
 * once, exit 130), clears a typed line, and on an empty line explains how to leave — pressed again
 * right away, it leaves (exit 0). Ctrl-D or `/exit` leaves, `/reset` starts a new conversation.
 * While an answer streams, nothing typed is drawn into it (nor is the prompt redrawn on a resize):
 * what was typed, a line entered included, comes back at the next prompt. SIGTERM and SIGHUP cancel
 * the answer upstream, restore the terminal and leave with 143 and 129.
 *
 * @param context - streams, environment and clock
 * @param provider - the provider
 * @param options - model, system message, thinking
 */
export function runInteractiveSession(
  context: CommandContext,
  provider: CodexProvider,
  options: InteractiveSessionOptions,
): Promise<ExitCode> {
  const { screen, colors } = sessionScreen(context.terminal);
  const forceExit = options.forceExit ?? ((code: ExitCode) => process.exit(code));
  const output = createSwitchableOutput(screen);
  const readline = createInterface({
    input: context.stdin,
    output: output.stream,
    terminal: true,
    historySize: 200,
    prompt: `${colors.cyan(colors.bold('›'))} `,
  });
  const openConversation = (): Conversation =>
    provider.createConversation({
      model: options.model,
      ...(options.instructions === undefined ? {} : { instructions: options.instructions }),
      warmUp: true,
    });
  let conversation = openConversation();
  let current: CurrentAnswer | undefined;
  let closing = false;
  let exitCode: ExitCode = EXIT_CODES.success;
  // Lines entered while an answer streamed: not sent, given back at the next prompt.
  let entered: string[] = [];
  // Lines of the current read of the terminal, sent together as one message.
  let arriving: string[] = [];
  // A Ctrl-C on an empty line was just answered with how to leave; another one leaves.
  let leaveOnNextInterrupt = false;

  screen.write(
    `${colors.bold(`Chatting with ${options.model}.`)} ${colors.dim('Ctrl-C cancels an answer, Ctrl-D exits, /reset starts over.')}\n`,
  );

  const showPrompt = (): void => {
    restoreEnteredText(readline, entered);
    entered = [];
    output.unmute();
    promptOnFreshLine(readline);
  };

  const submit = (text: string): void => {
    if (closing) return;
    if (text === '') readline.prompt();
    else if (text === '/exit' || text === '/quit') readline.close();
    else if (text === '/reset') {
      void conversation.close();
      conversation = openConversation();
      screen.write(`${colors.dim('(new conversation)')}\n`);
      readline.prompt();
    } else {
      const controller = new AbortController();
      output.mute();
      const turn = { conversation, text, controller };
      const done = answerTurn(context, provider, options, turn).then((cancelled) => {
        current = undefined;
        if (closing) return;
        if (cancelled) screen.write(`${colors.yellow('(cancelled)')}\n`);
        showPrompt();
      });
      current = { controller, done };
    }
  };

  const leave = (code: ExitCode): void => {
    exitCode = code;
    readline.close();
  };

  const onInterruptKey = (): void => {
    if (current !== undefined) {
      // Still stopping after the first Ctrl-C: leave now rather than leave the user waiting.
      if (current.controller.signal.aborted) forceExit(EXIT_CODES.interrupted);
      else current.controller.abort(new Error('Cancelled with Ctrl-C.'));
      return;
    }
    if (readline.line.length > 0) {
      leaveOnNextInterrupt = false;
      screen.write('\n');
      readline.write(null, { ctrl: true, name: 'u' });
      readline.prompt();
      return;
    }
    if (leaveOnNextInterrupt) {
      leave(EXIT_CODES.success);
      return;
    }
    leaveOnNextInterrupt = true;
    screen.write(`\n${colors.dim('(Press Ctrl-D or type /exit to leave. Ctrl-C again leaves too.)')}\n`);
    readline.prompt();
  };

  const onStop = (signal: StopSignal): void => {
    // Leaving already (the answer or the conversation still closing): a signal now ends it at once.
    if (closing) forceExit(exitCodeOfSignal(signal));
    else if (signal === 'SIGINT') onInterruptKey();
    else leave(exitCodeOfSignal(signal));
  };

  return new Promise<ExitCode>((resolve) => {
    // A Ctrl-C typed on the terminal comes as readline's event; `kill -INT`, SIGTERM and SIGHUP as signals.
    const stopListening = onStopSignal(onStop);
    readline.on('SIGINT', onInterruptKey);
    context.stdin.on(
      'keypress',
      (_text: string | undefined, key: { ctrl?: boolean; name?: string } | undefined) => {
        if (key?.ctrl !== true || key.name !== 'c') leaveOnNextInterrupt = false;
      },
    );
    readline.on('line', (line) => {
      leaveOnNextInterrupt = false;
      if (closing) return;
      if (current !== undefined) {
        if (line.trim() !== '') entered.push(line.trim());
        return;
      }
      // Lines that come in one read of the terminal (a multi-line paste) are one message, not a turn
      // each: they are all emitted before the next turn of the event loop.
      arriving.push(line);
      if (arriving.length === 1) {
        setImmediate(() => {
          const text = arriving.join('\n').trim();
          arriving = [];
          submit(text);
        });
      }
    });
    readline.on('close', () => {
      closing = true;
      const pending = current;
      pending?.controller.abort(new Error('Session closed.'));
      void (pending?.done ?? Promise.resolve())
        .then(() => conversation.close())
        .then(() => {
          stopListening();
          output.dispose();
          screen.write('\n');
          resolve(exitCode);
        });
    });
    readline.prompt();
  });
}
