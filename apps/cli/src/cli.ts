#!/usr/bin/env node
import * as nodeModule from 'node:module';
import { CLI_VERSION } from './version.js';

// The entry point stays tiny: `--version` answers without loading anything else, and every other
// invocation loads the command parser (commander) and then only the command it runs.
// A namespace import, so an older Node without `enableCompileCache` still reaches the version check.
nodeModule.enableCompileCache?.();
const [first, ...rest] = process.argv.slice(2);
const nodeMajor = Number(process.versions.node.split('.')[0]);
if (rest.length === 0 && (first === '--version' || first === '-V')) {
  process.stdout.write(`${CLI_VERSION}\n`);
} else if (nodeMajor < 22) {
  process.stderr.write(
    `error: codetether needs Node.js 22 or newer, but this is Node.js ${process.versions.node}.\n→ Install Node.js 22 or newer (https://nodejs.org, or your version manager: nvm install 22, fnm install 22, volta install node@22) and run it again.\n`,
  );
  process.exitCode = 1;
} else {
  const { main } = await import('./main.js');
  await main();
}
