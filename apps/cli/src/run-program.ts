import { CommanderError } from 'commander';
import { EXIT_CODES, type ExitCode } from './exit-codes.js';
import { type ContextFactory, createProgram } from './program.js';

/**
 * Parses the command line with the whole command tree (commander) and runs the command. Resolves
 * with the exit code; a command's own failure is thrown (the caller reports it).
 *
 * @param version - the version `--version` prints
 * @param argv - `process.argv`
 * @param env - the process environment
 * @param createContext - builds the command context
 */
export async function runProgram(
  version: string,
  argv: readonly string[],
  env: Record<string, string | undefined>,
  createContext: ContextFactory,
): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT_CODES.success;
  const program = createProgram(version, env, createContext, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // Commander already printed the message (or the help / version).
    const done = error.code === 'commander.helpDisplayed' || error.code === 'commander.version';
    return done ? EXIT_CODES.success : EXIT_CODES.usage;
  }
  return exitCode;
}
