// The pacing arm of the gateway bench: what one sequential stream costs in CPU depending only on the
// pause between its events. The same answer (the emulator's `text` scenario, ~22 events) is streamed
// one stream at a time with the openai SDK, with the emulator pausing 0, 1, 5 and 20 ms between
// events, through the gateway (HTTP upstream), through the bare Node proxy (bare-proxy-process.mjs),
// and — when `socat` is installed — through a socat TCP relay (a C program: the least any relay does).
// The work per stream is the same at every pacing; what changes is how long each process sleeps
// before each event. Where CPU per stream grows with the pause, each wake-up of the process costs more
// the longer it slept: a property of the machine (its caches after the pause), which the bench
// measures so the like-for-like figures at 5 ms can be read against it.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { freePort } from '../../../scripts/testing/free-port.ts';
import { streamOneResponse } from './responses-stream.mjs';

/** Whether socat is installed (it prints its version). */
function hasSocat() {
  try {
    execFileSync('socat', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** CPU time (µs) the scheduler gave a process (all its threads) and its live children (Linux). */
function processTreeCpuMicroseconds(rootPid) {
  const threadsOf = (pid) => {
    let nanoseconds = 0;
    for (const thread of readdirSync(`/proc/${pid}/task`)) {
      nanoseconds += Number(readFileSync(`/proc/${pid}/task/${thread}/schedstat`, 'utf8').split(' ')[0]);
    }
    return nanoseconds;
  };
  let nanoseconds = threadsOf(rootPid);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === rootPid) nanoseconds += threadsOf(Number(entry));
    } catch {
      // The process ended while it was read.
    }
  }
  return nanoseconds / 1000;
}

/** A socat relay from a local port to the emulator (one process per connection, as `fork` makes it). */
async function startSocatRelay(emulatorUrl) {
  const port = await freePort();
  const upstream = new URL(emulatorUrl);
  const relay = spawn(
    'socat',
    [`TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork`, `TCP:${upstream.hostname}:${upstream.port}`],
    { stdio: 'ignore' },
  );
  // socat has no readiness signal: wait until it accepts a connection.
  for (let attempt = 0; attempt < 100; attempt += 1) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(500) });
      await response.arrayBuffer();
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    port,
    cpuMicroseconds: async () => processTreeCpuMicroseconds(relay.pid),
    stop: async () => {
      relay.kill();
      await once(relay, 'exit');
    },
  };
}

/**
 * Measures the CPU per sequential stream at each pacing. `startUpstream(eventDelayMs)` starts an
 * emulator (`text` scenario) and resolves `{ emulator, credentials }`; `startGateway(upstream)` and
 * `startBareProxy(upstream)` start the bench's child processes against it.
 */
export async function measurePacingFloor({
  startUpstream,
  startGateway,
  startBareProxy,
  apiKey,
  pacings,
  streams,
}) {
  const socatAvailable = process.platform === 'linux' && hasSocat();
  const rows = [];
  for (const eventDelayMs of pacings) {
    const upstream = await startUpstream(eventDelayMs);
    const gateway = await startGateway(upstream);
    const bareProxy = await startBareProxy(upstream);
    const socat = socatAvailable ? await startSocatRelay(upstream.emulator.url) : undefined;
    const sides = {
      gateway: {
        client: new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey, maxRetries: 0 }),
        process: gateway,
      },
      bareProxy: {
        client: new OpenAI({ baseURL: `${bareProxy.url}/v1`, apiKey: 'unused', maxRetries: 0 }),
        process: bareProxy,
      },
    };
    if (socat !== undefined) {
      const relayed = new URL(upstream.emulator.chatgptBaseUrl);
      relayed.port = String(socat.port);
      sides.socat = {
        client: new OpenAI({
          baseURL: relayed.href,
          apiKey: upstream.credentials.tokens.accessToken,
          defaultHeaders: {
            'chatgpt-account-id': upstream.credentials.accountId,
            originator: 'codex_cli_rs',
          },
          maxRetries: 0,
        }),
        process: socat,
      };
    }
    const row = { eventDelayMs };
    for (const [name, side] of Object.entries(sides)) {
      // Warm-up (JIT, the provider's auth), then one keep-alive connection for the sequence. socat has
      // nothing to warm up, and the processes it forks for concurrent connections would end (and
      // take their CPU time out of the sum) while the sequence runs.
      if (name !== 'socat') {
        await Promise.all(Array.from({ length: 50 }, (_, index) => streamOneResponse(side.client, index)));
      }
      for (let index = 0; index < 5; index += 1) await streamOneResponse(side.client, index);
      const before = await side.process.cpuMicroseconds();
      for (let index = 0; index < streams; index += 1) await streamOneResponse(side.client, index);
      row[name] = ((await side.process.cpuMicroseconds()) - before) / 1000 / streams;
    }
    rows.push(row);
    await socat?.stop();
    await bareProxy.stop();
    await gateway.stop();
    await upstream.emulator.close();
  }
  return { streamsPerPacing: streams, socatAvailable, cpuMsPerSequentialStream: rows };
}
