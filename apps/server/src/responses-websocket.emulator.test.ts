import type { RecordedRequest } from '@codetether/emulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type GatewayHarness, startGatewayHarness, TEST_SERVER_KEY } from './__fixtures__/gateway-harness.js';
import {
  closeCode,
  createResponse,
  openResponsesSocket,
  sendFrame,
  type WebSocketEvent,
  webSocketRequestLog,
} from './__fixtures__/responses-websocket-client.js';

const TIMEOUT = { timeout: 30_000 };

/** `codetether_server_requests_total` of `response.create`s on the WebSocket mode with `status`. */
async function responseCreatesCounted(harness: GatewayHarness, status: number): Promise<number> {
  const text = await (await fetch(`${harness.gateway.url}/metrics`)).text();
  const sample = `codetether_server_requests_total{method="response.create",route="/v1/responses",status="${status}"} `;
  const line = text.split('\n').find((candidate) => candidate.startsWith(sample));
  return line === undefined ? 0 : Number(line.slice(sample.length));
}

function responsesRequests(harness: GatewayHarness): RecordedRequest[] {
  return harness.emulator.requests.filter(
    (request) => request.path.endsWith('/responses') && request.method === 'POST',
  );
}

const tools = [
  {
    type: 'function',
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
];

describe('Responses WebSocket mode on /v1/responses', () => {
  let harness: GatewayHarness;

  beforeAll(async () => {
    harness = await startGatewayHarness({ transport: 'websocket' });
  }, 30_000);
  afterAll(async () => {
    await harness?.close();
  });
  beforeEach(() => harness.emulator.clearRequests());

  it('runs a tool round trip with previous_response_id, only new items going upstream', TIMEOUT, async () => {
    const socket = await openResponsesSocket(harness);
    const first = await createResponse(socket, {
      model: 'gpt-5.4',
      instructions: 'Be brief.',
      input: [{ role: 'user', content: '[scenario:tool-call] Weather in Paris?' }],
      tools,
    });
    const completed = first.at(-1) as unknown as {
      response: { id: string; output: { type: string; call_id?: string }[] };
    };
    expect(first.at(-1)?.type).toBe('response.completed');
    const call = completed.response.output.find((item) => item.type === 'function_call');
    const second = await createResponse(socket, {
      model: 'gpt-5.4',
      instructions: 'Be brief.',
      previous_response_id: completed.response.id,
      input: [{ type: 'function_call_output', call_id: call?.call_id, output: 'Hail, 3 C' }],
      tools,
    });
    const text = second
      .filter((event) => event.type === 'response.output_text.delta')
      .map((event) => event.delta)
      .join('');
    expect(text).toContain('Hail, 3 C');
    const [upstreamFirst, upstreamSecond] = responsesRequests(harness);
    expect(upstreamSecond?.previousResponseId).toMatch(/^resp_/);
    expect(upstreamSecond?.inputItems).toBe(1);
    expect(upstreamSecond?.connectionId).toBe(upstreamFirst?.connectionId);
    socket.close();
  });

  it('answers a warm-up (generate: false) itself; the next request names it', TIMEOUT, async () => {
    const socket = await openResponsesSocket(harness);
    const body = { model: 'gpt-5.4', instructions: 'Be brief.', tools };
    const warmUp = await createResponse(socket, { ...body, input: [], generate: false });
    const warmUpId = (warmUp.at(-1) as unknown as { response: { id: string } }).response.id;
    const answer = await createResponse(socket, {
      ...body,
      previous_response_id: warmUpId,
      input: [{ role: 'user', content: '[scenario:text] hi' }],
    });
    expect(answer.at(-1)?.type).toBe('response.completed');
    expect(responsesRequests(harness)).toHaveLength(1);
    socket.close();
  });

  it('a warm-up naming an earlier response prepares a branch from that response', TIMEOUT, async () => {
    const socket = await openResponsesSocket(harness);
    const body = { model: 'gpt-5.4', instructions: 'Be brief.' };
    const idOf = (events: WebSocketEvent[]) =>
      (events.at(-1) as unknown as { response: { id: string } }).response.id;
    const first = idOf(await createResponse(socket, { ...body, input: '[scenario:text] warm one' }));
    await createResponse(socket, { ...body, previous_response_id: first, input: '[scenario:text] warm two' });
    const warmUp = idOf(
      await createResponse(socket, { ...body, previous_response_id: first, input: [], generate: false }),
    );
    const sentBefore = responsesRequests(harness).length;
    const answer = await createResponse(socket, {
      ...body,
      previous_response_id: warmUp,
      input: '[scenario:text] warm three',
    });
    expect(answer.at(-1)?.type).toBe('response.completed');
    const sent = responsesRequests(harness).slice(sentBefore);
    expect(sent).toHaveLength(1);
    const input = JSON.stringify((sent[0]?.body as { input?: unknown } | undefined)?.input);
    expect(input).toContain('warm one');
    expect(input).toContain('warm three');
    expect(input).not.toContain('warm two');
    socket.close();
  });

  it('one response at a time per socket', TIMEOUT, async () => {
    const socket = await openResponsesSocket(harness);
    const events: WebSocketEvent[] = [];
    socket.on('message', (data) => events.push(JSON.parse(String(data)) as WebSocketEvent));
    const body = { type: 'response.create', model: 'gpt-5.4', input: '[scenario:text] hi' };
    socket.send(JSON.stringify(body));
    socket.send(JSON.stringify(body));
    await expect.poll(() => events.some((event) => event.type === 'response.completed')).toBe(true);
    const busy = events.find((event) => event.type === 'error') as { error: { code: string } } | undefined;
    expect(busy?.error.code).toBe('response_already_in_flight');
    socket.close();
  });

  it('unknown previous_response_id is an error event naming the field', TIMEOUT, async () => {
    const socket = await openResponsesSocket(harness);
    const [event] = await createResponse(socket, {
      model: 'gpt-5.4',
      input: 'hi',
      previous_response_id: 'resp_nope',
    });
    expect(event).toMatchObject({
      type: 'error',
      status: 400,
      error: { code: 'previous_response_not_found', param: 'previous_response_id' },
    });
    socket.close();
  });

  it(
    'counts each of its responses in the metrics (a request and tokens of the key; time to first token; usage windows) as the HTTP route does',
    TIMEOUT,
    async () => {
      /** The value of each `/metrics` sample line, by its name and labels. */
      const samples = async (): Promise<Map<string, number>> => {
        const text = await (await fetch(`${harness.gateway.url}/metrics`)).text();
        return new Map(
          text
            .split('\n')
            .filter((line) => line.startsWith('codetether_'))
            .map((line) => [
              line.slice(0, line.lastIndexOf(' ')),
              Number(line.slice(line.lastIndexOf(' ') + 1)),
            ]),
        );
      };
      const before = await samples();
      const socket = await openResponsesSocket(harness);
      // Two responses on one socket: each counts, as each HTTP request does (the upgrade is none).
      const usages: Record<string, number>[] = [];
      for (const input of ['[scenario:text] count me', '[scenario:text] count me too']) {
        const events = await createResponse(socket, { model: 'gpt-5.4', input });
        usages.push(
          (events.at(-1) as unknown as { response: { usage: Record<string, number> } }).response.usage,
        );
      }
      socket.close();
      const total = (field: string): number => usages.reduce((sum, usage) => sum + (usage[field] ?? 0), 0);
      expect(total('input_tokens')).toBeGreaterThan(0);
      const after = await samples();
      const added = (sample: string): number => (after.get(sample) ?? 0) - (before.get(sample) ?? 0);
      expect(added('codetether_server_key_requests_total{key="server"}')).toBe(2);
      expect(added('codetether_server_tokens_total{kind="prompt"}')).toBe(total('input_tokens'));
      expect(added('codetether_server_tokens_total{kind="completion"}')).toBe(total('output_tokens'));
      expect(added('codetether_server_key_tokens_total{key="server",kind="prompt"}')).toBe(
        total('input_tokens'),
      );
      expect(added('codetether_server_key_tokens_total{key="server",kind="completion"}')).toBe(
        total('output_tokens'),
      );
      expect(added('codetether_server_time_to_first_token_seconds_count{route="/v1/responses"}')).toBe(2);
      expect(added('codetether_server_upstream_latency_seconds_count{route="/v1/responses"}')).toBe(2);
      // Each response is a line of the request log, as each HTTP request is.
      // The upgrade is a line too (101), as it is a request of the metrics.
      expect(webSocketRequestLog(harness).slice(-3)).toEqual([
        expect.objectContaining({ method: 'GET', route: '/v1/responses', status: 101 }),
        expect.objectContaining({ method: 'response.create', route: '/v1/responses', status: 200 }),
        expect.objectContaining({ method: 'response.create', route: '/v1/responses', status: 200 }),
      ]);
      // The account's usage windows (the upstream's `codex.rate_limits`, not relayed) reach the gauges.
      expect(after.get('codetether_upstream_usage_used_percent{window="primary"}')).toEqual(
        expect.any(Number),
      );
    },
  );

  it(
    'checks a response.create as the HTTP route checks its body: fields and nesting depth are 400 error events naming the field',
    TIMEOUT,
    async () => {
      const socket = await openResponsesSocket(harness);
      const refusedBefore = await responseCreatesCounted(harness, 400);
      const answeredBefore = await responseCreatesCounted(harness, 200);
      // Written by hand: JSON.stringify itself cannot nest 10,000 levels.
      const deep = `${'{"nested":'.repeat(10_000)}"x"${'}'.repeat(10_000)}`;
      const [tooDeep] = await sendFrame(
        socket,
        `{"type":"response.create","model":"gpt-5.4","input":"hi","metadata":{"deep":${deep}}}`,
      );
      expect(tooDeep).toMatchObject({
        type: 'error',
        status: 400,
        error: { type: 'invalid_request_error', code: 'invalid_value', param: 'metadata' },
      });
      const [badInput] = await createResponse(socket, { model: 'gpt-5.4', input: 42 });
      expect(badInput).toMatchObject({ type: 'error', status: 400, error: { param: 'input' } });
      const [badStream] = await createResponse(socket, { model: 'gpt-5.4', input: 'hi', stream: 'yes' });
      expect(badStream).toMatchObject({ type: 'error', status: 400, error: { param: 'stream' } });
      // Nothing of these went upstream, and the socket still answers.
      expect(responsesRequests(harness)).toHaveLength(0);
      const answer = await createResponse(socket, { model: 'gpt-5.4', input: '[scenario:text] still here' });
      expect(answer.at(-1)?.type).toBe('response.completed');
      socket.close();
      // Each refused response.create is a request of the log and the metrics with its status, as a refused
      // HTTP request is.
      expect(webSocketRequestLog(harness).slice(-4)).toEqual([
        expect.objectContaining({ msg: 'request', method: 'response.create', status: 400 }),
        expect.objectContaining({ msg: 'request', method: 'response.create', status: 400 }),
        expect.objectContaining({ msg: 'request', method: 'response.create', status: 400 }),
        expect.objectContaining({ msg: 'request', method: 'response.create', status: 200 }),
      ]);
      expect((await responseCreatesCounted(harness, 400)) - refusedBefore).toBe(3);
      expect((await responseCreatesCounted(harness, 200)) - answeredBefore).toBe(1);
    },
  );

  it(
    'relays the ChatGPT backend’s own events (codex.rate_limits) to the Codex CLI only',
    TIMEOUT,
    async () => {
      const typesFor = async (headers: Record<string, string>): Promise<string[]> => {
        const socket = await openResponsesSocket(harness, TEST_SERVER_KEY, headers);
        const events = await createResponse(socket, { model: 'gpt-5.4', input: '[scenario:text] usage?' });
        socket.close();
        return events.map((event) => event.type);
      };
      // The Codex CLI (its `originator`: codex_exec, codex_cli_rs…) reads its usage windows from that event
      // over a WebSocket, as it would from the ChatGPT backend.
      const codex = await typesFor({ originator: 'codex_exec' });
      expect(codex[0]).toBe('codex.rate_limits');
      expect(codex.at(-1)).toBe('response.completed');
      // Anyone else gets OpenAI Responses events only (the OpenAI SDKs' helpers fail on others).
      const other = await typesFor({});
      expect(other.filter((type) => !type.startsWith('response.') && type !== 'error')).toEqual([]);
      expect(other.at(-1)).toBe('response.completed');
    },
  );

  it('refuses a wrong key on the upgrade and closes on bad frames', TIMEOUT, async () => {
    await expect(openResponsesSocket(harness, 'wrong-key')).rejects.toThrow('401');
    // The Host and Origin checks of HTTP requests (against DNS rebinding and browser pages) apply too.
    await expect(
      openResponsesSocket(harness, TEST_SERVER_KEY, { origin: 'http://evil.example' }),
    ).rejects.toThrow('403');
    await expect(openResponsesSocket(harness, TEST_SERVER_KEY, { host: 'evil.example' })).rejects.toThrow(
      '403',
    );
    // A WebSocket upgrade on another path: refused, as an HTTP request there would be answered.
    await expect(
      new Promise((resolve, reject) => {
        const elsewhere = new WebSocket(`${harness.gateway.url.replace('http', 'ws')}/v1/chat/completions`, {
          headers: { authorization: `Bearer ${TEST_SERVER_KEY}` },
        });
        elsewhere.once('open', resolve);
        elsewhere.once('unexpected-response', (_request, response) =>
          reject(new Error(`upgrade refused: ${response.statusCode}`)),
        );
        elsewhere.once('error', reject);
      }),
    ).rejects.toThrow('404');
    // Each refused upgrade is a request of the request log and the metrics, as a refused HTTP request is.
    expect(webSocketRequestLog(harness).slice(-4)).toEqual([
      expect.objectContaining({ method: 'GET', route: '/v1/responses', status: 401 }),
      expect.objectContaining({ method: 'GET', route: '/v1/responses', status: 403 }),
      expect.objectContaining({ method: 'GET', route: '/v1/responses', status: 403 }),
      expect.objectContaining({ method: 'GET', route: '/v1/chat/completions', status: 404 }),
    ]);
    const metrics = await (await fetch(`${harness.gateway.url}/metrics`)).text();
    expect(metrics).toContain(
      'codetether_server_requests_total{method="GET",route="/v1/chat/completions",status="404"} 1',
    );
    const binary = await openResponsesSocket(harness);
    const binaryClosed = closeCode(binary);
    binary.send(Buffer.from([1, 2, 3]));
    expect(await binaryClosed).toBe(1003);
    const notJson = await openResponsesSocket(harness);
    const notJsonClosed = closeCode(notJson);
    notJson.send('not json');
    expect(await notJsonClosed).toBe(1007);
    const wrongType = await openResponsesSocket(harness);
    const wrongTypeClosed = closeCode(wrongType);
    wrongType.send(JSON.stringify({ type: 'session.update' }));
    expect(await wrongTypeClosed).toBe(1008);
  });
});

// Its own gateway: pings every 50 ms, and its last test leaves it draining.
describe('the WebSocket mode’s heartbeat, and its sockets while the gateway drains', () => {
  let harness: GatewayHarness;

  beforeAll(async () => {
    harness = await startGatewayHarness({ transport: 'websocket', webSocketHeartbeatMs: 50 });
  }, 30_000);
  afterAll(async () => {
    await harness?.close();
  });

  it('drops a socket whose peer stopped answering pings, and keeps one that answers', TIMEOUT, async () => {
    // A peer gone without closing: it never answers a ping.
    const silent = await openResponsesSocket(harness, TEST_SERVER_KEY, {}, { autoPong: false });
    const silentClosed = closeCode(silent);
    const live = await openResponsesSocket(harness);
    // Dropped without a closing handshake (1006), after the third ping it left unanswered.
    expect(await silentClosed).toBe(1006);
    // The live socket went through the same pings and still answers.
    expect(live.readyState).toBe(WebSocket.OPEN);
    const answer = await createResponse(live, { model: 'gpt-5.4', input: '[scenario:text] still here' });
    expect(answer.at(-1)?.type).toBe('response.completed');
    live.close();
  });

  it(
    'answers a response.create on an open socket with 503 server_shutting_down, as HTTP requests get',
    TIMEOUT,
    async () => {
      harness.emulator.clearRequests();
      const socket = await openResponsesSocket(harness);
      const closed = closeCode(socket);
      harness.gateway.gateway.startDraining();
      const [event] = await createResponse(socket, { model: 'gpt-5.4', input: '[scenario:text] too late' });
      expect(event).toMatchObject({ type: 'error', status: 503, error: { code: 'server_shutting_down' } });
      expect(responsesRequests(harness)).toHaveLength(0);
      expect(await closed).toBe(1001);
      expect(webSocketRequestLog(harness).at(-1)).toMatchObject({
        msg: 'request failed',
        method: 'response.create',
        status: 503,
      });
    },
  );
});
