// Start-up benchmark (not a test): median wall time of `node dist/cli.js --version` (and `--help`)
// as a ratio to `node -e 0`, measured interleaved in the same run so machine load affects both alike.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('Build the CLI first: pnpm --filter @codetether/cli build');
  process.exit(1);
}
const runs = Number(process.env.BENCH_RUNS ?? 31);
const cases = {
  'node -e 0': ['-e', '0'],
  'codetether --version': [cli, '--version'],
  'codetether --help': [cli, '--help'],
};
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/' };
const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));

const time = (args) => {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { env, stdio: 'ignore' });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited with ${result.status}`);
  return elapsed;
};

// Warm the file cache once, then interleave the cases.
for (const args of Object.values(cases)) time(args);
for (let run = 0; run < runs; run += 1) {
  for (const [name, args] of Object.entries(cases)) samples[name].push(time(args));
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const baseline = median(samples['node -e 0']);
console.log(`Start-up, median of ${runs} interleaved runs (target: --version <= 1.5x node -e 0)`);
for (const name of Object.keys(cases)) {
  const value = median(samples[name]);
  console.log(`  ${name.padEnd(22)} ${value.toFixed(1).padStart(7)} ms  ${(value / baseline).toFixed(2)}x`);
}
const ratio = median(samples['codetether --version']) / baseline;
console.log(
  `ratio --version / node -e 0: ${ratio.toFixed(2)} (${ratio <= 1.5 ? 'within' : 'over'} the 1.5 target)`,
);
