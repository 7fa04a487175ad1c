// The gateway under benchmark, in its own process so its memory and CPU can be measured.
// Receives { emulatorUrl, credentials, transport, apiKey, provider } over IPC and answers { url };
// then answers 'cpu' and 'memory' requests and exits on 'stop'.
// provider 'codex': the gateway's provider (createGatewayCodexProvider) against the emulator. provider 'replay': an in-memory provider
// that paces the emulator's answer the same way, to isolate the server's own overhead.
import { subscribe } from 'node:diagnostics_channel';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { getHeapSpaceStatistics } from 'node:v8';
import { createMemoryCredentialStore } from '@codetether/oauth-pkce';
import { createGatewayCodexProvider, createGatewayLogger, startGatewayServer } from '../dist/index.js';

function createReplayProvider({ text, eventDelayMs }) {
  const words = text.split(/(?<= )/);
  return {
    async listModels() {
      return [{ id: 'gpt-5.4' }];
    },
    async *completeStream(_request, options = {}) {
      const pause = () =>
        eventDelayMs > 0 ? sleep(eventDelayMs, undefined, { signal: options.signal }) : undefined;
      // Like the emulator: the first event at once, a pause before every later one. in_progress,
      // output_item.added and content_part.added come between response.created and the first delta.
      for (let index = 0; index < 3; index += 1) await pause();
      for (const word of words) {
        await pause();
        yield { type: 'text', text: word };
      }
      for (let index = 0; index < 4; index += 1) await pause();
      yield {
        type: 'done',
        finishReason: 'stop',
        usage: { promptTokens: 10, completionTokens: 20, totalTokens: 30 },
      };
    },
    async createResponseStream() {
      throw new Error('not used by the benchmark');
    },
  };
}

let profiler;
async function toggleProfile(start) {
  const directory = process.env.BENCH_PROFILE_DIR;
  if (directory === undefined) return;
  if (start) {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.setSamplingInterval', {
      interval: Number(process.env.BENCH_PROFILE_INTERVAL_US ?? 250),
    });
    await profiler.post('Profiler.start');
    return;
  }
  const { profile } = await profiler.post('Profiler.stop');
  mkdirSync(directory, { recursive: true });
  writeFileSync(`${directory}/gateway-${Date.now()}.cpuprofile`, JSON.stringify(profile));
  profiler.disconnect();
}

const MiB = 1024 * 1024;
const round = (bytes) => Math.round((bytes / MiB) * 100) / 100;

/**
 * Where the resident memory is, in MiB: V8's heap spaces (committed and used), memory outside the
 * heap Node reports, and the kernel's split of resident pages (Linux; anonymous pages hold both V8's
 * heap and malloc's).
 */
function memoryDetail() {
  const usage = process.memoryUsage();
  const spaces = Object.fromEntries(
    getHeapSpaceStatistics().map((space) => [
      space.space_name,
      { committed: round(space.space_size), used: round(space.space_used_size) },
    ]),
  );
  // One pass over the kernel's mappings: its split of resident pages, and glibc's main heap (brk)
  // apart from the other anonymous mappings (V8's pages, large mallocs…).
  let kernel;
  try {
    const totalsKiB = { Rss: 0, Anonymous: 0, Shared_Clean: 0, Private_Clean: 0, Private_Dirty: 0 };
    let mallocHeapKiB = 0;
    let mapping = '';
    for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
      const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
      if (header !== null) {
        mapping = header[1];
        continue;
      }
      const field = /^(\w+):\s+(\d+) kB$/.exec(line);
      if (field === null || !(field[1] in totalsKiB)) continue;
      totalsKiB[field[1]] += Number(field[2]);
      if (field[1] === 'Anonymous' && mapping === '[heap]') mallocHeapKiB += Number(field[2]);
    }
    kernel = Object.fromEntries(Object.entries(totalsKiB).map(([name, kiB]) => [name, round(kiB * 1024)]));
    kernel.mallocHeap = round(mallocHeapKiB * 1024);
    kernel.otherAnonymous = round((totalsKiB.Anonymous - mallocHeapKiB) * 1024);
  } catch {
    kernel = undefined;
  }
  return {
    memoryDetail: {
      rss: round(usage.rss),
      heapTotal: round(usage.heapTotal),
      heapUsed: round(usage.heapUsed),
      external: round(usage.external),
      arrayBuffers: round(usage.arrayBuffers),
      spaces,
      kernel,
    },
  };
}

// Upstream sockets the gateway opened (the gateway only connects out to the emulator).
let upstreamConnections = 0;
subscribe('net.client.socket', () => {
  upstreamConnections += 1;
});

process.once('message', async (setup) => {
  const provider =
    setup.provider === 'replay'
      ? createReplayProvider(setup)
      : // As `codetether-server` makes it (neutral instructions for requests that bring none).
        createGatewayCodexProvider({
          env: {},
          auth: { type: 'chatgpt', store: createMemoryCredentialStore(setup.credentials) },
          issuer: setup.emulatorUrl,
          chatgptBaseUrl: `${setup.emulatorUrl}/backend-api/codex`,
          transport: setup.transport,
        });
  const gateway = await startGatewayServer({
    provider,
    apiKey: setup.apiKey,
    port: 0,
    logger: createGatewayLogger({ level: 'warn' }),
    closeProviderOnClose: true,
    ...(setup.idleMemoryReleaseGrowth === undefined
      ? {}
      : { idleMemoryReleaseGrowth: setup.idleMemoryReleaseGrowth }),
  });
  process.send({ url: gateway.url });
  process.on('message', async (message) => {
    if (message === 'memory') process.send({ maxRssBytes: process.resourceUsage().maxRSS * 1024 });
    if (message === 'rss') process.send({ rssBytes: process.memoryUsage().rss });
    if (message === 'memoryDetail') process.send(memoryDetail());
    if (message === 'heap') {
      // Live heap: after a full collection when the process runs with --expose-gc.
      globalThis.gc?.();
      process.send({ heapUsedBytes: process.memoryUsage().heapUsed });
    }
    if (typeof message === 'object' && message?.type === 'heapWhenActive') {
      // Watched here, not over IPC: the loaded bench process answers too late to catch the peak.
      // Measures once `count` streams are open, or once their number stops growing (on a loaded
      // machine the first streams may end before the last ones start), or after 10 s.
      const deadline = performance.now() + 10_000;
      let peak = 0;
      const watcher = setInterval(() => {
        const active = gateway.gateway.inFlightRequests;
        if (active >= message.count || (peak > 0 && active < peak) || performance.now() > deadline) {
          clearInterval(watcher);
          globalThis.gc?.();
          process.send({ heapUsedBytes: process.memoryUsage().heapUsed, activeStreams: active });
        }
        peak = Math.max(peak, active);
      }, 1);
    }
    // BENCH_PROFILE_DIR: a CPU profile of the sequential streams only (no start-up, no warm-up).
    if (message === 'profile-start' || message === 'profile-stop') {
      await toggleProfile(message === 'profile-start');
      process.send({ profiled: true });
    }
    if (message === 'active') process.send({ activeStreams: gateway.gateway.inFlightRequests });
    if (message === 'cpu') {
      const usage = process.cpuUsage();
      process.send({
        cpuMicroseconds: usage.user + usage.system,
        user: usage.user,
        system: usage.system,
        upstreamConnections,
      });
    }
    if (message === 'stop') {
      await gateway.close({ graceMs: 0 });
      process.exit(0);
    }
  });
});
