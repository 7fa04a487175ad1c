import type { CommandContext } from './command-context.js';
import { type ChatInvocation, parseChatInvocation } from './command-line/chat-invocation.js';
import type { ChatOptions } from './commands/chat.js';
import { reportError } from './error-report.js';
import type { ExitCode } from './exit-codes.js';
import type { ContextFactory } from './program.js';
import { createTerminal } from './terminal.js';

/**
 * Runs a plain `codetether chat …` without commander: the same steps as the `chat` command's
 * pre-action hook and action in `program.ts` (config file and `-c` below/above the environment, a
 * `--model` left at its default takes `CODETETHER_MODEL`), from the same option definitions.
 */
async function runChatInvocation(
  invocation: ChatInvocation,
  env: Record<string, string | undefined>,
  createContext: ContextFactory,
): Promise<ExitCode> {
  const [{ configuredModel, loadCommandEnvironment }, { runChat }] = await Promise.all([
    import('./configuration/command-environment.js'),
    import('./commands/chat.js'),
  ]);
  const commandEnvironment = await loadCommandEnvironment(env, invocation.configOverrides, {
    profile: invocation.profile,
  });
  const options = { ...invocation.options } as unknown as ChatOptions;
  if (!invocation.given.has('model')) options.model = configuredModel(commandEnvironment) ?? options.model;
  return runChat(createContext(invocation.debug, commandEnvironment), invocation.prompt, options);
}

/**
 * Runs `codetether` with the process's arguments and sets `process.exitCode`:
 * 0 done, 1 model/server error, 2 usage error, 3 not logged in, 130 interrupted.
 *
 * A plain one-shot `chat` (see `parseChatInvocation`) runs without loading the command parser;
 * everything else goes through commander (`run-program.ts`, loaded on demand).
 *
 * @param version - the version `--version` prints (the entry point owns it, so it loads alone)
 */
export async function main(version: string): Promise<void> {
  const env = process.env;
  const terminal = createTerminal({ stdout: process.stdout, stderr: process.stderr }, env);
  const createContext = (debug: boolean, commandEnvironment: typeof env): CommandContext => ({
    terminal,
    stdin: process.stdin,
    env: commandEnvironment,
    now: Date.now,
    debug,
  });
  let exitCode: ExitCode;
  try {
    const chat = parseChatInvocation(process.argv.slice(2));
    if (chat !== undefined) {
      exitCode = await runChatInvocation(chat, env, createContext);
    } else {
      const { runProgram } = await import('./run-program.js');
      exitCode = await runProgram(version, process.argv, env, createContext);
    }
  } catch (error) {
    exitCode = reportError(terminal, error, process.argv.includes('--debug'));
  }
  process.exitCode = exitCode;
}
