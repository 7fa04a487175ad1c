// Benchmark: the gateway with its login and client keys in Redis (CODETETHER_STORE=redis://…) vs in
// files (CODETETHER_HOME), in one run against the emulator. Two real `codetether-server` processes, one
// per store, each asked with a client key (so the key lookup is measured too):
// - refresh path: the stored login's access token has expired; N concurrent streams arrive at once, so
//   the first waits for the lock, the refresh and the write, and the rest for that refresh;
// - throughput: N concurrent streams with a valid login, streams per second.
// Rounds alternate between the stores. Prints each store's numbers and Redis ÷ file ratios (for
// latency: file ÷ Redis, so above 1 means Redis is faster); the target is ≥ 0.95.
// Usage: pnpm --filter @codetether/server bench:store
// (env: BENCH_CONCURRENCY=200 BENCH_ROUNDS=5 BENCH_EVENT_DELAY_MS=10 BENCH_TRANSPORT=auto|http|websocket)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedisCredentialStore } from '@codetether/credential-store-redis';
import { startEmulator } from '@codetether/emulator';
import { createFileCredentialStore } from '@codetether/oauth-pkce';
// TypeScript run by Node's type stripping: the fixtures the tests use.
import { hasRedisServer, startTestRedisServer } from '../../../scripts/testing/redis-server.ts';
import { toStoredLogin } from '../src/__fixtures__/emulator-login.ts';
import {
  gatewayEnvironment,
  runServerCli,
  startGatewayProcess,
} from '../src/__fixtures__/gateway-process.ts';
import { percentile } from './percentile.mjs';
import { streamTimeToFirstToken } from './time-to-first-token.mjs';

if (!hasRedisServer) {
  console.log('store bench: skipped, redis-server is not installed (apt-get install redis-server).');
  process.exit(0);
}

const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 200);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const eventDelayMs = Number(process.env.BENCH_EVENT_DELAY_MS ?? 10);
const transport = process.env.BENCH_TRANSPORT ?? 'auto';
const serverKey = 'ctsk-store-bench';

const emulator = await startEmulator({ scenario: 'text', eventDelayMs });
const redis = await startTestRedisServer();
const folders = [];

async function startArm(name) {
  const home = await mkdtemp(join(tmpdir(), `codetether-store-bench-${name}-`));
  folders.push(home);
  const settings = {
    CODETETHER_HOME: home,
    CODETETHER_SERVER_API_KEY: serverKey,
    CODETETHER_AUTH_ISSUER: emulator.issuerUrl,
    CODETETHER_CHATGPT_BASE_URL: emulator.chatgptBaseUrl,
    CODETETHER_TRANSPORT: transport,
    CODETETHER_LOG_LEVEL: 'error',
  };
  if (name === 'redis') settings.CODETETHER_STORE = redis.url;
  const env = gatewayEnvironment(settings);
  const store =
    name === 'redis'
      ? createRedisCredentialStore({ url: redis.url })
      : createFileCredentialStore({ env: { CODETETHER_HOME: home } });
  const writeLogin = (expiresInSeconds) =>
    store.write(toStoredLogin(emulator.issueTokens({ expiresInSeconds })));
  await writeLogin(3600);
  const created = await runServerCli(env, ['keys', 'create', 'bench']);
  if (created.code !== 0) throw new Error(`keys create (${name}) failed: ${created.stderr}`);
  const gateway = await startGatewayProcess(env);
  return { name, gateway, clientKey: created.stdout.trim(), writeLogin, close: () => store.close?.() };
}

function oneStream(arm, index) {
  return streamTimeToFirstToken({
    name: arm.name,
    url: `${arm.gateway.url}/v1/chat/completions`,
    headers: { authorization: `Bearer ${arm.clientKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'gpt-5.4',
      stream: true,
      messages: [{ role: 'user', content: `hello ${index}` }],
    }),
    firstToken: /"delta":\{"content":"[^"]/,
  });
}

async function burst(arm) {
  const started = performance.now();
  const ttfts = await Promise.all(Array.from({ length: concurrency }, (_, index) => oneStream(arm, index)));
  return { ttfts, seconds: (performance.now() - started) / 1000 };
}

const arms = [await startArm('file'), await startArm('redis')];
const results = Object.fromEntries(
  arms.map((arm) => [arm.name, { refresh: { ttfts: [], seconds: 0 }, steady: { ttfts: [], seconds: 0 } }]),
);
const refreshesBefore = emulator.requests.filter((request) => request.path === '/oauth/token').length;
try {
  for (const arm of arms) await burst(arm); // warm-up
  for (let round = 0; round < rounds; round += 1) {
    for (const arm of round % 2 === 0 ? arms : [...arms].reverse()) {
      await arm.writeLogin(-60);
      const refresh = await burst(arm);
      results[arm.name].refresh.ttfts.push(...refresh.ttfts);
      results[arm.name].refresh.seconds += refresh.seconds;
      const steady = await burst(arm);
      results[arm.name].steady.ttfts.push(...steady.ttfts);
      results[arm.name].steady.seconds += steady.seconds;
    }
  }
} finally {
  await Promise.all(arms.map((arm) => arm.gateway.kill()));
  await Promise.all(arms.map((arm) => arm.close()));
  await emulator.close();
  await redis.close();
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
}

const refreshes =
  emulator.requests.filter((request) => request.path === '/oauth/token').length - refreshesBefore;
const summary = (name) => {
  const { refresh, steady } = results[name];
  return {
    refreshTtftP50Ms: percentile(refresh.ttfts, 50),
    refreshTtftP99Ms: percentile(refresh.ttfts, 99),
    refreshBurstMs: (refresh.seconds * 1000) / rounds,
    steadyTtftP50Ms: percentile(steady.ttfts, 50),
    streamsPerSecond: steady.ttfts.length / steady.seconds,
  };
};
const file = summary('file');
const redisSummary = summary('redis');
const ratios = {
  refreshTtftP50: file.refreshTtftP50Ms / redisSummary.refreshTtftP50Ms,
  refreshTtftP99: file.refreshTtftP99Ms / redisSummary.refreshTtftP99Ms,
  refreshBurst: file.refreshBurstMs / redisSummary.refreshBurstMs,
  throughput: redisSummary.streamsPerSecond / file.streamsPerSecond,
};
const round2 = (value) => Math.round(value * 100) / 100;
console.log(
  `\nStore bench: ${concurrency} concurrent streams, ${rounds} rounds per store, transport ${transport}, ${refreshes} refresh requests in all (one per store per round expected: ${2 * rounds})`,
);
console.table({
  file: Object.fromEntries(Object.entries(file).map(([key, value]) => [key, round2(value)])),
  redis: Object.fromEntries(Object.entries(redisSummary).map(([key, value]) => [key, round2(value)])),
});
console.log('Ratios (Redis vs file; ≥ 0.95 is the target, above 1 means Redis did better):');
for (const [name, value] of Object.entries(ratios)) {
  console.log(`  ${name.padEnd(16)} ${round2(value).toFixed(2)}× ${value >= 0.95 ? 'ok' : 'BELOW TARGET'}`);
}
console.log(JSON.stringify({ concurrency, rounds, transport, refreshes, file, redis: redisSummary, ratios }));
