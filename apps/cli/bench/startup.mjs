// Start-up benchmark (not a test). Median wall times, measured interleaved in the same run so machine
// load affects every arm alike, printed as ratios:
//   codetether --version / --help          vs  node -e 0
//   codetether chat "…" (one-shot, API key over HTTP against a local emulator)
//                                          vs  a minimal node script that POSTs the same body with the
//                                              built-in fetch and reads the SSE stream to the end
//                                              (and, stricter, the same script on node:http).
// Targets: each ratio <= 1.2. BENCH_RUNS sets the number of interleaved rounds (default 21).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '@codetether/emulator';

const TARGET = 1.2;
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('Build the CLI first: pnpm --filter @codetether/cli build');
  process.exit(1);
}
const runs = Number(process.env.BENCH_RUNS ?? 21);
const PROMPT = 'Say hello';

// The minimal script: what a one-shot chat has to do at the least (no CodeTether code at all).
const MINIMAL_SCRIPT = `
const response = await fetch(process.env.BENCH_URL, {
  method: 'POST',
  headers: {
    authorization: 'Bearer ' + process.env.OPENAI_API_KEY,
    'content-type': 'application/json',
    accept: 'text/event-stream',
  },
  body: process.env.BENCH_BODY,
});
if (!response.ok) process.exit(1);
const decoder = new TextDecoder();
let text = '';
for await (const bytes of response.body) text += decoder.decode(bytes, { stream: true });
process.stdout.write(text.length > 0 ? 'ok\\n' : '');
`;

// The same with node:http (no undici set-up), which is what the CLI's HTTP transport uses: the strictest
// baseline, printed next to the fetch script's so the ratio cannot hide behind fetch's own start-up cost.
const MINIMAL_NODE_HTTP_SCRIPT = `
import { request } from 'node:http';
const req = request(process.env.BENCH_URL, {
  method: 'POST',
  headers: {
    authorization: 'Bearer ' + process.env.OPENAI_API_KEY,
    'content-type': 'application/json',
    accept: 'text/event-stream',
  },
});
req.on('response', async (response) => {
  if (response.statusCode !== 200) process.exit(1);
  const decoder = new TextDecoder();
  let text = '';
  for await (const bytes of response) text += decoder.decode(bytes, { stream: true });
  process.stdout.write(text.length > 0 ? 'ok\\n' : '');
});
req.end(process.env.BENCH_BODY);
`;

/** Runs node with `args` and `env`; resolves with the wall time in ms (rejects on a non-zero exit). */
function time(args, env) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (data) => (stderr += data));
    child.once('error', reject);
    child.once('close', (code) => {
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
      if (code === 0) resolve(elapsed);
      else reject(new Error(`node ${args.join(' ')} exited with ${code}: ${stderr}`));
    });
  });
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

const emulator = await startEmulator();
const folder = await mkdtemp(join(tmpdir(), 'codetether-bench-'));
try {
  const apiKey = emulator.createApiKey();
  const baseEnv = { PATH: process.env.PATH ?? '', HOME: folder };
  const chatEnv = {
    ...baseEnv,
    CODETETHER_HOME: join(folder, 'codetether'),
    CODETETHER_OPENAI_BASE_URL: emulator.openaiBaseUrl,
    CODETETHER_TRANSPORT: 'http',
    OPENAI_API_KEY: apiKey,
  };
  // One CLI run records the exact body it sends; the minimal script sends that same body.
  await time([cli, 'chat', PROMPT], chatEnv);
  const sent = emulator.requests.findLast((request) => request.path === '/v1/responses');
  if (sent === undefined) throw new Error('The CLI sent no request to the emulator.');
  const minimalEnv = {
    ...baseEnv,
    OPENAI_API_KEY: apiKey,
    BENCH_URL: `${emulator.openaiBaseUrl}/responses`,
    BENCH_BODY: JSON.stringify(sent.body),
  };

  const cases = {
    'node -e 0': [['-e', '0'], baseEnv],
    'codetether --version': [[cli, '--version'], baseEnv],
    'codetether --help': [[cli, '--help'], baseEnv],
    'minimal fetch script': [['--input-type=module', '-e', MINIMAL_SCRIPT], minimalEnv],
    'minimal node:http script': [['--input-type=module', '-e', MINIMAL_NODE_HTTP_SCRIPT], minimalEnv],
    'codetether chat (one-shot)': [[cli, 'chat', PROMPT], chatEnv],
  };
  const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
  // Warm the file and compile caches once, then interleave the cases.
  for (const [args, env] of Object.values(cases)) await time(args, env);
  for (let run = 0; run < runs; run += 1) {
    for (const [name, [args, env]] of Object.entries(cases)) samples[name].push(await time(args, env));
    emulator.clearRequests();
  }

  const medians = Object.fromEntries(Object.keys(cases).map((name) => [name, median(samples[name])]));
  console.log(`Start-up, median of ${runs} interleaved runs (target: every ratio <= ${TARGET})`);
  for (const [name, value] of Object.entries(medians)) {
    console.log(`  ${name.padEnd(28)} ${value.toFixed(1).padStart(7)} ms`);
  }
  const ratios = [
    ['--version / node -e 0', medians['codetether --version'] / medians['node -e 0']],
    ['--help / node -e 0', medians['codetether --help'] / medians['node -e 0']],
    [
      'chat one-shot / minimal script',
      medians['codetether chat (one-shot)'] / medians['minimal fetch script'],
    ],
    [
      'chat one-shot / node:http script',
      medians['codetether chat (one-shot)'] / medians['minimal node:http script'],
    ],
  ];
  for (const [label, ratio] of ratios) {
    console.log(
      `ratio ${label.padEnd(33)} ${ratio.toFixed(2)} (${ratio <= TARGET ? 'within' : 'over'} the ${TARGET} target)`,
    );
  }
  console.log(
    `one-shot chat overhead over the minimal script: ${(medians['codetether chat (one-shot)'] - medians['minimal fetch script']).toFixed(0)} ms`,
  );
} finally {
  await emulator.close();
  await rm(folder, { recursive: true, force: true });
}
