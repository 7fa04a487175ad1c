import {
  createResponsesEventParser,
  createResponsesSseParser,
  type StreamChunk,
} from '@codetether/responses-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { apiKeyHeaders, chatgptHeaders, userInput } from '../__fixtures__/emulator-client.js';
import { startEmulator } from '../server.js';
import { type Emulator, SCENARIO_NAMES, type ScenarioName } from '../types.js';
import { REASONING_SUMMARY, TEXT_ANSWER } from './scenario-plan.js';

// Every scenario × both transports × both backends, read by the real client-side parsers of
// @codetether/responses-protocol: what a client sees, not just which events were sent.

type Backend = 'chatgpt' | 'openai';
type Transport = 'http' | 'websocket';

/** What a client observed: the HTTP status (or a WebSocket error event's `status_code`), the chunks and a close code. */
interface Observed {
  status: number;
  chunks: StreamChunk[];
  closeCode?: number;
  headers: Record<string, string>;
}

const TOOLS = [
  {
    type: 'function',
    name: 'get_weather',
    strict: false,
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
  { type: 'function', name: 'get_time', strict: false, parameters: { type: 'object', properties: {} } },
];

function bodyFor(scenario: ScenarioName, key: string): Record<string, unknown> {
  const input: unknown[] = userInput(`[scenario:${scenario}] say this back`);
  if (scenario === 'tool-result') {
    input.push(
      { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
      { type: 'function_call_output', call_id: 'call_1', output: '{"temperature":"21C"}' },
    );
  }
  return { model: 'gpt-5.4', input, tools: TOOLS, store: false, prompt_cache_key: key };
}

async function overHttp(url: string, headers: Record<string, string>, body: Record<string, unknown>) {
  const response = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({ ...body, stream: true }),
  });
  const responseHeaders = Object.fromEntries(response.headers);
  if (response.status !== 200) {
    await response.text();
    return { status: response.status, chunks: [], headers: responseHeaders };
  }
  const parser = createResponsesSseParser();
  const chunks: StreamChunk[] = [];
  try {
    for await (const bytes of response.body as AsyncIterable<Uint8Array>) chunks.push(...parser.feed(bytes));
  } catch {
    // The connection dropped: the parser's end() reports the missing terminal event.
  }
  chunks.push(...parser.end());
  return { status: 200, chunks, headers: responseHeaders };
}

async function overWebSocket(
  url: string,
  headers: Record<string, string>,
  body: Record<string, unknown>,
): Promise<Observed> {
  const socket = new WebSocket(url.replace(/^http/, 'ws'), { headers });
  const parser = createResponsesEventParser();
  const chunks: StreamChunk[] = [];
  let status = 200;
  let handshakeHeaders: Record<string, string> = {};
  socket.once('upgrade', (response) => {
    handshakeHeaders = Object.fromEntries(
      Object.entries(response.headers).map(([name, value]) => [name, String(value)]),
    );
  });
  const closeCode = await new Promise<number | undefined>((resolve, reject) => {
    socket.once('open', () => socket.send(JSON.stringify({ type: 'response.create', ...body })));
    socket.once('unexpected-response', (_request, response) =>
      reject(new Error(`handshake ${response.statusCode}`)),
    );
    socket.on('message', (data) => {
      const event = JSON.parse(String(data)) as Record<string, unknown>;
      if (event.type === 'error' && typeof event.status_code === 'number') status = event.status_code;
      const produced = parser.feed(event);
      chunks.push(...produced);
      if (produced.some((chunk) => chunk.type === 'done' || chunk.type === 'error')) {
        socket.close(1000);
        resolve(undefined);
      }
    });
    socket.once('close', (code) => resolve(code));
    socket.on('error', () => {});
  });
  chunks.push(...parser.end());
  if (socket.readyState !== WebSocket.CLOSED) {
    await new Promise((resolve) => socket.once('close', resolve));
  }
  return { status, chunks, headers: handshakeHeaders, ...(closeCode === undefined ? {} : { closeCode }) };
}

function textOf(chunks: StreamChunk[], type: 'text' | 'thinking' = 'text'): string {
  return chunks.map((chunk) => (chunk.type === type ? chunk.text : '')).join('');
}

function expectCompleted(observed: Observed, text: string): void {
  expect(observed.status).toBe(200);
  expect(textOf(observed.chunks)).toBe(text);
  expect(observed.chunks.at(-1)).toMatchObject({
    type: 'done',
    finishReason: 'stop',
    usage: { promptTokens: expect.any(Number), cacheReadTokens: expect.any(Number) },
  });
}

function expectStreamClosed(observed: Observed): void {
  expect(observed.chunks.at(-1)).toMatchObject({ type: 'error', code: 'stream-closed' });
  expect(observed.chunks.some((chunk) => chunk.type === 'done')).toBe(false);
}

/** Expectations per scenario; a complete record, so a new scenario without one fails the typecheck. */
const expectations: Record<
  ScenarioName,
  (observed: Observed, transport: Transport, run: () => Promise<Observed>) => void | Promise<void>
> = {
  text: (observed) => expectCompleted(observed, TEXT_ANSWER),
  slow: (observed) => expectCompleted(observed, TEXT_ANSWER),
  echo: (observed) => expectCompleted(observed, 'say this back'),
  reasoning: (observed) => {
    expectCompleted(observed, TEXT_ANSWER);
    expect(textOf(observed.chunks, 'thinking')).toBe(REASONING_SUMMARY);
    const done = observed.chunks.at(-1);
    expect(done?.type === 'done' && done.usage?.reasoningTokens).toBeGreaterThan(0);
  },
  'tool-call': (observed) => {
    const starts = observed.chunks.filter((chunk) => chunk.type === 'tool-call-start');
    expect(starts).toEqual([
      { type: 'tool-call-start', id: expect.stringMatching(/^call_/), name: 'get_weather' },
    ]);
    const deltas = observed.chunks.filter((chunk) => chunk.type === 'tool-call-delta');
    expect(deltas.length).toBeGreaterThan(1);
    expect(JSON.parse(deltas.map((chunk) => chunk.argumentsDelta).join(''))).toEqual({ city: 'Paris' });
    expect(observed.chunks.at(-1)).toMatchObject({ type: 'done', finishReason: 'tool-calls' });
  },
  'parallel-tool-calls': (observed) => {
    const starts = observed.chunks.filter((chunk) => chunk.type === 'tool-call-start');
    expect(starts.map((chunk) => chunk.name)).toEqual(['get_weather', 'get_time']);
    expect(new Set(starts.map((chunk) => chunk.id)).size).toBe(2);
    expect(observed.chunks.filter((chunk) => chunk.type === 'tool-call-end')).toHaveLength(2);
    expect(observed.chunks.at(-1)).toMatchObject({ type: 'done', finishReason: 'tool-calls' });
  },
  'tool-result': (observed) => {
    expect(observed.status).toBe(200);
    expect(textOf(observed.chunks)).toContain('21C');
    expect(observed.chunks.at(-1)).toMatchObject({ type: 'done', finishReason: 'stop' });
  },
  compaction: (observed) => {
    // One `compaction` output item: no text, no tool calls, a normal end.
    expectCompleted(observed, '');
    expect(observed.chunks.some((chunk) => chunk.type === 'tool-call-start')).toBe(false);
  },
  failed: (observed) => {
    expect(observed.status).toBe(200);
    expect(observed.chunks.at(-1)).toMatchObject({ type: 'error', code: 'server_error' });
  },
  incomplete: (observed) => {
    expect(textOf(observed.chunks)).toContain('cut short');
    expect(observed.chunks.at(-1)).toMatchObject({ type: 'done', finishReason: 'length' });
  },
  'error-nested': (observed) => {
    expect(observed.chunks.at(-1)).toMatchObject({ type: 'error', code: 'context_length_exceeded' });
  },
  'rate-limited': (observed, transport) => {
    expect(observed.status).toBe(429);
    if (transport === 'websocket') {
      expect(observed.chunks.at(-1)).toMatchObject({ type: 'error', code: 'usage_limit_reached' });
    } else {
      expect(Number(observed.headers['retry-after'])).toBeGreaterThan(0);
    }
  },
  'server-error-then-success': async (observed, _transport, run) => {
    expect(observed.status).toBe(500);
    expectCompleted(await run(), TEXT_ANSWER);
  },
  disconnect: (observed, transport) => {
    expect(textOf(observed.chunks).length).toBeGreaterThan(0);
    expect(TEXT_ANSWER.startsWith(textOf(observed.chunks))).toBe(true);
    expectStreamClosed(observed);
    if (transport === 'websocket') expect(observed.closeCode).toBe(1006);
  },
  'ws-close-1006': (observed, transport) => {
    if (transport === 'http') return expectCompleted(observed, TEXT_ANSWER);
    expect(observed.closeCode).toBe(1006);
    expect(textOf(observed.chunks)).toBe('');
    expectStreamClosed(observed);
  },
  'ws-close-1011': (observed, transport) => {
    if (transport === 'http') return expectCompleted(observed, TEXT_ANSWER);
    expect(observed.closeCode).toBe(1011);
    expectStreamClosed(observed);
  },
  large: (observed) => {
    expect(observed.status).toBe(200);
    expect(textOf(observed.chunks)).toHaveLength(256 * 1024);
    expect(observed.chunks.at(-1)).toMatchObject({ type: 'done', finishReason: 'stop' });
  },
  unauthorized: (observed) => {
    expect(observed.status).toBe(401);
    expect(observed.chunks.some((chunk) => chunk.type === 'done')).toBe(false);
  },
};

describe.each([
  ['chatgpt', 'http'],
  ['chatgpt', 'websocket'],
  ['openai', 'http'],
  ['openai', 'websocket'],
] as Array<[Backend, Transport]>)('every scenario on the %s backend over %s', (backend, transport) => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ tokenDelayMs: 0, largeResponseBytes: 256 * 1024 });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it.each(SCENARIO_NAMES)('%s', async (scenario) => {
    const baseUrl = backend === 'chatgpt' ? emulator.chatgptBaseUrl : emulator.openaiBaseUrl;
    const headers = backend === 'chatgpt' ? chatgptHeaders(emulator) : apiKeyHeaders(emulator);
    if (scenario === 'slow') emulator.setOptions({ tokenDelayMs: 1 });
    else emulator.setOptions({ tokenDelayMs: 0 });
    const body = bodyFor(scenario, `${backend}-${transport}-${scenario}`);
    const run = () =>
      transport === 'http'
        ? overHttp(`${baseUrl}/responses`, headers, body)
        : overWebSocket(`${baseUrl}/responses`, headers, body);
    await expectations[scenario](await run(), transport, run);
    const recorded = emulator.requests.filter((request) => request.path.endsWith('/responses')).at(-1);
    expect(recorded).toMatchObject({ transport, scenario, method: 'POST' });
  });
});
