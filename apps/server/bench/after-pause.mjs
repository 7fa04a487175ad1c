// The after-pause arm of the gateway bench: what a request costs when it comes after a pause longer
// than the gateway's idle memory release quiet time (2 s), as when a person chats or an agent
// waits on a tool. After a burst of load (200 concurrent streams), one request at a time is sent
// after each pause, to the gateway as it ships (it releases again only once its resident set grew
// by more than 10 % since the last release), to the same gateway releasing after every quiet period
// (`idleMemoryReleaseGrowth: 0`, as before that rule) and to the bare Node proxy. Reported per side:
// the CPU the process used during the pause (the release, if one ran), the CPU and the time to
// first token of the request after it (medians), and the resident set at the end.
import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI from 'openai';
import { percentile } from './percentile.mjs';
import { streamOneResponse } from './responses-stream.mjs';

/**
 * Measures requests after pauses. `startGateway(upstream, setup)` starts a gateway child process
 * (`setup` adds to its IPC setup) and `startBareProxy(upstream)` the bare proxy, against the
 * `{ emulator, credentials }` that `startUpstream()` resolves.
 */
export async function measureAfterPause({
  startUpstream,
  startGateway,
  startBareProxy,
  apiKey,
  pauses,
  pauseMs,
}) {
  const upstream = await startUpstream();
  const processes = {
    gateway: await startGateway(upstream, {}),
    gatewayReleasingEveryPause: await startGateway(upstream, { idleMemoryReleaseGrowth: 0 }),
    bareProxy: await startBareProxy(upstream),
  };
  const sides = Object.entries(processes).map(([name, process]) => ({
    name,
    process,
    client: new OpenAI({
      baseURL: `${process.url}/v1`,
      apiKey: name === 'bareProxy' ? 'unused' : apiKey,
      maxRetries: 0,
    }),
    pauseCpuMs: [],
    requestCpuMs: [],
    ttftMs: [],
  }));
  // A burst first (the young generation grows, glibc's heap too), then a few sequential requests.
  for (const side of sides) {
    await Promise.all(Array.from({ length: 200 }, (_, index) => streamOneResponse(side.client, index)));
    for (let index = 0; index < 5; index += 1) await streamOneResponse(side.client, index);
  }
  // Settle before measuring: the release after the burst runs, and the burst's idle keep-alive
  // connections close (after 5 s); then one more request each, so every measured pause follows one.
  await sleep(Math.max(pauseMs, 6_000));
  for (const side of sides) await streamOneResponse(side.client, 0);
  const cpuAfterLast = new Map();
  for (const side of sides) cpuAfterLast.set(side, await side.process.cpuMicroseconds());
  for (let pause = 0; pause < pauses; pause += 1) {
    await sleep(pauseMs);
    // Which side goes first rotates: the later ones paused a little longer.
    const order = sides.map((_, index) => sides[(index + pause) % sides.length]);
    for (const side of order) {
      const before = await side.process.cpuMicroseconds();
      side.pauseCpuMs.push((before - cpuAfterLast.get(side)) / 1000);
      side.ttftMs.push(await streamOneResponse(side.client, pause));
      const after = await side.process.cpuMicroseconds();
      side.requestCpuMs.push((after - before) / 1000);
      cpuAfterLast.set(side, after);
    }
  }
  const rows = [];
  for (const side of sides) {
    rows.push({
      side: side.name,
      pauseCpuMs: percentile(side.pauseCpuMs, 50),
      requestCpuMs: percentile(side.requestCpuMs, 50),
      ttftMs: percentile(side.ttftMs, 50),
      rssMiB: (await side.process.rssBytes()) / 1024 / 1024,
      each: { pauseCpuMs: side.pauseCpuMs, requestCpuMs: side.requestCpuMs, ttftMs: side.ttftMs },
    });
    await side.process.stop();
  }
  await upstream.emulator.close();
  return { pauses, pauseMs, rows };
}
