// Benchmark: a 20-turn chat with tool calls through the `openai` SDK and the gateway, with the gateway's
// continuation on (later turns go upstream as previous_response_id + only the new messages) and off
// (every request in full), in one run. Every turn the model calls a tool (`tool_choice: "required"`)
// and the client answers with a ~1 KB tool result; the chat opens with ~150 KB of earlier messages, so
// the history grows to ~170 KB. The emulator is paced (its token-delay option). Each `--uplink-mbps`
// scenario runs both modes again: 0 talks to the emulator over loopback, N puts a proxy in front of it
// that carries gateway → emulator bytes at N Mbit/s, to model the upload link of the machine the gateway
// runs on.
// Reports the bytes sent upstream per turn (the emulator's recording of each request) and the total
// wall time of the chat as the client sees it, continuation against full resend.
//   pnpm turbo run build --output-logs=errors-only
//   node --experimental-strip-types apps/server/bench/continuation-bench.mjs   (or `pnpm --filter @codetether/server bench`)
// Options: --turns N (20), --rounds N (3, alternating modes), --token-delay-ms N (5),
//   --tool-result-bytes N (1024), --seed-kilobytes N (150), --uplink-mbps LIST (0,20),
//   --transport auto|websocket|http (auto, as in production), --json.
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startEmulator } from '@codetether/emulator';
import { createMemoryCredentialStore } from '@codetether/oauth-pkce';
import { createCodexProvider } from '@codetether/provider-codex';
import OpenAI from 'openai';
import { summarizeConversationRuns } from '../../../scripts/bench/conversation-summary.mjs';
import { startUplinkProxy } from '../../../scripts/bench/uplink-proxy.mjs';
import { createGatewayLogger, startGatewayServer } from '../dist/index.js';
// TypeScript run by Node's type stripping: the same login the integration tests store.
import { toStoredLogin } from '../src/__fixtures__/emulator-login.ts';

const { values } = parseArgs({
  options: {
    turns: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
    'token-delay-ms': { type: 'string', default: '5' },
    'tool-result-bytes': { type: 'string', default: '1024' },
    'seed-kilobytes': { type: 'string', default: '150' },
    'uplink-mbps': { type: 'string', default: '0,20' },
    transport: { type: 'string', default: 'auto' },
    json: { type: 'boolean', default: false },
  },
});
const turns = Number(values.turns);
const rounds = Number(values.rounds);
const tokenDelayMs = Number(values['token-delay-ms']);
const toolResultBytes = Number(values['tool-result-bytes']);
const seedBytes = Number(values['seed-kilobytes']) * 1024;
const uplinks = values['uplink-mbps'].split(',').map(Number);
const { transport } = values;
const apiKey = 'ctsk-continuation-bench';
const model = 'gpt-5.4';

const emulator = await startEmulator({ host: '127.0.0.1', port: 0, tokenDelayMs });
const credentials = toStoredLogin(emulator.issueTokens({ planType: 'plus' }));

/** A gateway (own provider, talking to `upstreamUrl`) with continuation on or off. */
function startGateway(upstreamUrl, continuation) {
  const provider = createCodexProvider({
    env: {},
    auth: { type: 'chatgpt', store: createMemoryCredentialStore(credentials) },
    issuer: emulator.issuerUrl,
    chatgptBaseUrl: `${upstreamUrl}/backend-api/codex`,
    openaiBaseUrl: `${upstreamUrl}/v1`,
    transport,
    home: false,
  });
  return startGatewayServer({
    provider,
    apiKey,
    port: 0,
    ...(continuation ? {} : { continuation: false }),
    logger: createGatewayLogger({ level: 'warn' }),
    closeProviderOnClose: true,
  });
}

const readFileTool = {
  type: 'function',
  function: {
    name: 'read_file',
    description: 'Reads a file of the workspace and returns its text.',
    parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
  },
};

/** ~`bytes` of earlier chat: user messages quoting source files, and short assistant answers. */
function seedMessages(bytes) {
  const messages = [];
  const line = 'export function example(value: number): number { return value * 2; } // padding\n';
  let size = 0;
  for (let index = 0; size < bytes; index += 1) {
    const content = `File src/module-${index}.ts:\n${line.repeat(50)}`;
    messages.push({ role: 'user', content }, { role: 'assistant', content: `Noted module ${index}.` });
    size += content.length + 120;
  }
  return messages;
}
const seed = seedMessages(seedBytes);

function toolResult(turn) {
  const text = `contents of file ${turn}: ${'0123456789abcdef'.repeat(Math.ceil(toolResultBytes / 16))}`;
  return text.slice(0, toolResultBytes);
}

/** One streamed turn through the SDK: the assistant message it answered (tool calls accumulated). */
async function streamTurn(client, messages) {
  const stream = await client.chat.completions.create({
    model,
    messages,
    tools: [readFileTool],
    tool_choice: 'required',
    stream: true,
  });
  let content = '';
  const calls = [];
  for await (const chunk of stream) {
    const delta = chunk.choices[0]?.delta;
    content += delta?.content ?? '';
    for (const call of delta?.tool_calls ?? []) {
      calls[call.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } };
      const accumulated = calls[call.index];
      if (call.id) accumulated.id = call.id;
      accumulated.function.name += call.function?.name ?? '';
      accumulated.function.arguments += call.function?.arguments ?? '';
    }
  }
  if (calls.length === 0) throw new Error('the model answered without a tool call');
  return { role: 'assistant', content: content === '' ? null : content, tool_calls: calls };
}

let chatNumber = 0;

/** The 20-turn chat on one gateway: per-turn upstream bytes and times, and the total time. */
async function runChat(gateway) {
  const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey, maxRetries: 0 });
  chatNumber += 1;
  const messages = [
    { role: 'system', content: 'You are a coding agent. Read the files you need with read_file.' },
    ...seed,
    { role: 'user', content: `Chat ${chatNumber}: read the files you need, one at a time.` },
  ];
  emulator.clearRequests();
  const turnTimes = [];
  const started = performance.now();
  for (let turn = 1; turn <= turns; turn += 1) {
    const turnStarted = performance.now();
    const answer = await streamTurn(client, messages);
    turnTimes.push(performance.now() - turnStarted);
    messages.push(answer);
    for (const call of answer.tool_calls)
      messages.push({ role: 'tool', tool_call_id: call.id, content: toolResult(turn) });
  }
  const totalMs = performance.now() - started;
  const requests = emulator.requests.filter(
    (request) => request.path.endsWith('/responses') && request.method === 'POST',
  );
  if (requests.length !== turns)
    throw new Error(`expected ${turns} upstream requests, the emulator saw ${requests.length}`);
  return {
    totalMs,
    turnTimes,
    uploads: requests.map((request) => request.bytesReceived ?? 0),
    historyBytes: JSON.stringify(messages).length,
    continued: requests.filter((request) => request.previousResponseId !== undefined).length,
    connections: new Set(requests.map((request) => request.connectionId ?? 'http')).size,
  };
}

/** Runs both modes `rounds` times (alternating which goes first) over the given uplink. */
async function runScenario(uplinkMbps) {
  const proxy = uplinkMbps > 0 ? await startUplinkProxy(new URL(emulator.url), uplinkMbps) : undefined;
  const upstreamUrl = proxy?.url ?? emulator.url;
  const gateways = {
    continuation: await startGateway(upstreamUrl, true),
    full: await startGateway(upstreamUrl, false),
  };
  // Warm the JIT, the sockets and the emulator once per mode.
  for (const gateway of Object.values(gateways)) await runChat(gateway);
  const results = { continuation: [], full: [] };
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 === 0 ? ['continuation', 'full'] : ['full', 'continuation'];
    for (const mode of order) results[mode].push(await runChat(gateways[mode]));
  }
  for (const gateway of Object.values(gateways)) await gateway.close({ graceMs: 0 });
  await proxy?.close();
  const continued = summarizeConversationRuns(results.continuation);
  const full = summarizeConversationRuns(results.full);
  const ratio = (key) => continued[key] / full[key];
  return {
    settings: {
      turns,
      rounds,
      tokenDelayMs,
      toolResultBytes,
      seedKilobytes: seedBytes / 1024,
      uplinkMbps,
      transport,
    },
    continuation: continued,
    full,
    ratios: {
      uploadPerTurn: ratio('medianUploadPerTurnBytes'),
      totalUpload: ratio('totalUploadBytes'),
      turnTime: ratio('medianTurnMs'),
      totalTime: ratio('totalMs'),
    },
    // Judged on a modelled link only (see printTable); null over loopback.
    targets: { totalTimeAtMost60Percent: uplinkMbps > 0 ? ratio('totalMs') <= 0.6 : null },
  };
}

function printTable(report) {
  const { continuation: continued, full, settings, ratios } = report;
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  const ms = (value) => `${value.toFixed(0)} ms`;
  const rows = [
    ['', 'continuation', 'full resend', 'ratio'],
    ['upload, turn 1', kb(continued.firstTurnUploadBytes), kb(full.firstTurnUploadBytes), ''],
    [
      'upload per later turn (median)',
      kb(continued.medianUploadPerTurnBytes),
      kb(full.medianUploadPerTurnBytes),
      ratios.uploadPerTurn.toFixed(3),
    ],
    ['upload per later turn (max)', kb(continued.maxUploadPerTurnBytes), kb(full.maxUploadPerTurnBytes), ''],
    [
      'upload, all turns',
      kb(continued.totalUploadBytes),
      kb(full.totalUploadBytes),
      ratios.totalUpload.toFixed(3),
    ],
    ['time per turn (median)', ms(continued.medianTurnMs), ms(full.medianTurnMs), ratios.turnTime.toFixed(3)],
    ['total time (median of rounds)', ms(continued.totalMs), ms(full.totalMs), ratios.totalTime.toFixed(3)],
    [
      'turns continued / upstream sockets',
      `${continued.continuedTurns} / ${continued.connections}`,
      `${full.continuedTurns} / ${full.connections}`,
      '',
    ],
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const link = settings.uplinkMbps > 0 ? `${settings.uplinkMbps} Mbit/s upload` : 'loopback';
  console.log(
    `gateway, ${turns}-turn chat with tool calls (openai SDK, streamed), ${rounds} rounds per mode, ${link}, ` +
      `transport ${transport}; history ${kb(continued.historyBytes)} at the end, tool results ` +
      `${toolResultBytes} B, token delay ${tokenDelayMs} ms`,
  );
  for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column])).join('  '));
  // Over loopback uploading costs next to nothing, so the time target is judged on a modelled link.
  const verdict = report.targets.totalTimeAtMost60Percent ? 'met' : 'missed';
  console.log(
    settings.uplinkMbps > 0
      ? `target: total time <= 0.6x full resend: ${verdict} (${ratios.totalTime.toFixed(3)})\n`
      : `loopback: uploads cost next to nothing here; the 0.6x time target applies to a modelled link\n`,
  );
}

const reports = [];
for (const uplinkMbps of uplinks) reports.push(await runScenario(uplinkMbps));
if (values.json) console.log(JSON.stringify(reports, null, 2));
else for (const report of reports) printTable(report);
await emulator.close();
