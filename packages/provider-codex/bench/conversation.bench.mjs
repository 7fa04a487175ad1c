// Benchmark: a 30-turn agent loop on one conversation against the local emulator, over the same
// WebSocket, with continuation (previous_response_id + only the new items) and with it disabled
// (the full input every turn). Every turn answers the model's tool call with a ~1 KB tool result;
// the history starts with ~170 KB of earlier context so it grows to ~200 KB. The emulator is paced
// (its token-delay option). Each scenario of `--uplink-mbps` runs the loop once more: 0 talks to the
// emulator over loopback (no upload cost to speak of), N puts a proxy in front of it that carries
// client → server bytes at N Mbit/s, to model a client's upload bandwidth.
// Reports the bytes uploaded per turn (the emulator's recording of each `response.create` frame)
// and the total wall time, as ratios of continuation against full resend measured in the same run.
//   pnpm --filter @codetether/provider-codex build && pnpm --filter @codetether/provider-codex bench
// Options: --turns N (30), --rounds N (3, alternating modes), --token-delay-ms N (5),
//   --tool-result-bytes N (1024), --seed-kilobytes N (170), --uplink-mbps LIST (0,20), --json.
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startEmulator } from '@codetether/emulator';
import { createMemoryCredentialStore } from '@codetether/oauth-pkce';
import { summarizeConversationRuns } from '../../../scripts/bench/conversation-summary.mjs';
import { startUplinkProxy } from '../../../scripts/bench/uplink-proxy.mjs';
import { createCodexProvider } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    turns: { type: 'string', default: '30' },
    rounds: { type: 'string', default: '3' },
    'token-delay-ms': { type: 'string', default: '5' },
    'tool-result-bytes': { type: 'string', default: '1024' },
    'seed-kilobytes': { type: 'string', default: '170' },
    'uplink-mbps': { type: 'string', default: '0,20' },
    json: { type: 'boolean', default: false },
  },
});
const turns = Number(values.turns);
const rounds = Number(values.rounds);
const tokenDelayMs = Number(values['token-delay-ms']);
const toolResultBytes = Number(values['tool-result-bytes']);
const seedBytes = Number(values['seed-kilobytes']) * 1024;
const uplinks = values['uplink-mbps'].split(',').map(Number);

const emulator = await startEmulator({ host: '127.0.0.1', port: 0, tokenDelayMs });
const tokens = emulator.issueTokens({ planType: 'plus' });

/** A provider on a ChatGPT login that talks to `baseUrl` over the WebSocket only. */
function providerFor(baseUrl) {
  return createCodexProvider({
    env: {},
    issuer: emulator.issuerUrl,
    chatgptBaseUrl: `${baseUrl}/backend-api/codex`,
    openaiBaseUrl: `${baseUrl}/v1`,
    transport: 'websocket',
    auth: {
      type: 'chatgpt',
      store: createMemoryCredentialStore({
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
      }),
    },
  });
}

const readFileTool = {
  name: 'read_file',
  description: 'Reads a file of the workspace and returns its text.',
  parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
};

/** ~`bytes` of earlier context: user messages quoting source files, and short assistant answers. */
function seedHistory(bytes) {
  const items = [];
  const line = 'export function example(value: number): number { return value * 2; } // padding\n';
  let size = 0;
  for (let index = 0; size < bytes; index += 1) {
    const text = `File src/module-${index}.ts:\n${line.repeat(50)}`;
    items.push({ type: 'message', role: 'user', content: [{ type: 'input_text', text }] });
    items.push({
      type: 'message',
      role: 'assistant',
      content: [{ type: 'output_text', text: `Noted module ${index}.` }],
    });
    size += text.length + 120;
  }
  return items;
}
const seed = seedHistory(seedBytes);

function toolResult(callId, turn) {
  const text = `contents of file ${turn}: ${'0123456789abcdef'.repeat(Math.ceil(toolResultBytes / 16))}`;
  return { type: 'function_call_output', call_id: callId, output: text.slice(0, toolResultBytes) };
}

async function runLoop(provider, continuation) {
  const conversation = provider.createConversation({
    model: 'gpt-5.4',
    tools: [readFileTool],
    toolChoice: 'required',
    history: seed,
    continuation,
    autoCompact: false,
  });
  emulator.clearRequests();
  const started = performance.now();
  const turnTimes = [];
  let input = 'Read the files you need, one at a time.';
  for (let turn = 1; turn <= turns; turn += 1) {
    const turnStarted = performance.now();
    const calls = [];
    for await (const chunk of conversation.send(input)) {
      if (chunk.type === 'tool-call-start') calls.push(chunk.id);
      if (chunk.type === 'error') throw new Error(`turn ${turn}: ${chunk.code} ${chunk.message}`);
    }
    turnTimes.push(performance.now() - turnStarted);
    input = calls.map((callId) => toolResult(callId, turn));
  }
  const totalMs = performance.now() - started;
  const frames = emulator.requests.filter(
    (request) => request.path.endsWith('/responses') && request.body !== undefined,
  );
  if (frames.length !== turns)
    throw new Error(`expected ${turns} requests, the emulator saw ${frames.length}`);
  const uploads = frames.map((request) => request.bytesReceived ?? 0);
  const historyBytes = JSON.stringify(conversation.history).length;
  const continued = frames.filter((request) => request.previousResponseId !== undefined).length;
  const connections = new Set(frames.map((request) => request.connectionId)).size;
  await conversation.close();
  return { totalMs, turnTimes, uploads, historyBytes, continued, connections };
}

/** Runs both modes `rounds` times (alternating which goes first) with the given uplink. */
async function runScenario(uplinkMbps) {
  const proxy = uplinkMbps > 0 ? await startUplinkProxy(new URL(emulator.url), uplinkMbps) : undefined;
  const provider = providerFor(proxy?.url ?? emulator.url);
  const results = { continuation: [], full: [] };
  await runLoop(provider, true); // warm the JIT, the socket and the emulator once
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 === 0 ? ['continuation', 'full'] : ['full', 'continuation'];
    for (const mode of order) results[mode].push(await runLoop(provider, mode === 'continuation'));
  }
  await provider.close();
  await proxy?.close();
  return reportOf(
    { mode: 'continuation', ...summarizeConversationRuns(results.continuation) },
    { mode: 'full', ...summarizeConversationRuns(results.full) },
    uplinkMbps,
  );
}

function reportOf(continued, full, uplinkMbps) {
  const ratio = (key) => continued[key] / full[key];
  return {
    settings: { turns, rounds, tokenDelayMs, toolResultBytes, seedKilobytes: seedBytes / 1024, uplinkMbps },
    continuation: continued,
    full,
    ratios: {
      uploadPerTurn: ratio('medianUploadPerTurnBytes'),
      totalUpload: ratio('totalUploadBytes'),
      totalTime: ratio('totalMs'),
    },
    targets: {
      uploadPerTurnAtMost2KB: continued.maxUploadPerTurnBytes <= 2048,
      totalTimeAtMost60Percent: ratio('totalMs') <= 0.6,
    },
  };
}

const reports = [];
for (const uplinkMbps of uplinks) reports.push(await runScenario(uplinkMbps));
if (values.json) console.log(JSON.stringify(reports, null, 2));
else for (const report of reports) printTable(report);
await emulator.close();

function printTable(report) {
  const { continuation: continued, full, settings } = report;
  const { uplinkMbps } = settings;
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  const ms = (value) => `${value.toFixed(0)} ms`;
  const rows = [
    ['', 'continuation', 'full resend', 'ratio'],
    ['upload, turn 1', kb(continued.firstTurnUploadBytes), kb(full.firstTurnUploadBytes), ''],
    [
      'upload per later turn (median)',
      kb(continued.medianUploadPerTurnBytes),
      kb(full.medianUploadPerTurnBytes),
      report.ratios.uploadPerTurn.toFixed(3),
    ],
    ['upload per later turn (max)', kb(continued.maxUploadPerTurnBytes), kb(full.maxUploadPerTurnBytes), ''],
    [
      'upload, all turns',
      kb(continued.totalUploadBytes),
      kb(full.totalUploadBytes),
      report.ratios.totalUpload.toFixed(3),
    ],
    [
      'time per turn (median)',
      ms(continued.medianTurnMs),
      ms(full.medianTurnMs),
      (continued.medianTurnMs / full.medianTurnMs).toFixed(3),
    ],
    [
      'total time (median of rounds)',
      ms(continued.totalMs),
      ms(full.totalMs),
      report.ratios.totalTime.toFixed(3),
    ],
    [
      'turns continued / sockets',
      `${continued.continuedTurns} / ${continued.connections}`,
      `${full.continuedTurns} / ${full.connections}`,
      '',
    ],
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  console.log(
    `${turns}-turn agent loop, ${rounds} rounds per mode, history ${kb(continued.historyBytes)} at the end, ` +
      `tool results ${toolResultBytes} B, token delay ${tokenDelayMs} ms, uplink ${uplinkMbps > 0 ? `${uplinkMbps} Mbit/s` : 'loopback'}`,
  );
  for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column])).join('  '));
  console.log(
    `targets: upload per turn <= 2 KB: ${report.targets.uploadPerTurnAtMost2KB ? 'met' : 'missed'}; ` +
      `total time <= 0.6x full resend: ${report.targets.totalTimeAtMost60Percent ? 'met' : `missed (${report.ratios.totalTime.toFixed(3)})`}`,
  );
  console.log('');
}
