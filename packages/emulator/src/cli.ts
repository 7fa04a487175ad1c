#!/usr/bin/env node
import { runEmulatorCommand } from './cli-command.js';

// Listen for the stop signals before anything else, so a SIGTERM that arrives while the server is
// still starting is not lost (the default action would kill the process without a clean close).
const stopSignal = new Promise<string>((resolve) => {
  process.once('SIGINT', () => resolve('SIGINT'));
  process.once('SIGTERM', () => resolve('SIGTERM'));
});

const status = await runEmulatorCommand(process.argv.slice(2), {
  writeOutput: (text) => process.stdout.write(text),
  writeError: (text) => process.stderr.write(text),
  waitForStopSignal: () => stopSignal,
});
process.exit(status);
