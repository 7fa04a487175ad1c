// Benchmark: one 10-turn conversation against the local emulator over
//   1. HTTP SSE (@codetether/transport-http, keep-alive dispatcher),
//   2. WebSocket with a fresh connection per turn (no session id),
//   3. WebSocket reusing the session's connection (same session id every turn).
// Reports the median time to the first Responses event and the median total time per turn, as
// ratios against HTTP measured in the same run. Reads the built dist of both transports:
//   pnpm --filter @codetether/transport-ws build && pnpm --filter @codetether/transport-ws bench
// Options: --turns N (default 10), --rounds N (conversations per mode, default 10), --json.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startEmulator } from '@codetether/emulator';
import { createHttpTransport } from '@codetether/transport-http';
import { createWebSocketTransport } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    turns: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '10' },
    json: { type: 'boolean', default: false },
  },
});
const turns = Number(values.turns);
const rounds = Number(values.rounds);

const emulator = await startEmulator({ scenario: 'text' });
const tokens = emulator.issueTokens({ expiresInSeconds: 3600 });
const url = `${emulator.chatgptBaseUrl}/responses`;

function headers(wire, sessionId) {
  const common = {
    Authorization: `Bearer ${tokens.accessToken}`,
    'chatgpt-account-id': tokens.accountId,
    originator: 'codex_cli_rs',
    'User-Agent': 'codetether-bench/1.0',
    session_id: sessionId,
  };
  return wire === 'http'
    ? {
        ...common,
        'OpenAI-Beta': 'responses=experimental',
        accept: 'text/event-stream',
        'content-type': 'application/json',
      }
    : { ...common, 'OpenAI-Beta': 'responses_websockets=2026-02-06' };
}

function body(input) {
  return { model: 'gpt-5.4', instructions: 'Be brief.', input, stream: true, store: false };
}

async function runTurn(transport, request) {
  const start = performance.now();
  const response = await transport.stream(request);
  let firstEventMs;
  let text = '';
  for await (const event of response.events) {
    if (firstEventMs === undefined && event.type.startsWith('response.'))
      firstEventMs = performance.now() - start;
    if (event.type === 'response.output_text.delta') text += event.delta;
  }
  return { firstEventMs, totalMs: performance.now() - start, text };
}

async function conversation(mode, transports) {
  const sessionId = randomUUID();
  const input = [];
  const samples = [];
  for (let turn = 0; turn < turns; turn += 1) {
    input.push({
      type: 'message',
      role: 'user',
      content: [{ type: 'input_text', text: `Turn ${turn}: tell me more.` }],
    });
    const wire = mode === 'http' ? 'http' : 'websocket';
    const request = {
      url,
      headers: headers(wire, sessionId),
      body: body([...input]),
      ...(mode === 'ws-reused' ? { sessionId } : {}),
    };
    const transport = mode === 'http' ? transports.http : transports.ws;
    const sample = await runTurn(transport, request);
    input.push({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: sample.text }] });
    samples.push(sample);
  }
  return samples;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const modes = ['http', 'ws-fresh', 'ws-reused'];
const transports = { http: createHttpTransport(), ws: createWebSocketTransport() };
const samples = Object.fromEntries(modes.map((mode) => [mode, []]));
try {
  // Warm-up: JIT, the HTTP keep-alive pool, the emulator.
  for (const mode of modes) await conversation(mode, transports);
  // Interleave the modes so drift on a shared machine hits all of them alike.
  for (let round = 0; round < rounds; round += 1) {
    for (const mode of round % 2 === 0 ? modes : [...modes].reverse()) {
      samples[mode].push(...(await conversation(mode, transports)));
    }
  }
} finally {
  await transports.http.close();
  await transports.ws.close();
  await emulator.close();
}

const baseline = {
  firstEventMs: median(samples.http.map((sample) => sample.firstEventMs)),
  totalMs: median(samples.http.map((sample) => sample.totalMs)),
};
const rows = modes.map((mode) => {
  const firstEventMs = median(samples[mode].map((sample) => sample.firstEventMs));
  const totalMs = median(samples[mode].map((sample) => sample.totalMs));
  return {
    mode,
    turns: samples[mode].length,
    medianFirstEventMs: Number(firstEventMs.toFixed(3)),
    medianTotalMs: Number(totalMs.toFixed(3)),
    firstEventRatioToHttp: Number((firstEventMs / baseline.firstEventMs).toFixed(3)),
    totalRatioToHttp: Number((totalMs / baseline.totalMs).toFixed(3)),
  };
});

if (values.json) {
  console.log(JSON.stringify({ turnsPerConversation: turns, conversationsPerMode: rounds, rows }, null, 2));
} else {
  console.log(
    `${turns}-turn conversation x ${rounds} per mode against the emulator (median per turn; ratio = mode / HTTP SSE)`,
  );
  console.log('mode        turns  first event ms  ratio   total ms  ratio');
  for (const row of rows) {
    console.log(
      `${row.mode.padEnd(11)} ${String(row.turns).padStart(5)}  ${row.medianFirstEventMs.toFixed(3).padStart(14)}  ${row.firstEventRatioToHttp.toFixed(2).padStart(5)}  ${row.medianTotalMs.toFixed(3).padStart(9)}  ${row.totalRatioToHttp.toFixed(2).padStart(5)}`,
    );
  }
}
