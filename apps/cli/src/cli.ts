#!/usr/bin/env node
import { enableCompileCache } from './compile-cache.js';
import { stopQuietlyWhenReaderLeaves } from './output-reader-gone.js';
import { CLI_VERSION } from './version.js';

// The entry point stays tiny: `--version` answers without loading anything else, `--help` to a pipe
// prints the text the build rendered (dist/help.txt), and every other invocation loads the command
// parser (commander) and then only the command it runs.
// Built-ins come from `process.getBuiltinModule` rather than `import`: importing a built-in as an ES
// module makes Node evaluate every export of it (lazy getters included), which costs start-up time.
// Both are optional calls, so an older Node without them still reaches the version check.
const builtin = process.getBuiltinModule?.bind(process) as ((id: string) => unknown) | undefined;
const [first, ...rest] = process.argv.slice(2);
const nodeMajor = Number(process.versions.node.split('.')[0]);

/** The help text the build rendered, for output that is not a terminal; undefined when it is missing. */
function prerenderedHelp(): string | undefined {
  if (rest.length !== 0 || (first !== '--help' && first !== '-h') || process.stdout.isTTY) return undefined;
  const fs = builtin?.('node:fs') as typeof import('node:fs') | undefined;
  try {
    return fs?.readFileSync(new URL('./help.txt', import.meta.url), 'utf8');
  } catch {
    return undefined;
  }
}

// Before the first write: `codetether --version | …` whose reader is gone must not crash either.
stopQuietlyWhenReaderLeaves([process.stdout, process.stderr]);
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
  // Only now: the two answers above load nothing worth caching.
  enableCompileCache(process.env, builtin);
  const { main } = await import('./main.js');
  await main(CLI_VERSION);
}
