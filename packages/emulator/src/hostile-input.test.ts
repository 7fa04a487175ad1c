import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  apiKeyHeaders,
  chatgptHeaders,
  openSocket,
  outputText,
  type TestSocket,
  userInput,
} from './__fixtures__/emulator-client.js';
import { MAX_BODY_BYTES } from './http-utilities.js';
import { startEmulator } from './server.js';
import type { Emulator } from './types.js';

// Bad input of every kind must get the answer a real service would give, and never take the
// emulator down: every test ends by checking that it still serves a normal request.

let emulator: Emulator;
const sockets: WebSocket[] = [];

beforeEach(async () => {
  emulator = await startEmulator({ scenario: 'echo' });
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await emulator.close();
});

async function expectStillServing(): Promise<void> {
  const response = await fetch(`${emulator.openaiBaseUrl}/responses`, {
    method: 'POST',
    headers: apiKeyHeaders(emulator),
    body: JSON.stringify({ model: 'gpt-5.4', input: 'still here', stream: true }),
  });
  expect(response.status).toBe(200);
  expect(await response.text()).toContain('response.completed');
}

/** Sends raw bytes to the server and returns everything it answers before closing. */
function rawExchange(data: string, options: { end?: boolean } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(Number(new URL(emulator.url).port), '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(received));
    if (options.end === true) socket.end(data);
    else socket.write(data);
  });
}

const errorShape = {
  error: { message: expect.any(String), type: 'invalid_request_error', param: null },
};

describe('hostile HTTP input', () => {
  it('answers invalid JSON, non-object JSON and a wrong content type with 400 and the OpenAI error shape', async () => {
    for (const [url, headers] of [
      [`${emulator.openaiBaseUrl}/responses`, apiKeyHeaders(emulator)],
      [`${emulator.chatgptBaseUrl}/responses`, chatgptHeaders(emulator)],
    ] as const) {
      for (const body of ['{"model":', '[1,2,3]', '"text"', 'null', '\u0000\u00ff']) {
        const response = await fetch(url, { method: 'POST', headers, body });
        expect(response.status, body).toBe(400);
        expect(await response.json()).toMatchObject(errorShape);
      }
    }
    const invalid = await fetch(`${emulator.openaiBaseUrl}/responses`, {
      method: 'POST',
      headers: apiKeyHeaders(emulator),
      body: '{"model":',
    });
    expect(((await invalid.json()) as { error: { message: string } }).error.message).toContain(
      'could not parse the JSON body',
    );
    await expectStillServing();
  });

  it('answers a body over the size limit with 413 and keeps serving', async () => {
    expect(MAX_BODY_BYTES).toBe(32 * 1024 * 1024);
    emulator.setOptions({ maxBodyBytes: 64 * 1024 });
    const response = await fetch(`${emulator.openaiBaseUrl}/responses`, {
      method: 'POST',
      headers: apiKeyHeaders(emulator),
      body: `{"model":"gpt-5.4","input":"${'x'.repeat(256 * 1024)}"}`,
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.json()).toMatchObject({ error: { code: 'request_too_large' } });
    expect(emulator.requests.at(-1)).toMatchObject({ path: '/v1/responses', body: undefined });
    await expectStillServing();
  });

  it('streams for a model name that is not a valid header value instead of failing with 500', async () => {
    const response = await fetch(`${emulator.openaiBaseUrl}/responses`, {
      method: 'POST',
      headers: apiKeyHeaders(emulator),
      body: JSON.stringify({ model: 'gpt\n5 ✓', input: 'odd model', stream: true }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('openai-model')).toBeNull();
    expect(await response.text()).toContain('response.completed');
  });

  it('answers unparseable OAuth and device-code bodies with 400, not a misleading client error', async () => {
    const token = await fetch(`${emulator.issuerUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"grant_type":',
    });
    expect(token.status).toBe(400);
    expect(await token.json()).toMatchObject({ error: 'invalid_request' });
    const device = await fetch(`${emulator.issuerUrl}/api/accounts/deviceauth/usercode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'client_id=',
    });
    expect(device.status).toBe(400);
    expect(await device.json()).toMatchObject({ error: { code: 'invalid_json' } });
    await expectStillServing();
  });

  it('answers unknown paths with 404 and wrong methods with 405, in the OpenAI error shape', async () => {
    const missing = await fetch(`${emulator.url}/v1/nothing-here`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'unknown_url' } });
    const wrongMethod = await fetch(`${emulator.openaiBaseUrl}/responses`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });

  it('answers garbage instead of HTTP with 400 and oversized headers with 431', async () => {
    expect(await rawExchange('NOT HTTP AT ALL\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    const huge = await rawExchange(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`);
    expect(huge).toMatch(/^HTTP\/1\.1 431 /);
    expect(huge).toContain('headers_too_large');
    await expectStillServing();
  });

  it('answers a request target that is not a valid URL with 400, also on a WebSocket upgrade', async () => {
    expect(await rawExchange('GET http://[bad/x HTTP/1.1\r\nHost: x\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 400 Bad Request\r\n/,
    );
    const upgrade = await rawExchange(
      'GET http://[bad/x HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    expect(upgrade).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(upgrade).toContain('invalid_url');
    await expectStillServing();
  });

  it('survives a client that disconnects in the middle of a request body or a stream', async () => {
    // Half the announced body, then the client hangs up.
    await rawExchange(
      'POST /v1/responses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"model":',
      { end: true },
    );
    const controller = new AbortController();
    emulator.setOptions({ tokenDelayMs: 5 });
    const response = await fetch(`${emulator.openaiBaseUrl}/responses`, {
      method: 'POST',
      headers: apiKeyHeaders(emulator),
      body: JSON.stringify({ model: 'gpt-5.4', input: 'a long answer to abandon', stream: true }),
      signal: controller.signal,
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    controller.abort();
    emulator.setOptions({ tokenDelayMs: 0 });
    await expectStillServing();
  });
});

describe('hostile WebSocket input', () => {
  async function chatgptSocket(): Promise<TestSocket> {
    const socket = await openSocket(`${emulator.chatgptBaseUrl}/responses`, chatgptHeaders(emulator));
    sockets.push(socket.socket);
    return socket;
  }

  it('answers frames that are not response.create objects with error events and keeps the socket open', async () => {
    const socket = await chatgptSocket();
    const cases: Array<[string | Buffer, string]> = [
      ['not json', 'invalid_json'],
      ['[1,2]', 'invalid_json'],
      ['null', 'invalid_json'],
      [Buffer.from([0xff, 0x00, 0x7b]), 'invalid_json'],
      [JSON.stringify({ model: 'gpt-5.4' }), 'unsupported_event_type'],
      [JSON.stringify({ type: 'response.cancel' }), 'unsupported_event_type'],
      [JSON.stringify({ type: 'response.create' }), 'missing_required_parameter'],
      [JSON.stringify({ type: 'response.create', model: 'gpt-5.4', input: 42 }), 'invalid_type'],
    ];
    for (const [frame, code] of cases) {
      socket.socket.send(frame);
      const events = await socket.nextResponse();
      expect(events.at(-1), String(frame)).toMatchObject({
        type: 'error',
        status_code: 400,
        error: { code, type: 'invalid_request_error', message: expect.any(String) },
      });
    }
    socket.create({ model: 'gpt-5.4', input: userInput('after the garbage') });
    expect(outputText(await socket.nextResponse())).toBe('after the garbage');
  });

  it('refuses a second response.create while one is streaming, and finishes the first', async () => {
    emulator.setOptions({ tokenDelayMs: 2 });
    const socket = await chatgptSocket();
    socket.create({ model: 'gpt-5.4', input: userInput('the first answer') });
    socket.create({ model: 'gpt-5.4', input: userInput('too early') });
    const events: Array<Record<string, unknown>> = [];
    while (!events.some((event) => event.type === 'response.completed')) {
      events.push(...(await socket.nextResponse()));
    }
    expect(events.find((event) => event.type === 'error')).toMatchObject({
      status_code: 409,
      error: { code: 'response_already_in_flight' },
    });
    expect(outputText(events as never)).toBe('the first answer');
  });

  it('answers hostile conversation fields with error events (or a normal answer) and keeps the socket open', async () => {
    const socket = await chatgptSocket();
    const huge = 'gAAAAA'.padEnd(300_000, 'x');
    const frames: Array<[Record<string, unknown>, string | undefined]> = [
      [{ previous_response_id: {} }, 'invalid_type'],
      [{ previous_response_id: [] }, 'invalid_type'],
      [{ previous_response_id: 1e308 }, 'invalid_type'],
      [{ previous_response_id: 'x'.repeat(100_000) }, 'invalid_value'],
      [{ previous_response_id: 'resp_\u0000' }, 'invalid_value'],
      [{ previous_response_id: 'resp_never_issued' }, 'previous_response_not_found'],
      [{ input: [{ type: 'reasoning', encrypted_content: 123 }] }, 'invalid_encrypted_content'],
      [{ input: [{ type: 'reasoning', encrypted_content: { nested: true } }] }, 'invalid_encrypted_content'],
      [{ input: [{ type: 'compaction', encrypted_content: huge }] }, 'invalid_encrypted_content'],
      [
        { input: [{ type: 'reasoning', summary: 'not an array', encrypted_content: null }, null, 7, 'text'] },
        undefined,
      ],
      [{ input: [{ type: 'compaction_trigger' }] }, undefined],
      [
        { input: [{ type: 'compaction_trigger', extra: { deep: [1, 2] } }, { type: 'compaction_trigger' }] },
        undefined,
      ],
      [{ tool_choice: { type: 'function', function: null } }, 'invalid_value'],
      [{ tool_choice: 'required', tools: [{ name: '' }, 'x', null] }, 'invalid_value'],
      [{ tool_choice: 'required', tools: [{ type: 'function', name: 'f', parameters: 'nope' }] }, undefined],
      [{ tool_choice: { type: 'custom', custom: null } }, 'invalid_value'],
      [
        { tool_choice: 'required', tools: [{ type: 'custom', name: 'c', format: 'nope', description: 7 }] },
        undefined,
      ],
      [
        { tool_choice: 'required', tools: [{ type: 'custom', custom: { name: 'c', format: null } }] },
        undefined,
      ],
      [{ input: [{ type: 'custom_tool_call_output', output: { not: 'text' } }] }, undefined],
      [{ text: { format: { type: 'json_schema', schema: 'nope' } } }, undefined],
      [
        {
          text: {
            format: {
              type: 'json_schema',
              schema: { $ref: '#/$defs/a', $defs: { a: { $ref: '#/$defs/a' } } },
            },
          },
        },
        undefined,
      ],
      [{ text: 'nope' }, undefined],
      [{ generate: 'no' }, undefined],
      [{ generate: false, input: 42 }, 'invalid_type'],
    ];
    for (const [fields, code] of frames) {
      socket.create({ model: 'gpt-5.4', input: userInput('x'), ...fields });
      const last = (await socket.nextResponse()).at(-1);
      if (code === undefined)
        expect(last?.type, JSON.stringify(fields).slice(0, 80)).toBe('response.completed');
      else
        expect(last, JSON.stringify(fields).slice(0, 80)).toMatchObject({
          type: 'error',
          status_code: 400,
          error: { code },
        });
    }
    socket.socket.send(JSON.stringify({ type: 'response.processed' }));
    socket.socket.send(JSON.stringify({ type: 'response.processed', response_id: { $gt: '' } }));
    socket.create({ model: 'gpt-5.4', input: userInput('after the hostile fields') });
    expect(outputText(await socket.nextResponse())).toBe('after the hostile fields');
    await expectStillServing();
  });

  it('answers hostile compaction requests with 4xx and keeps serving', async () => {
    const compact = (body: string) =>
      fetch(`${emulator.openaiBaseUrl}/responses/compact`, {
        method: 'POST',
        headers: apiKeyHeaders(emulator),
        body,
      });
    for (const body of [
      '',
      'null',
      '{"model":"gpt-5.4","input":{}}',
      '{"model":"gpt-5.4","input":[]}',
      '{"model":"gpt-5.4","input":[null,1,"x",{"type":"compaction"}]}',
      '{"model":"gpt-5.4","input":[{"type":"compaction","encrypted_content":"gAAAAA=="}]}',
      `{"model":"gpt-5.4","input":"${'y'.repeat(100_000)}"}`,
    ]) {
      const response = await compact(body);
      expect(response.status, body.slice(0, 60)).toBeLessThan(500);
      await response.text();
    }
    await expectStillServing();
  });

  it('closes with 1007 on invalid UTF-8 in a text frame and keeps serving others', async () => {
    const socket = await chatgptSocket();
    // A text frame whose payload is not UTF-8 (ws would refuse to build one, so write it raw).
    const raw = (socket.socket as unknown as { _socket: import('node:net').Socket })._socket;
    raw.write(Buffer.from([0x81, 0x82, 0, 0, 0, 0, 0xc3, 0x28]));
    expect(await socket.closed).toBe(1007);
    const other = await chatgptSocket();
    other.create({ model: 'gpt-5.4', input: userInput('fine') });
    expect(outputText(await other.nextResponse())).toBe('fine');
    await expectStillServing();
  });

  it('closes with 1009 (message too big) on a frame over maxBodyBytes', async () => {
    emulator.setOptions({ maxBodyBytes: 1024 });
    const socket = await chatgptSocket();
    socket.create({ model: 'gpt-5.4', input: userInput('x'.repeat(4096)) });
    expect(await socket.closed).toBe(1009);
    emulator.setOptions({ maxBodyBytes: 1024 * 1024 });
    const other = await chatgptSocket();
    other.create({ model: 'gpt-5.4', input: userInput('small again') });
    expect(outputText(await other.nextResponse())).toBe('small again');
  });

  it('refuses upgrades on unknown paths and with a bad key, without crashing', async () => {
    const unknown = new WebSocket(`${emulator.url.replace('http', 'ws')}/v1/chat`);
    sockets.push(unknown);
    const status = await new Promise<number | undefined>((resolve) => {
      unknown.once('unexpected-response', (_request, response) => resolve(response.statusCode));
      unknown.once('error', () => resolve(undefined));
    });
    expect(status).toBe(404);
    const badHandshake = await rawExchange(
      'GET /v1/responses HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Authorization: Bearer ${emulator.createApiKey()}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: nope\r\n\r\n`,
    );
    expect(badHandshake).toMatch(/^HTTP\/1\.1 400 /);
    await expectStillServing();
  });
});

describe('random garbage', () => {
  /** A small deterministic generator, so a failure replays exactly. */
  function random(seed: number) {
    let state = seed >>> 0;
    return (limit: number) => {
      state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
      return state % limit;
    };
  }

  function garbage(next: (limit: number) => number): Buffer {
    const pieces = [
      'POST /v1/responses HTTP/1.1\r\n',
      'GET /oauth/authorize?x HTTP/1.1\r\n',
      'Host: x\r\n',
      'Content-Length: 5\r\n',
      'Transfer-Encoding: chunked\r\n',
      'Upgrade: websocket\r\nConnection: Upgrade\r\n',
      '\r\n',
      '{"model":"gpt-5.4"}',
      '0\r\n\r\n',
    ];
    const parts: Buffer[] = [];
    for (let count = next(8) + 1; count > 0; count -= 1) {
      if (next(2) === 0) parts.push(Buffer.from(pieces[next(pieces.length)] ?? ''));
      else parts.push(Buffer.from(Array.from({ length: next(40) }, () => next(256))));
    }
    return Buffer.concat(parts);
  }

  it('never takes the server down, whatever bytes arrive over HTTP or in WebSocket frames', async () => {
    const next = random(20_261_125);
    const port = Number(new URL(emulator.url).port);
    for (let run = 0; run < 40; run += 1) {
      const bytes = garbage(next);
      await new Promise<void>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.on('error', () => resolve());
        socket.on('close', () => resolve());
        socket.on('data', () => {});
        socket.end(bytes);
      });
    }
    const socket = await openSocket(`${emulator.chatgptBaseUrl}/responses`, chatgptHeaders(emulator));
    sockets.push(socket.socket);
    for (let run = 0; run < 40; run += 1) {
      const frame = garbage(next);
      socket.socket.send(next(2) === 0 ? frame : frame.toString('latin1'), { binary: next(2) === 0 });
    }
    socket.create({ model: 'gpt-5.4', input: userInput('after the noise') });
    let events: Array<Record<string, unknown>> = [];
    while (!events.some((event) => event.type === 'response.completed')) {
      events = [...events, ...(await socket.nextResponse())];
      if (socket.socket.readyState !== WebSocket.OPEN && events.length === 0) break;
    }
    expect(outputText(events as never)).toBe('after the noise');
    await expectStillServing();
  });
});
