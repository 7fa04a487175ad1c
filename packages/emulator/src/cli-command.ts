import { CLI_USAGE, describeEmulator, parseCliArguments } from './cli-arguments.js';
import { startEmulator } from './server.js';
import type { Emulator } from './types.js';

/** What the command needs from its process (injected so it can be tested in-process). */
export interface CliEnvironment {
  /** Writes to standard output. */
  writeOutput(text: string): void;
  /** Writes to standard error. */
  writeError(text: string): void;
  /** Resolves with the name of the first stop signal (SIGINT or SIGTERM) received. */
  waitForStopSignal(): Promise<string>;
  /** Called once the emulator is listening. */
  onStarted?(emulator: Emulator): void;
}

/**
 * Runs `codetether-emulator`: parses the arguments, starts the emulator, prints its URL and the
 * `CODETETHER_*` export lines, and closes it cleanly on the first stop signal.
 *
 * @param argv - arguments after the script name
 * @param environment - output streams and signal source
 * @returns the process exit status (0 after a clean stop or `--help`, 2 for a usage or listen error)
 */
export async function runEmulatorCommand(
  argv: readonly string[],
  environment: CliEnvironment,
): Promise<number> {
  let emulator: Emulator;
  try {
    const parsed = parseCliArguments(argv);
    if (parsed.kind === 'help') {
      environment.writeOutput(`${CLI_USAGE}\n`);
      return 0;
    }
    emulator = await startEmulator(parsed.options);
  } catch (error) {
    environment.writeError(
      `codetether-emulator: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 2;
  }
  environment.writeOutput(`${describeEmulator(emulator)}\n`);
  environment.onStarted?.(emulator);
  const signal = await environment.waitForStopSignal();
  environment.writeError(`Received ${signal}, stopping the emulator.\n`);
  await emulator.close();
  return 0;
}
