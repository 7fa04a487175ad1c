// The like-for-like arm of the gateway bench: the same `openai` SDK client streams straight from the
// emulator's Responses endpoint (direct), and through the gateway (HTTP upstream, as like as possible)
// on `/v1/chat/completions` and `/v1/responses`. Reports, per gateway route: throughput ratio at N
// concurrent streams, added time to first token (sequential p50/p99, concurrent p99), the gateway's CPU
// per stream (sequential and under load), its heap per active stream and its idle RSS before and after.
// With a bare proxy process (bare-proxy-process.mjs), the same figures for `/v1/responses` through the
// least a Node.js proxy can do: the floor the gateway's own figures are to be read against.
import OpenAI from 'openai';
import { percentile } from './percentile.mjs';

/** One streamed answer: resolves the time to the first text delta (ms) once the stream is drained. */
async function oneStream(target, index) {
  const started = performance.now();
  const stream = await target.create(index);
  let ttft;
  for await (const event of stream) {
    if (ttft === undefined && target.isToken(event)) ttft = performance.now() - started;
  }
  if (ttft === undefined) throw new Error(`${target.name}: no token in the stream`);
  return ttft;
}

async function concurrent(target, count) {
  const started = performance.now();
  const ttfts = await Promise.all(Array.from({ length: count }, (_, index) => oneStream(target, index)));
  return { ttfts, seconds: (performance.now() - started) / 1000 };
}

function targets({ emulator, credentials, gatewayUrl, bareProxyUrl, apiKey }) {
  const direct = new OpenAI({
    baseURL: emulator.chatgptBaseUrl,
    apiKey: credentials.tokens.accessToken,
    defaultHeaders: { 'chatgpt-account-id': credentials.accountId, originator: 'codex_cli_rs' },
    maxRetries: 0,
  });
  const gateway = new OpenAI({ baseURL: `${gatewayUrl}/v1`, apiKey, maxRetries: 0 });
  const input = (index) => `hello ${index}`;
  const isTextDelta = (event) => event.type === 'response.output_text.delta';
  const responsesThrough = (client, name) => ({
    name,
    create: (index) =>
      client.responses.create({
        model: 'gpt-5.4',
        instructions: 'Bench.',
        input: [{ role: 'user', content: input(index) }],
        store: false,
        stream: true,
      }),
    isToken: isTextDelta,
  });
  const bareProxy =
    bareProxyUrl === undefined
      ? {}
      : {
          bareProxy: responsesThrough(
            new OpenAI({ baseURL: `${bareProxyUrl}/v1`, apiKey: 'unused', maxRetries: 0 }),
            'bareProxy',
          ),
        };
  return {
    ...bareProxy,
    direct: responsesThrough(direct, 'direct'),
    chat: {
      name: 'chat',
      create: (index) =>
        gateway.chat.completions.create({
          model: 'gpt-5.4',
          messages: [{ role: 'user', content: input(index) }],
          stream: true,
        }),
      isToken: (chunk) => (chunk.choices[0]?.delta?.content ?? '') !== '',
    },
    responses: responsesThrough(gateway, 'responses'),
  };
}

/**
 * Runs the like-for-like comparison against a started gateway process.
 *
 * @param setup - emulator, credentials, the gateway process (url, cpu, heap, rss, activeStreams) and the load settings
 */
export async function compareLikeForLike({
  emulator,
  credentials,
  gatewayProcess,
  bareProxyProcess,
  apiKey,
  concurrency,
  rounds,
  sequentialCount,
}) {
  const all = targets({
    emulator,
    credentials,
    gatewayUrl: gatewayProcess.url,
    bareProxyUrl: bareProxyProcess?.url,
    apiKey,
  });
  const rssMiB = async (process) =>
    process === undefined ? undefined : (await process.rssBytes()) / 1024 / 1024;
  // The gateway's live heap (after a full collection) at each idle reading, read after its RSS: how
  // much of the RSS growth is JavaScript objects kept (the conversations continuation remembers…).
  const liveHeapMiB = async () => (await gatewayProcess.heapUsedBytes()) / 1024 / 1024;
  const idleRssStartMiB = await rssMiB(gatewayProcess);
  const bareProxyRssStartMiB = await rssMiB(bareProxyProcess);
  const idleHeapStartMiB = await liveHeapMiB();
  const idleMemoryDetail = { start: await gatewayProcess.memoryDetail() };
  // Warm-up: JIT, sockets, the provider's auth, lazily loaded modules.
  for (const target of Object.values(all)) await concurrent(target, Math.min(concurrency, 50));
  // Idle after the warm-up too (keep-alive sockets close after 5 s): what first use costs for good
  // (compiled code, modules loaded on first use) apart from what the load leaves behind.
  await new Promise((resolve) => setTimeout(resolve, 7_000));
  const idleRssWarmMiB = await rssMiB(gatewayProcess);
  const bareProxyRssWarmMiB = await rssMiB(bareProxyProcess);
  const idleHeapWarmMiB = await liveHeapMiB();
  idleMemoryDetail.afterWarmUp = await gatewayProcess.memoryDetail();

  const report = {};
  const routes = bareProxyProcess === undefined ? ['chat', 'responses'] : ['chat', 'responses', 'bareProxy'];
  for (const route of routes) {
    const gateway = all[route];
    const measured = route === 'bareProxy' ? bareProxyProcess : gatewayProcess;
    const sequential = { direct: [], gateway: [] };
    const cpuBeforeSequential = await measured.cpuMicroseconds();
    const systemCpuBeforeSequential = await measured.systemCpuMicroseconds();
    const profilePhase = process.env.BENCH_PROFILE_PHASE ?? 'sequential';
    if (route !== 'bareProxy' && profilePhase === 'sequential') await gatewayProcess.profile?.(true);
    for (let index = 0; index < sequentialCount; index += 1) {
      sequential.gateway.push(await oneStream(gateway, index));
      sequential.direct.push(await oneStream(all.direct, index));
    }
    const sequentialCpuMs = ((await measured.cpuMicroseconds()) - cpuBeforeSequential) / 1000;
    const sequentialSystemCpuMs =
      ((await measured.systemCpuMicroseconds()) - systemCpuBeforeSequential) / 1000;
    if (route !== 'bareProxy' && profilePhase === 'sequential') await gatewayProcess.profile?.(false);
    if (route !== 'bareProxy' && profilePhase === 'load') await gatewayProcess.profile?.(true);

    const load = { direct: { ttfts: [], seconds: 0 }, gateway: { ttfts: [], seconds: 0 } };
    // Per round: direct seconds ÷ gateway seconds (both sides ran the same number of streams).
    const roundRatios = [];
    let loadCpuMs = 0;
    let peakHeapPerStreamKiB;
    let heapMeasuredWithStreams = 0;
    // One unmeasured round first: the heap grows to what the load needs (and the gateway's idle memory
    // release shrank it after the warm-up), so the route measured first does not pay for it alone.
    await concurrent(gateway, concurrency);
    // Idle live heap right before the load (the conversations the sequential streams left are in both).
    const idleHeap = await measured.heapUsedBytes();
    for (let round = 0; round < rounds; round += 1) {
      const roundSeconds = {};
      for (const side of round % 2 === 0 ? ['direct', 'gateway'] : ['gateway', 'direct']) {
        const cpuBefore = side === 'gateway' ? await measured.cpuMicroseconds() : 0;
        const running = concurrent(side === 'gateway' ? gateway : all.direct, concurrency);
        if (side === 'gateway' && round === 0 && route !== 'bareProxy') {
          // Heap per active stream: live heap (after a full GC) with the streams open, minus idle, over
          // the streams open during that collection. Fewer than a quarter open: no figure (too noisy).
          const { heapUsedBytes, activeStreams } = await gatewayProcess.liveHeapWhenActive(
            Math.floor(concurrency * 0.9),
          );
          heapMeasuredWithStreams = activeStreams;
          if (activeStreams >= concurrency / 4) {
            peakHeapPerStreamKiB = (heapUsedBytes - idleHeap) / 1024 / activeStreams;
          }
        }
        const result = await running;
        if (side === 'gateway') loadCpuMs += ((await measured.cpuMicroseconds()) - cpuBefore) / 1000;
        load[side].ttfts.push(...result.ttfts);
        load[side].seconds += result.seconds;
        roundSeconds[side] = result.seconds;
      }
      roundRatios.push(roundSeconds.direct / roundSeconds.gateway);
    }
    if (route !== 'bareProxy' && profilePhase === 'load') await gatewayProcess.profile?.(false);
    const rate = (side) => load[side].ttfts.length / load[side].seconds;
    report[route] = {
      // Over all rounds: the side that goes first in a round tends to be slower, and the order
      // alternates, so an even number of rounds cancels that out (one round's ratio does not).
      throughputRatio: rate('gateway') / rate('direct'),
      throughputRatioOfEachRound: roundRatios,
      streamsPerSecond: { direct: rate('direct'), gateway: rate('gateway') },
      concurrentTtftP99Ms: {
        direct: percentile(load.direct.ttfts, 99),
        gateway: percentile(load.gateway.ttfts, 99),
      },
      sequentialAddedTtftP50Ms: percentile(sequential.gateway, 50) - percentile(sequential.direct, 50),
      sequentialAddedTtftP99Ms: percentile(sequential.gateway, 99) - percentile(sequential.direct, 99),
      gatewayCpuMsPerStream: {
        sequential: sequentialCpuMs / Math.max(1, sequentialCount),
        // In the kernel (system time: mostly the loopback network stack), not in JavaScript.
        sequentialSystem: sequentialSystemCpuMs / Math.max(1, sequentialCount),
        underLoad: loadCpuMs / (concurrency * rounds),
      },
      heapKiBPerActiveStream: peakHeapPerStreamKiB ?? null,
      heapMeasuredWithStreams,
    };
  }
  // Idle again: keep-alive sockets close (5 s) and the server settles.
  await new Promise((resolve) => setTimeout(resolve, 7_000));
  const idleRssEndMiB = await rssMiB(gatewayProcess);
  const bareProxyRssEndMiB = await rssMiB(bareProxyProcess);
  const idleHeapEndMiB = await liveHeapMiB();
  idleMemoryDetail.afterLoad = await gatewayProcess.memoryDetail();
  // Each read right after the live heap's full collection: what the RSS readings are made of.
  report.idleMemoryDetailMiB = idleMemoryDetail;
  report.idleLiveHeapMiB = {
    start: idleHeapStartMiB,
    afterWarmUp: idleHeapWarmMiB,
    afterLoad: idleHeapEndMiB,
  };
  report.idleRssMiB = {
    start: idleRssStartMiB,
    afterWarmUp: idleRssWarmMiB,
    afterLoad: idleRssEndMiB,
    ratio: idleRssEndMiB / idleRssStartMiB,
    ratioToWarm: idleRssEndMiB / idleRssWarmMiB,
    bareProxy:
      bareProxyRssStartMiB === undefined
        ? undefined
        : {
            start: bareProxyRssStartMiB,
            afterWarmUp: bareProxyRssWarmMiB,
            afterLoad: bareProxyRssEndMiB,
            ratio: bareProxyRssEndMiB / bareProxyRssStartMiB,
          },
  };
  return report;
}
