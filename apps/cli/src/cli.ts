#!/usr/bin/env node
import { enableCompileCache } from 'node:module';
import { CLI_VERSION } from './version.js';

// The entry point stays tiny: `--version` answers without loading anything else, and every other
// invocation loads the command parser (commander) and then only the command it runs.
enableCompileCache?.();
const [first, ...rest] = process.argv.slice(2);
if (rest.length === 0 && (first === '--version' || first === '-V')) {
  process.stdout.write(`${CLI_VERSION}\n`);
} else {
  const { main } = await import('./main.js');
  await main();
}
