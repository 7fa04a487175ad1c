#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { CLI_VERSION } from './version.js';

// The entry point stays tiny: `--version` answers without loading anything else, `--help` to a pipe
// prints the text the build rendered (dist/help.txt), and every other invocation loads the command
// parser (commander) and then only the command it runs.
// A namespace import, so an older Node without `enableCompileCache` still reaches the version check.
nodeModule.enableCompileCache?.();
const [first, ...rest] = process.argv.slice(2);
const nodeMajor = Number(process.versions.node.split('.')[0]);

/** The help text the build rendered, for output that is not a terminal; undefined when it is missing. */
function prerenderedHelp(): string | undefined {
  if (rest.length !== 0 || (first !== '--help' && first !== '-h') || process.stdout.isTTY) return undefined;
  try {
    return readFileSync(new URL('./help.txt', import.meta.url), 'utf8');
  } catch {
    return undefined;
  }
}

const help = prerenderedHelp();
if (rest.length === 0 && (first === '--version' || first === '-V')) {
  process.stdout.write(`${CLI_VERSION}\n`);
} else if (help !== undefined) {
  process.stdout.write(help);
} else if (nodeMajor < 22) {
  process.stderr.write(
    `error: codetether needs Node.js 22 or newer, but this is Node.js ${process.versions.node}.\n→ Install Node.js 22 or newer (https://nodejs.org, or your version manager: nvm install 22, fnm install 22, volta install node@22) and run it again.\n`,
  );
  process.exitCode = 1;
} else {
  const { main } = await import('./main.js');
  await main();
}
