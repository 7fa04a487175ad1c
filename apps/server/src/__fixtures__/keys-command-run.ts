import { runServerCommand } from '../server-command.js';

/** What `codetether-server keys …` wrote, and the error it threw, if any. */
export interface KeysCommandResult {
  /** Its stdout. */
  stdout: string;
  /** Its stderr. */
  stderr: string;
  /** What it threw (a usage or client key error), if anything. */
  error?: unknown;
}

/**
 * Runs `codetether-server keys <argv>` in this process with `CODETETHER_HOME` set to `home`.
 *
 * @param home - the home folder
 * @param argv - the arguments after `keys`
 */
export async function runKeysInProcess(home: string, ...argv: string[]): Promise<KeysCommandResult> {
  let stdout = '';
  let stderr = '';
  try {
    await runServerCommand(['keys', ...argv], {
      env: { CODETETHER_HOME: home },
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
    });
  } catch (error) {
    return { stdout, stderr, error };
  }
  return { stdout, stderr };
}
