import { CommanderError } from 'commander';
import type { CommandContext } from './command-context.js';
import { reportError } from './error-report.js';
import { EXIT_CODES, type ExitCode } from './exit-codes.js';
import { createProgram } from './program.js';
import { createTerminal } from './terminal.js';

/**
 * Runs `codetether` with the process's arguments and sets `process.exitCode`:
 * 0 done, 1 model/server error, 2 usage error, 3 not logged in, 130 interrupted.
 *
 * @param version - the version `--version` prints (the entry point owns it, so it loads alone)
 */
export async function main(version: string): Promise<void> {
  // `codetether models | head -3`: the reader went away; stop quietly instead of crashing with EPIPE.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  const env = process.env;
  const terminal = createTerminal({ stdout: process.stdout, stderr: process.stderr }, env);
  let exitCode: ExitCode = EXIT_CODES.success;
  const createContext = (debug: boolean, commandEnvironment: typeof env): CommandContext => ({
    terminal,
    stdin: process.stdin,
    env: commandEnvironment,
    now: Date.now,
    debug,
  });
  const program = createProgram(version, env, createContext, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed the message (or the help / version).
      const done = error.code === 'commander.helpDisplayed' || error.code === 'commander.version';
      exitCode = done ? EXIT_CODES.success : EXIT_CODES.usage;
    } else {
      exitCode = reportError(terminal, error, process.argv.includes('--debug'));
    }
  }
  process.exitCode = exitCode;
}
