import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import {
  apiKeyHeaders,
  chatgptHeaders,
  openSocket,
  outputText,
  userInput,
} from './__fixtures__/emulator-client.js';
import { MAX_JSON_DEPTH } from './http-utilities.js';
import { startEmulator } from './server.js';
import type { Emulator } from './types.js';

// Deeply nested JSON parses fine (JSON.parse is iterative), but every recursive walk after it (the
// redacting recorder, request analysis) overflowed the stack: a 500 "Maximum call stack size exceeded"
// on every endpoint, where the real service answers 400.

let emulator: Emulator;
const sockets: WebSocket[] = [];

beforeEach(async () => {
  emulator = await startEmulator({ scenario: 'echo' });
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await emulator.close();
});

/** `[[[…1…]]]`, `depth` arrays deep. */
function nestedArrays(depth: number): string {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

/** `{"a":{"a":…{}…}}`, `depth` objects deep (the outermost one included). */
function nestedObjects(depth: number): string {
  return `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;
}

async function post(url: string, headers: Record<string, string>, body: string) {
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const DEPTH_MESSAGE = `nested more than ${MAX_JSON_DEPTH} levels deep`;
const tooDeep = 100_000;

describe('deeply nested JSON', () => {
  it('answers 400 "could not parse the JSON body" in the OpenAI error shape on the Responses and compaction endpoints', async () => {
    for (const [url, headers] of [
      [`${emulator.openaiBaseUrl}/responses`, apiKeyHeaders(emulator)],
      [`${emulator.chatgptBaseUrl}/responses`, chatgptHeaders(emulator)],
      [`${emulator.openaiBaseUrl}/responses/compact`, apiKeyHeaders(emulator)],
    ] as const) {
      for (const body of [
        `{"model":"gpt-5.4","stream":true,"input":${nestedArrays(tooDeep)}}`,
        `{"model":"gpt-5.4","stream":true,"input":"hi","metadata":${nestedObjects(tooDeep)}}`,
      ]) {
        const answer = await post(url, headers, body);
        expect(answer.status, url).toBe(400);
        expect(answer.body).toMatchObject({
          error: {
            type: 'invalid_request_error',
            param: null,
            message: `We could not parse the JSON body of your request. (the JSON is ${DEPTH_MESSAGE})`,
          },
        });
      }
    }
  });

  it('answers 400 in the OAuth shape on the token and revoke endpoints, and invalid_json on device codes', async () => {
    const json = { 'content-type': 'application/json' };
    for (const path of ['/oauth/token', '/oauth/revoke']) {
      const answer = await post(`${emulator.url}${path}`, json, `{"grant_type":${nestedArrays(tooDeep)}}`);
      expect(answer.status, path).toBe(400);
      expect(answer.body).toMatchObject({ error: 'invalid_request', error_description: expect.any(String) });
    }
    const device = await post(
      `${emulator.url}/api/accounts/deviceauth/usercode`,
      json,
      `{"client_id":${nestedArrays(tooDeep)}}`,
    );
    expect(device.status).toBe(400);
    expect(device.body).toMatchObject({ error: { code: 'invalid_json' } });
  });

  it('records the refused request without its body, and keeps serving', async () => {
    await post(
      `${emulator.openaiBaseUrl}/responses`,
      apiKeyHeaders(emulator),
      `{"model":"gpt-5.4","input":${nestedArrays(tooDeep)}}`,
    );
    expect(emulator.requests.at(-1)).toMatchObject({ path: '/v1/responses', body: undefined });
    const response = await fetch(`${emulator.openaiBaseUrl}/responses`, {
      method: 'POST',
      headers: apiKeyHeaders(emulator),
      body: JSON.stringify({ model: 'gpt-5.4', input: 'still here', stream: true }),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('response.completed');
  });

  it(`accepts nesting up to ${MAX_JSON_DEPTH} levels (a deep tool schema)`, async () => {
    let schema: Record<string, unknown> = { type: 'string' };
    // The body object, tools array, tool and parameters take 4 levels; each schema level takes 3.
    for (let level = 0; level < Math.floor((MAX_JSON_DEPTH - 4) / 3); level += 1) {
      schema = { type: 'object', properties: { a: schema } };
    }
    const response = await fetch(`${emulator.openaiBaseUrl}/responses`, {
      method: 'POST',
      headers: apiKeyHeaders(emulator),
      body: JSON.stringify({
        model: 'gpt-5.4',
        input: 'deep but fine',
        stream: true,
        tools: [{ type: 'function', name: 'deep', parameters: schema }],
      }),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('response.completed');
  });

  it('answers a deeply nested WebSocket frame with an invalid_json error event and keeps the socket open', async () => {
    const socket = await openSocket(`${emulator.chatgptBaseUrl}/responses`, chatgptHeaders(emulator));
    sockets.push(socket.socket);
    socket.socket.send(`{"type":"response.create","model":"gpt-5.4","input":${nestedArrays(tooDeep)}}`);
    const events = await socket.nextResponse();
    expect(events.at(-1)).toMatchObject({
      type: 'error',
      status_code: 400,
      error: { code: 'invalid_json', message: expect.stringContaining(DEPTH_MESSAGE) },
    });
    socket.create({ model: 'gpt-5.4', input: userInput('after the deep frame') });
    expect(outputText(await socket.nextResponse())).toBe('after the deep frame');
  });
});
