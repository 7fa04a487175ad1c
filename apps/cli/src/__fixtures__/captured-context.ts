import { Readable } from 'node:stream';
import type { CommandContext } from '../command-context.js';
import { createTerminal } from '../terminal.js';

/** A command context whose output is kept in strings, for running a command in-process. */
export interface CapturedContext {
  /** The context to pass to the command. */
  context: CommandContext;
  /** Everything written to standard output so far. */
  stdout(): string;
  /** Everything written to standard error so far. */
  stderr(): string;
}

/**
 * Creates a context with plain (colourless) captured output, empty standard input, the given
 * environment and an injectable clock.
 *
 * @param env - the environment
 * @param now - the clock (default `Date.now`)
 */
export function createCapturedContext(
  env: Record<string, string | undefined>,
  now: () => number = Date.now,
): CapturedContext {
  let stdout = '';
  let stderr = '';
  const terminal = createTerminal(
    {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
    },
    { NO_COLOR: '1' },
  );
  return {
    context: { terminal, stdin: Readable.from([]), env, now, debug: false },
    stdout: () => stdout,
    stderr: () => stderr,
  };
}
