import { createInterface } from 'node:readline';
import type { CodexProvider, Conversation } from '@codetether/provider-codex';
import { streamAnswer } from './chat-turn.js';
import type { CommandContext } from './command-context.js';
import { reportError } from './error-report.js';
import { EXIT_CODES, type ExitCode } from './exit-codes.js';

/** Options of {@link runInteractiveSession}. */
export interface InteractiveSessionOptions {
  /** Model or alias. */
  model: string;
  /** The system instructions, if any (kept across `/reset`). */
  instructions?: string | undefined;
  /** Show reasoning. */
  showThinking: boolean;
}

/**
 * A multi-turn chat on a terminal (node:readline) on one provider conversation: it keeps the
 * history and one WebSocket, so each turn after the first sends only the new message (continuing
 * the previous response) while the socket lasts, and the full history when it must. The
 * conversation warms the socket up while the first question is typed. Ctrl-C cancels the answer
 * being streamed (or clears the line; a cancelled or failed turn is left out of the history),
 * Ctrl-D or `/exit` ends the session, `/reset` starts a new conversation.
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
  const { stdout, stdoutColors: colors } = context.terminal;
  const readline = createInterface({
    input: context.stdin,
    output: stdout as NodeJS.WritableStream,
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
  let current: { controller: AbortController; done: Promise<void> } | undefined;
  let closing = false;

  stdout.write(
    `${colors.bold(`Chatting with ${options.model}.`)} ${colors.dim('Ctrl-C cancels an answer, Ctrl-D exits, /reset starts over.')}\n`,
  );

  const answer = async (text: string, controller: AbortController): Promise<void> => {
    const turn = conversation;
    try {
      const outcome = await streamAnswer(
        context,
        provider,
        { model: options.model, send: (signal) => turn.send(text, { signal }) },
        { signal: controller.signal, showThinking: options.showThinking, json: false },
      );
      if (outcome.cancelled) stdout.write(`${colors.yellow('(cancelled)')}\n`);
    } catch (error) {
      reportError(context.terminal, error, context.debug);
    }
  };

  return new Promise<ExitCode>((resolve) => {
    readline.on('SIGINT', () => {
      if (current !== undefined) {
        current.controller.abort(new Error('Cancelled with Ctrl-C.'));
        return;
      }
      if (readline.line.length > 0) {
        stdout.write('\n');
        readline.write(null, { ctrl: true, name: 'u' });
        readline.prompt();
        return;
      }
      stdout.write(`\n${colors.dim('(Press Ctrl-D or type /exit to leave.)')}\n`);
      readline.prompt();
    });
    readline.on('line', (line) => {
      if (current !== undefined || closing) return;
      const text = line.trim();
      if (text === '') {
        readline.prompt();
        return;
      }
      if (text === '/exit' || text === '/quit') {
        readline.close();
        return;
      }
      if (text === '/reset') {
        void conversation.close();
        conversation = openConversation();
        stdout.write(`${colors.dim('(new conversation)')}\n`);
        readline.prompt();
        return;
      }
      const controller = new AbortController();
      const done = answer(text, controller).finally(() => {
        current = undefined;
        if (!closing) readline.prompt();
      });
      current = { controller, done };
    });
    readline.on('close', () => {
      closing = true;
      const pending = current;
      pending?.controller.abort(new Error('Session closed.'));
      void (pending?.done ?? Promise.resolve())
        .then(() => conversation.close())
        .then(() => {
          stdout.write('\n');
          resolve(EXIT_CODES.success);
        });
    });
    readline.prompt();
  });
}
