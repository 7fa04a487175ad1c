// Benchmark: many concurrent Responses streams (HTTP SSE + WebSocket) against the emulator.
// Runs the emulator in a child process (dist/cli.js) so the load generator does not share its event loop.
// Usage: pnpm --filter @codetether/emulator bench [-- --streams 500 --paced-delay-ms 20]
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', 'package.json'));
const { WebSocket } = require('ws');

const { values } = parseArgs({
  options: {
    streams: { type: 'string', default: '500' },
    'baseline-runs': { type: 'string', default: '20' },
    'paced-delay-ms': { type: 'string', default: '20' },
  },
});
const STREAMS = Number(values.streams);
const BASELINE_RUNS = Number(values['baseline-runs']);
const PACED_DELAY_MS = Number(values['paced-delay-ms']);
const CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann';

async function startEmulatorProcess(extraArguments) {
  const child = spawn(
    process.execPath,
    [join(here, '..', 'dist', 'cli.js'), '--port', '0', '--scenario', 'text', ...extraArguments],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  return {
    url,
    /** CPU time (ms) the emulator process has used so far (Linux /proc; undefined elsewhere). */
    cpuMs: () => processCpuMs(child.pid),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

async function processCpuMs(pid) {
  try {
    const { readFile } = await import('node:fs/promises');
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of /proc/<pid>/stat (indexes 11 and 12 after the command name).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/** Logs in through the issuer like a client would: authorize + PKCE code exchange, then an API key. */
async function login(url) {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const redirectUri = 'http://localhost:1455/auth/callback';
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: redirectUri,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'bench',
  });
  const authorize = await fetch(`${url}/oauth/authorize?${query}`, { redirect: 'manual' });
  const code = new URL(authorize.headers.get('location')).searchParams.get('code');
  const token = async (fields) =>
    (
      await fetch(`${url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: CLIENT_ID, ...fields }),
      })
    ).json();
  const tokens = await token({
    grant_type: 'authorization_code',
    code,
    code_verifier: verifier,
    redirect_uri: redirectUri,
  });
  const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1], 'base64url').toString());
  const apiKey = await token({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    requested_token: 'openai-api-key',
    subject_token: tokens.id_token,
    subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
  });
  return {
    chatgpt: {
      authorization: `Bearer ${tokens.access_token}`,
      'chatgpt-account-id': claims['https://api.openai.com/auth'].chatgpt_account_id,
    },
    openai: { authorization: `Bearer ${apiKey.access_token}` },
  };
}

const body = (index) => ({
  model: 'gpt-5.4',
  instructions: 'You are a benchmark.',
  input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: `stream ${index}` }] }],
  store: false,
});

/** One HTTP SSE stream; resolves with { ok, events, ms }. */
async function httpStream(url, headers, index) {
  const started = performance.now();
  const response = await fetch(`${url}/backend-api/codex/responses`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ ...body(index), stream: true }),
  });
  const text = await response.text();
  const events = text.split('\n\n').filter((block) => block.includes('data: ')).length;
  return {
    ok: response.status === 200 && text.includes('"response.completed"'),
    events,
    ms: performance.now() - started,
  };
}

/** One WebSocket stream (own connection); resolves with { ok, events, ms }. */
function webSocketStream(url, headers, index) {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = new WebSocket(`${url.replace('http', 'ws')}/v1/responses`, { headers });
    let events = 0;
    const finish = (ok) => {
      socket.terminate();
      resolve({ ok, events, ms: performance.now() - started });
    };
    socket.on('open', () => socket.send(JSON.stringify({ type: 'response.create', ...body(index) })));
    socket.on('message', (data) => {
      events += 1;
      const type = JSON.parse(data).type;
      if (type === 'response.completed') finish(true);
      else if (type === 'error' || type === 'response.failed') finish(false);
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
  });
}

function percentile(sorted, fraction) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

async function runPhase(name, emulator, credentials, concurrent, total) {
  const { url } = emulator;
  const results = [];
  const emulatorCpuBefore = await emulator.cpuMs();
  const clientCpuBefore = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const index = next++;
      results.push(
        await (index % 2 === 0
          ? httpStream(url, credentials.chatgpt, index)
          : webSocketStream(url, credentials.openai, index)
        ).catch(() => ({ ok: false, events: 0, ms: 0 })),
      );
    }
  };
  await Promise.all(Array.from({ length: concurrent }, worker));
  const wallMs = performance.now() - started;
  const emulatorCpuAfter = await emulator.cpuMs();
  const clientCpu = process.cpuUsage(clientCpuBefore);
  const latencies = results.map((result) => result.ms).sort((a, b) => a - b);
  const completed = results.filter((result) => result.ok).length;
  const events = results.reduce((sum, result) => sum + result.events, 0);
  const summary = {
    name,
    concurrent,
    streams: total,
    completed,
    completionRate: completed / total,
    wallMs: Math.round(wallMs),
    p50Ms: Math.round(percentile(latencies, 0.5)),
    p99Ms: Math.round(percentile(latencies, 0.99)),
    streamsPerSecond: Math.round((total / wallMs) * 1000),
    eventsPerSecond: Math.round((events / wallMs) * 1000),
    // Share of one core used during the phase: far below 1 means the emulator was not saturated.
    emulatorCpuShare:
      emulatorCpuBefore === undefined
        ? undefined
        : Number(((emulatorCpuAfter - emulatorCpuBefore) / wallMs).toFixed(2)),
    clientCpuShare: Number(((clientCpu.user + clientCpu.system) / 1000 / wallMs).toFixed(2)),
    // CPU time per stream does not depend on how busy the machine is (other processes).
    emulatorCpuMsPerStream:
      emulatorCpuBefore === undefined
        ? undefined
        : Number(((emulatorCpuAfter - emulatorCpuBefore) / total).toFixed(2)),
    clientCpuMsPerStream: Number(((clientCpu.user + clientCpu.system) / 1000 / total).toFixed(2)),
  };
  console.log(JSON.stringify(summary));
  return summary;
}

async function main() {
  const { loadavg, cpus } = await import('node:os');
  console.log(
    `# machine: ${cpus().length} cores, load average ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `# ${STREAMS} concurrent streams (half HTTP SSE on the ChatGPT backend, half WebSocket on /v1)`,
  );
  // 1. Unpaced: raw capacity of the emulator.
  const fast = await startEmulatorProcess([]);
  try {
    const credentials = await login(fast.url);
    await runPhase('warm-up', fast, credentials, 10, 50);
    const baseline = await runPhase(
      'unpaced baseline (1 stream at a time)',
      fast,
      credentials,
      1,
      BASELINE_RUNS,
    );
    const concurrent = await runPhase('unpaced concurrent', fast, credentials, STREAMS, STREAMS);
    console.log(
      `unpaced: throughput ${(concurrent.streamsPerSecond / baseline.streamsPerSecond).toFixed(1)}x the 1-stream baseline; ` +
        `completion ${(concurrent.completionRate * 100).toFixed(1)}%; emulator CPU ${concurrent.emulatorCpuMsPerStream} ms/stream ` +
        `(≈${Math.round(1000 / concurrent.emulatorCpuMsPerStream)} streams per core-second) vs client ${concurrent.clientCpuMsPerStream} ms/stream`,
    );
  } finally {
    await fast.stop();
  }
  // 2. Paced like a real model: with a delay between events, a stream's time is dominated by pacing;
  //    if the emulator is not the bottleneck, 500 concurrent streams take about as long as one.
  const paced = await startEmulatorProcess(['--token-delay-ms', String(PACED_DELAY_MS)]);
  try {
    const credentials = await login(paced.url);
    const baseline = await runPhase(
      `paced ${PACED_DELAY_MS} ms baseline (1 stream)`,
      paced,
      credentials,
      1,
      4,
    );
    const concurrent = await runPhase(
      `paced ${PACED_DELAY_MS} ms concurrent`,
      paced,
      credentials,
      STREAMS,
      STREAMS,
    );
    console.log(
      `paced: p50 latency ${(concurrent.p50Ms / baseline.p50Ms).toFixed(2)}x and p99 ${(concurrent.p99Ms / baseline.p50Ms).toFixed(2)}x ` +
        `the 1-stream latency; completion ${(concurrent.completionRate * 100).toFixed(1)}%`,
    );
  } finally {
    await paced.stop();
  }
}

await main();
