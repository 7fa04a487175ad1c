// Benchmark: N concurrent streaming chats through the gateway vs the same load straight to the emulator,
// in one run. Reports added time-to-first-token (p50, p99), throughput ratio and the gateway's peak memory.
// Usage: pnpm bench  (env: BENCH_CONCURRENCY=200 BENCH_ROUNDS=3 BENCH_EVENT_DELAY_MS=10 BENCH_SEQUENTIAL=100
// BENCH_TRANSPORT=auto|http|websocket: the provider's upstream transport, default auto as in production)
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '@codetether/emulator';

const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 200);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const eventDelayMs = Number(process.env.BENCH_EVENT_DELAY_MS ?? 10);
const transport = process.env.BENCH_TRANSPORT ?? 'auto';
const sequentialCount = Number(process.env.BENCH_SEQUENTIAL ?? 100);
const apiKey = 'ctsk-bench';

const emulator = await startEmulator({ scenario: 'text', eventDelayMs });
const tokens = emulator.issueTokens();
const credentials = {
  type: 'chatgpt',
  tokens: {
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    idToken: tokens.idToken,
    expiresAt: tokens.expiresAt,
  },
  accountId: tokens.accountId,
  lastRefreshAt: Date.now(),
  source: 'login',
};

const child = fork(fileURLToPath(new URL('./gateway-process.mjs', import.meta.url)), {
  stdio: 'inherit',
  execArgv: process.env.BENCH_GATEWAY_EXEC_ARGV?.split(' ').filter(Boolean) ?? [],
});
child.send({ emulatorUrl: emulator.url, credentials, transport, apiKey });
const [{ url: gatewayUrl }] = await once(child, 'message');

const direct = {
  name: 'direct',
  url: `${emulator.chatgptBaseUrl}/responses`,
  headers: {
    authorization: `Bearer ${tokens.accessToken}`,
    'chatgpt-account-id': tokens.accountId,
    'content-type': 'application/json',
    accept: 'text/event-stream',
    'openai-beta': 'responses=experimental',
    originator: 'codex_cli_rs',
  },
  body: (index) =>
    JSON.stringify({
      model: 'gpt-5.4',
      instructions: 'Bench.',
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: `hello ${index}` }] }],
      stream: true,
      store: false,
    }),
  firstToken: /event: response\.output_text\.delta/,
};
const gateway = {
  name: 'gateway',
  url: `${gatewayUrl}/v1/chat/completions`,
  headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
  body: (index) =>
    JSON.stringify({
      model: 'gpt-5.4',
      messages: [{ role: 'user', content: `hello ${index}` }],
      stream: true,
    }),
  firstToken: /"delta":\{"content":"[^"]/,
};

async function oneStream(target, index) {
  const started = performance.now();
  const response = await fetch(target.url, {
    method: 'POST',
    headers: target.headers,
    body: target.body(index),
  });
  if (response.status !== 200)
    throw new Error(`${target.name}: HTTP ${response.status} ${await response.text()}`);
  const decoder = new TextDecoder();
  let text = '';
  let ttft;
  for await (const bytes of response.body) {
    if (ttft === undefined) {
      text += decoder.decode(bytes, { stream: true });
      if (target.firstToken.test(text)) ttft = performance.now() - started;
    }
  }
  if (ttft === undefined) throw new Error(`${target.name}: no token in the stream`);
  return ttft;
}

async function load(target) {
  const started = performance.now();
  const ttfts = await Promise.all(
    Array.from({ length: concurrency }, (_, index) => oneStream(target, index)),
  );
  return { ttfts, seconds: (performance.now() - started) / 1000 };
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

async function gatewayCpuMicroseconds() {
  child.send('cpu');
  const [{ cpuMicroseconds }] = await once(child, 'message');
  return cpuMicroseconds;
}

// Warm up both paths (connections, JIT).
await load({ ...direct });
await load({ ...gateway });

// Unloaded latency: one stream at a time, alternating paths.
const sequential = { direct: [], gateway: [] };
for (let index = 0; index < sequentialCount; index += 1) {
  sequential.direct.push(await oneStream(direct, index));
  sequential.gateway.push(await oneStream(gateway, index));
}

// Load: `concurrency` streams at once, alternating which path goes first.
const results = { direct: { ttfts: [], seconds: 0 }, gateway: { ttfts: [], seconds: 0 } };
let gatewayCpu = 0;
for (let round = 0; round < rounds; round += 1) {
  for (const target of round % 2 === 0 ? [direct, gateway] : [gateway, direct]) {
    const cpuBefore = target === gateway ? await gatewayCpuMicroseconds() : 0;
    const run = await load(target);
    if (target === gateway) gatewayCpu += (await gatewayCpuMicroseconds()) - cpuBefore;
    results[target.name].ttfts.push(...run.ttfts);
    results[target.name].seconds += run.seconds;
  }
}
child.send('memory');
const [{ maxRssBytes }] = await once(child, 'message');
child.send('stop');
await once(child, 'exit');
await emulator.close();

const summary = {};
for (const name of ['direct', 'gateway']) {
  const { ttfts, seconds } = results[name];
  summary[name] = {
    ttftP50Ms: percentile(ttfts, 50),
    ttftP99Ms: percentile(ttfts, 99),
    streamsPerSecond: ttfts.length / seconds,
  };
}
const loadAverage = (await import('node:os')).loadavg()[0];
const report = {
  machine: { cpus: (await import('node:os')).availableParallelism(), loadAverage1m: loadAverage },
  settings: { concurrency, rounds, sequentialCount, eventDelayMs, transport },
  sequential: {
    directTtftP50Ms: percentile(sequential.direct, 50),
    directTtftP99Ms: percentile(sequential.direct, 99),
    gatewayTtftP50Ms: percentile(sequential.gateway, 50),
    gatewayTtftP99Ms: percentile(sequential.gateway, 99),
    addedTtftP50Ms: percentile(sequential.gateway, 50) - percentile(sequential.direct, 50),
    addedTtftP99Ms: percentile(sequential.gateway, 99) - percentile(sequential.direct, 99),
  },
  concurrent: {
    direct: summary.direct,
    gateway: summary.gateway,
    addedTtftP50Ms: summary.gateway.ttftP50Ms - summary.direct.ttftP50Ms,
    addedTtftP99Ms: summary.gateway.ttftP99Ms - summary.direct.ttftP99Ms,
    throughputRatio: summary.gateway.streamsPerSecond / summary.direct.streamsPerSecond,
  },
  gatewayCpuMsPerStream: gatewayCpu / 1000 / (concurrency * rounds),
  gatewayPeakRssMiB: maxRssBytes / 1024 / 1024,
};
const round2 = (value) => (typeof value === 'number' ? Math.round(value * 100) / 100 : value);
console.log(JSON.stringify(report, (_key, value) => round2(value), 2));
console.log(
  `${concurrency} concurrent: added TTFT p50 ${round2(report.concurrent.addedTtftP50Ms)} ms, p99 ${round2(report.concurrent.addedTtftP99Ms)} ms (target p99 < 5 ms); ` +
    `throughput ratio ${round2(report.concurrent.throughputRatio)} (target >= 0.8). ` +
    `Sequential: added TTFT p50 ${round2(report.sequential.addedTtftP50Ms)} ms, p99 ${round2(report.sequential.addedTtftP99Ms)} ms. ` +
    `Gateway: ${round2(report.gatewayCpuMsPerStream)} ms CPU per stream, peak RSS ${round2(report.gatewayPeakRssMiB)} MiB. Load average ${round2(loadAverage)} on ${report.machine.cpus} CPUs.`,
);
