#!/usr/bin/env node
import { CLI_USAGE, describeEmulator, parseCliArguments } from './cli-arguments.js';
import { EmulatorError } from './errors.js';
import { startEmulator } from './server.js';

async function main(): Promise<void> {
  const parsed = parseCliArguments(process.argv.slice(2));
  if (parsed.kind === 'help') {
    process.stdout.write(`${CLI_USAGE}\n`);
    return;
  }
  const emulator = await startEmulator(parsed.options);
  process.stdout.write(`${describeEmulator(emulator)}\n`);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`Received ${signal}, stopping the emulator.\n`);
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const message = error instanceof EmulatorError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`codetether-emulator: ${message}\n`);
  process.exitCode = 2;
});
