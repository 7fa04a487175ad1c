// Benchmark: N concurrent streaming chats through the gateway vs the same load straight to the emulator,
// in one run. Reports added time-to-first-token (p50, p99), throughput ratio, the gateway's CPU per
// stream and peak memory — for the full gateway (server + provider-codex + transports) and for the
// server alone (a replay provider pacing the same answer in memory).
// Usage: pnpm bench  (env: BENCH_CONCURRENCY=200 BENCH_ROUNDS=3 BENCH_EVENT_DELAY_MS=10 BENCH_SEQUENTIAL=100
// BENCH_LIKE_FOR_LIKE_SEQUENTIAL=400 BENCH_LIKE_FOR_LIKE_ROUNDS=6
// BENCH_TRANSPORT=auto|http|websocket: the provider's upstream transport, default auto as in production;
// BENCH_PARTS=likeForLike,fullGateway,serverOnly by default, pacingFloor on request: see pacing-floor.mjs,
// with BENCH_PACINGS=0,1,5,20 and BENCH_PACING_STREAMS=30; afterPause on request: see after-pause.mjs,
// with BENCH_PAUSES=9 and BENCH_PAUSE_MS=3000)
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startEmulator, TEXT_ANSWER } from '@codetether/emulator';
import { TUNED_ALLOCATOR_ENVIRONMENT } from '../dist/index.js';
// TypeScript run by Node's type stripping: the same login the integration tests store.
import { toStoredLogin } from '../src/__fixtures__/emulator-login.ts';
import { measureAfterPause } from './after-pause.mjs';
import { compareLikeForLike } from './like-for-like.mjs';
import { measurePacingFloor } from './pacing-floor.mjs';
import { percentile } from './percentile.mjs';
import { streamTimeToFirstToken } from './time-to-first-token.mjs';

const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 200);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const eventDelayMs = Number(process.env.BENCH_EVENT_DELAY_MS ?? 10);
const transport = process.env.BENCH_TRANSPORT ?? 'auto';
const sequentialCount = Number(process.env.BENCH_SEQUENTIAL ?? 100);
const parts = (process.env.BENCH_PARTS ?? 'likeForLike,fullGateway,serverOnly').split(',').filter(Boolean);
const apiKey = 'ctsk-bench';

// Issue 16 defines the like-for-like figures with the emulator paced at 5 ms per event.
const likeForLikeEventDelayMs = Number(process.env.BENCH_LIKE_FOR_LIKE_EVENT_DELAY_MS ?? 5);
// The p99 of 100 sequential streams is their second-slowest: on a shared machine one stall moves it by
// several ms either way (the bare proxy's own added p99 ranged from −8.6 to +10.9 ms over runs of 100).
// 400 each way make the like-for-like p99 the fifth-slowest: one stall moves it less (it still moves by
// a few ms between runs here, on either side of the difference).
const likeForLikeSequentialCount = Number(process.env.BENCH_LIKE_FOR_LIKE_SEQUENTIAL ?? 400);
const emulator = await startEmulator({ scenario: 'text', eventDelayMs });
const credentials = toStoredLogin(emulator.issueTokens());

/**
 * The gateway runs with the allocator settings `codetether-server` restarts itself with on Linux
 * (TUNED_ALLOCATOR_ENVIRONMENT), as users run it; BENCH_GATEWAY_ALLOCATOR=glibc (or MALLOC_* set for
 * the bench) keeps glibc's defaults, as for a gateway embedded in another process.
 */
const gatewayAllocator =
  process.env.BENCH_GATEWAY_ALLOCATOR === 'glibc' ||
  process.platform !== 'linux' ||
  process.env.MALLOC_ARENA_MAX !== undefined ||
  process.env.MALLOC_TRIM_THRESHOLD_ !== undefined
    ? 'glibc defaults'
    : 'tuned as codetether-server runs';
const gatewayEnvironment =
  gatewayAllocator === 'glibc defaults' ? process.env : { ...process.env, ...TUNED_ALLOCATOR_ENVIRONMENT };

/**
 * Forks a bench child process (`script` next to this file), sends it `setup` and waits for its URL;
 * returns the URL, a question-and-answer function over IPC and a stop function.
 */
async function startChildProcess(script, execArgv, setup, env = process.env) {
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), { stdio: 'inherit', execArgv, env });
  child.send(setup);
  const [{ url }] = await once(child, 'message');
  const ask = async (question) => {
    child.send(question);
    const [answer] = await once(child, 'message');
    return answer;
  };
  const stop = async () => {
    child.send('stop');
    await once(child, 'exit');
  };
  return { url, ask, stop };
}

/** The readings both child processes answer over IPC (see gateway-process.mjs and bare-proxy-process.mjs). */
function processReadings(ask) {
  return {
    cpuMicroseconds: async () => (await ask('cpu')).cpuMicroseconds,
    systemCpuMicroseconds: async () => (await ask('cpu')).system,
    heapUsedBytes: async () => (await ask('heap')).heapUsedBytes,
    rssBytes: async () => (await ask('rss')).rssBytes,
  };
}

async function startGatewayProcess(
  provider,
  upstreamTransport = transport,
  extraExecArgv = [],
  upstream = { emulator, credentials },
  extraSetup = {},
) {
  const { url, ask, stop } = await startChildProcess(
    './gateway-process.mjs',
    [...(process.env.BENCH_GATEWAY_EXEC_ARGV?.split(' ').filter(Boolean) ?? []), ...extraExecArgv],
    {
      emulatorUrl: upstream.emulator.url,
      credentials: upstream.credentials,
      transport: upstreamTransport,
      apiKey,
      provider,
      text: TEXT_ANSWER,
      eventDelayMs,
      ...extraSetup,
    },
    gatewayEnvironment,
  );
  return {
    url,
    ...processReadings(ask),
    upstreamConnections: async () => (await ask('cpu')).upstreamConnections,
    maxRssBytes: async () => (await ask('memory')).maxRssBytes,
    /** Where its resident memory is (V8's spaces, outside the heap, the kernel's split; MiB). */
    memoryDetail: async () => (await ask('memoryDetail')).memoryDetail,
    /**
     * Live heap after a full GC once `count` streams are open (or their number stopped growing), and
     * the number open then.
     */
    liveHeapWhenActive: async (count) => ask({ type: 'heapWhenActive', count }),
    /** Starts or stops the CPU profile written to BENCH_PROFILE_DIR (nothing without it). */
    profile: async (start) => ask(start ? 'profile-start' : 'profile-stop'),
    stop,
  };
}

/** The bare proxy of the like-for-like arm (see bare-proxy-process.mjs), in its own process. */
async function startBareProxyProcess(upstream) {
  const { url, ask, stop } = await startChildProcess('./bare-proxy-process.mjs', ['--expose-gc'], {
    emulatorUrl: upstream.emulator.url,
    accessToken: upstream.credentials.tokens.accessToken,
    accountId: upstream.credentials.accountId,
  });
  return { url, ...processReadings(ask), stop };
}

const direct = {
  name: 'direct',
  url: `${emulator.chatgptBaseUrl}/responses`,
  headers: {
    authorization: `Bearer ${credentials.tokens.accessToken}`,
    'chatgpt-account-id': credentials.accountId,
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

function gatewayTarget(name, url) {
  return {
    name,
    url: `${url}/v1/chat/completions`,
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: (index) =>
      JSON.stringify({
        model: 'gpt-5.4',
        messages: [{ role: 'user', content: `hello ${index}` }],
        stream: true,
      }),
    firstToken: /"delta":\{"content":"[^"]/,
  };
}

function oneStream(target, index) {
  return streamTimeToFirstToken({ ...target, body: target.body(index) });
}

async function load(target) {
  const started = performance.now();
  const ttfts = await Promise.all(
    Array.from({ length: concurrency }, (_, index) => oneStream(target, index)),
  );
  return { ttfts, seconds: (performance.now() - started) / 1000 };
}

function ownCpuMicroseconds() {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

/** An emulator of its own (`text` scenario) pacing `eventDelayMs` between events, and a login it signed. */
async function startPacedUpstream(eventDelayMs) {
  const pacedEmulator = await startEmulator({ scenario: 'text', eventDelayMs });
  return { emulator: pacedEmulator, credentials: toStoredLogin(pacedEmulator.issueTokens()) };
}

/** Runs the comparison of one gateway process against the direct baseline. */
async function compare(providerKind) {
  const gatewayProcess = await startGatewayProcess(providerKind);
  const gateway = gatewayTarget(providerKind, gatewayProcess.url);
  await load(direct); // warm-up
  await load(gateway);
  const sequential = { direct: [], gateway: [] };
  for (let index = 0; index < sequentialCount; index += 1) {
    sequential.direct.push(await oneStream(direct, index));
    sequential.gateway.push(await oneStream(gateway, index));
  }
  const results = { direct: { ttfts: [], seconds: 0 }, gateway: { ttfts: [], seconds: 0 } };
  let gatewayCpu = 0;
  // CPU of this process (the load client and the emulator) per arm.
  const benchCpu = { direct: 0, gateway: 0 };
  for (let round = 0; round < rounds; round += 1) {
    for (const side of round % 2 === 0 ? ['direct', 'gateway'] : ['gateway', 'direct']) {
      const cpuBefore = side === 'gateway' ? await gatewayProcess.cpuMicroseconds() : 0;
      const benchCpuBefore = ownCpuMicroseconds();
      const run = await load(side === 'gateway' ? gateway : direct);
      benchCpu[side] += ownCpuMicroseconds() - benchCpuBefore;
      if (side === 'gateway') gatewayCpu += (await gatewayProcess.cpuMicroseconds()) - cpuBefore;
      results[side].ttfts.push(...run.ttfts);
      results[side].seconds += run.seconds;
    }
  }
  const maxRssBytes = await gatewayProcess.maxRssBytes();
  const upstreamConnections = await gatewayProcess.upstreamConnections();
  await gatewayProcess.stop();
  const summary = (side) => ({
    ttftP50Ms: percentile(results[side].ttfts, 50),
    ttftP99Ms: percentile(results[side].ttfts, 99),
    streamsPerSecond: results[side].ttfts.length / results[side].seconds,
  });
  const directSummary = summary('direct');
  const gatewaySummary = summary('gateway');
  return {
    sequential:
      sequentialCount === 0
        ? undefined
        : {
            addedTtftP50Ms: percentile(sequential.gateway, 50) - percentile(sequential.direct, 50),
            addedTtftP99Ms: percentile(sequential.gateway, 99) - percentile(sequential.direct, 99),
            directTtftP50Ms: percentile(sequential.direct, 50),
            gatewayTtftP50Ms: percentile(sequential.gateway, 50),
          },
    concurrent: {
      addedTtftP50Ms: gatewaySummary.ttftP50Ms - directSummary.ttftP50Ms,
      addedTtftP99Ms: gatewaySummary.ttftP99Ms - directSummary.ttftP99Ms,
      throughputRatio: gatewaySummary.streamsPerSecond / directSummary.streamsPerSecond,
      direct: directSummary,
      gateway: gatewaySummary,
    },
    gatewayCpuMsPerStream: gatewayCpu / 1000 / (concurrency * rounds),
    clientAndEmulatorCpuMsPerStream: {
      direct: benchCpu.direct / 1000 / (concurrency * rounds),
      gateway: benchCpu.gateway / 1000 / (concurrency * rounds),
    },
    gatewayPeakRssMiB: maxRssBytes / 1024 / 1024,
    upstreamConnectionsOpened: upstreamConnections,
    streamsServed: concurrency * (rounds + 1) + sequentialCount,
  };
}

const report = {
  machine: { cpus: availableParallelism(), loadAverage1mAtStart: loadavg()[0] },
  settings: {
    concurrency,
    rounds,
    sequentialCount,
    eventDelayMs,
    likeForLikeEventDelayMs,
    transport,
    parts,
  },
};
if (parts.includes('likeForLike')) {
  // The same openai SDK client direct vs through the gateway, with an HTTP upstream like the direct arm.
  const likeForLikeEmulator =
    likeForLikeEventDelayMs === eventDelayMs
      ? emulator
      : await startEmulator({ scenario: 'text', eventDelayMs: likeForLikeEventDelayMs });
  // Each emulator signs its own logins.
  const likeForLikeCredentials =
    likeForLikeEmulator === emulator ? credentials : toStoredLogin(likeForLikeEmulator.issueTokens());
  const upstream = { emulator: likeForLikeEmulator, credentials: likeForLikeCredentials };
  const gatewayProcess = await startGatewayProcess('codex', 'http', ['--expose-gc'], upstream);
  const bareProxyProcess =
    process.env.BENCH_BARE_PROXY === '0' ? undefined : await startBareProxyProcess(upstream);
  report.likeForLike = await compareLikeForLike({
    emulator: likeForLikeEmulator,
    credentials: likeForLikeCredentials,
    gatewayProcess,
    bareProxyProcess,
    apiKey,
    concurrency,
    rounds: Number(process.env.BENCH_LIKE_FOR_LIKE_ROUNDS ?? 6),
    sequentialCount: likeForLikeSequentialCount,
  });
  await gatewayProcess.stop();
  await bareProxyProcess?.stop();
  if (likeForLikeEmulator !== emulator) await likeForLikeEmulator.close();
}
if (parts.includes('pacingFloor')) {
  report.pacingFloor = await measurePacingFloor({
    startUpstream: startPacedUpstream,
    startGateway: (upstream) => startGatewayProcess('codex', 'http', [], upstream),
    startBareProxy: (upstream) => startBareProxyProcess(upstream),
    apiKey,
    pacings: (process.env.BENCH_PACINGS ?? '0,1,5,20').split(',').map(Number),
    streams: Number(process.env.BENCH_PACING_STREAMS ?? 30),
  });
}
if (parts.includes('afterPause')) {
  report.afterPause = await measureAfterPause({
    startUpstream: () => startPacedUpstream(likeForLikeEventDelayMs),
    startGateway: (upstream, setup) => startGatewayProcess('codex', 'http', [], upstream, setup),
    startBareProxy: (upstream) => startBareProxyProcess(upstream),
    apiKey,
    pauses: Number(process.env.BENCH_PAUSES ?? 9),
    pauseMs: Number(process.env.BENCH_PAUSE_MS ?? 3000),
  });
}
if (parts.includes('fullGateway')) report.fullGateway = await compare('codex');
if (parts.includes('serverOnly')) report.serverOnly = await compare('replay');
report.machine.loadAverage1mAtEnd = loadavg()[0];
await emulator.close();

const round2 = (value) => (typeof value === 'number' ? Math.round(value * 100) / 100 : value);
console.log(JSON.stringify(report, (_key, value) => round2(value), 2));
for (const name of parts.filter((part) => !['likeForLike', 'pacingFloor', 'afterPause'].includes(part))) {
  const part = report[name];
  console.log(
    `${name}: ${concurrency} concurrent: added TTFT p50 ${round2(part.concurrent.addedTtftP50Ms)} ms, p99 ${round2(part.concurrent.addedTtftP99Ms)} ms (target p99 < 5 ms); ` +
      `throughput ratio ${round2(part.concurrent.throughputRatio)} (target >= 0.8); ` +
      (part.sequential === undefined
        ? ''
        : `sequential added TTFT p50 ${round2(part.sequential.addedTtftP50Ms)} ms, p99 ${round2(part.sequential.addedTtftP99Ms)} ms; `) +
      `gateway CPU ${round2(part.gatewayCpuMsPerStream)} ms per stream (client + emulator ${round2(part.clientAndEmulatorCpuMsPerStream.direct)} ms direct, ${round2(part.clientAndEmulatorCpuMsPerStream.gateway)} ms via gateway); peak RSS ${round2(part.gatewayPeakRssMiB)} MiB.`,
  );
}
if (report.likeForLike !== undefined) {
  const { chat, responses, bareProxy, idleRssMiB, idleLiveHeapMiB } = report.likeForLike;
  // The bare proxy column: the floor of any Node.js proxy on this machine, measured in the same run.
  const floor = (pick) => {
    if (bareProxy === undefined) return '';
    try {
      return `${round2(pick(bareProxy))} | `;
    } catch {
      return '– | ';
    }
  };
  const row = (label, pick, target) =>
    `| ${label} | ${round2(pick(chat))} | ${round2(pick(responses))} | ${floor(pick)}${target} |`;
  console.log(
    [
      `| like for like (openai SDK, HTTP upstream) | chat | responses | ${bareProxy === undefined ? '' : 'bare Node proxy (floor) | '}target |`,
      `|---|---|---|${bareProxy === undefined ? '' : '---|'}---|`,
      row(
        'throughput vs direct (all rounds; lowest–highest round)',
        (part) =>
          `${round2(part.throughputRatio)} (${round2(Math.min(...part.throughputRatioOfEachRound))}–${round2(Math.max(...part.throughputRatioOfEachRound))})`,
        '≥ 0.9 chat, ≥ 0.95 responses',
      ),
      row(
        `concurrent TTFT p99 ms (direct ${round2(chat.concurrentTtftP99Ms.direct)})`,
        (part) => part.concurrentTtftP99Ms.gateway,
        '',
      ),
      row(
        `sequential added TTFT p50 ms (${likeForLikeSequentialCount} streams each way)`,
        (part) => part.sequentialAddedTtftP50Ms,
        '',
      ),
      row('sequential added TTFT p99 ms', (part) => part.sequentialAddedTtftP99Ms, '≤ 2'),
      row('gateway CPU ms/stream, sequential', (part) => part.gatewayCpuMsPerStream.sequential, '≤ 3'),
      row(
        '… of which in the kernel (system time)',
        (part) => part.gatewayCpuMsPerStream.sequentialSystem,
        '',
      ),
      row('gateway CPU ms/stream, under load', (part) => part.gatewayCpuMsPerStream.underLoad, '≤ 3'),
      row(
        'heap KiB per active stream (streams open)',
        (part) => `${round2(part.heapKiBPerActiveStream)} (${part.heapMeasuredWithStreams})`,
        '≤ 64',
      ),
      `| idle RSS MiB cold start → after warm-up → after load (gateway allocator: ${gatewayAllocator}) | ${round2(idleRssMiB.start)} → ${round2(idleRssMiB.afterWarmUp)} → ${round2(idleRssMiB.afterLoad)} (×${round2(idleRssMiB.ratio)} cold, ×${round2(idleRssMiB.ratioToWarm)} warm) | | ${idleRssMiB.bareProxy === undefined ? '' : `${round2(idleRssMiB.bareProxy.start)} → ${round2(idleRssMiB.bareProxy.afterWarmUp)} → ${round2(idleRssMiB.bareProxy.afterLoad)} (×${round2(idleRssMiB.bareProxy.ratio)} cold) | `}≤ ×1.1 |`,
      `| gateway's idle live heap MiB, same readings | ${round2(idleLiveHeapMiB.start)} → ${round2(idleLiveHeapMiB.afterWarmUp)} → ${round2(idleLiveHeapMiB.afterLoad)} | | ${idleRssMiB.bareProxy === undefined ? '' : '– | '}|`,
    ].join('\n'),
  );
}
if (report.pacingFloor !== undefined) {
  const { cpuMsPerSequentialStream, socatAvailable, streamsPerPacing } = report.pacingFloor;
  console.log(
    [
      `| CPU ms per sequential stream (${streamsPerPacing} streams, same events) at a pause between events of | ${socatAvailable ? 'socat relay (C) | ' : ''}bare Node proxy | gateway | gateway ÷ bare proxy |`,
      `|---|${socatAvailable ? '---|' : ''}---|---|---|`,
      ...cpuMsPerSequentialStream.map(
        (row) =>
          `| ${row.eventDelayMs} ms | ${socatAvailable ? `${round2(row.socat)} | ` : ''}${round2(row.bareProxy)} | ${round2(row.gateway)} | ${round2(row.gateway / row.bareProxy)} |`,
      ),
    ].join('\n'),
  );
}
if (report.afterPause !== undefined) {
  const { pauses, pauseMs, rows } = report.afterPause;
  console.log(
    [
      `| one request after each of ${pauses} pauses of ${pauseMs} ms, after a burst (medians) | CPU during the pause ms | CPU of the request ms | TTFT ms | RSS at the end MiB |`,
      '|---|---|---|---|---|',
      ...rows.map(
        (row) =>
          `| ${row.side} | ${round2(row.pauseCpuMs)} | ${round2(row.requestCpuMs)} | ${round2(row.ttftMs)} | ${round2(row.rssMiB)} |`,
      ),
    ].join('\n'),
  );
}
console.log(
  `Load average ${round2(report.machine.loadAverage1mAtStart)} → ${round2(report.machine.loadAverage1mAtEnd)} on ${report.machine.cpus} CPUs.`,
);
