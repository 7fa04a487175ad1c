import { describe, expect, it } from 'vitest';
import {
  apiKeyHeaders,
  chatgptHeaders,
  outputText,
  responseOf,
  type TestSocket,
  tryHandshake,
  until,
  userInput,
} from '../__fixtures__/emulator-client.js';
import { startEmulatorPerTest } from '../__fixtures__/emulator-per-test.js';
import { REDACTED } from '../recording.js';
import { TEXT_ANSWER } from './scenario-plan.js';

const harness = startEmulatorPerTest();
const emulator = () => harness.emulator;

function chatgptSocket(): Promise<TestSocket> {
  return harness.connect(`${emulator().chatgptBaseUrl}/responses`, {
    ...chatgptHeaders(emulator()),
    'openai-beta': 'responses_websockets=2026-02-06',
  });
}

describe('WebSocket Responses', () => {
  it('runs several responses one after another on one socket, one JSON event per frame', async () => {
    const socket = await chatgptSocket();
    expect(socket.handshakeHeaders['x-codex-primary-window-minutes']).toBe('300');
    expect(socket.handshakeHeaders['x-codex-plan-type']).toBe('plus');

    socket.create({ model: 'gpt-5.4', input: userInput('first turn') });
    const first = await socket.nextResponse();
    expect(first[0]).toMatchObject({
      type: 'codex.rate_limits',
      plan_type: 'plus',
      rate_limits: { primary: { window_minutes: 300 }, secondary: { window_minutes: 10_080 } },
    });
    expect(first[1]?.type).toBe('response.created');
    expect(outputText(first)).toBe('first turn');
    const firstId = responseOf(first.at(-1)).id;

    socket.create({ model: 'gpt-5.4', input: userInput('second turn'), previous_response_id: firstId });
    const second = await socket.nextResponse();
    expect(outputText(second)).toBe('second turn');
    expect(second.at(-1)?.type).toBe('response.completed');

    const recorded = emulator().requests.filter((request) => request.path === '/backend-api/codex/responses');
    expect(recorded.map((request) => request.transport)).toEqual(['websocket', 'websocket']);
    expect(recorded[0]?.headers.authorization).toBe(`Bearer ${REDACTED}`);
    expect(recorded[0]?.headers['openai-beta']).toBe('responses_websockets=2026-02-06');
    expect(recorded[0]?.body).toMatchObject({ type: 'response.create', model: 'gpt-5.4' });
  });

  it('records how each stream ended: completed, or aborted when the socket closes mid-stream', async () => {
    const socket = await chatgptSocket();
    socket.create({ model: 'gpt-5.4', input: userInput('[scenario:text] x') });
    await socket.nextResponse();
    const finished = emulator().requests.at(-1);
    expect(finished?.streamEnd).toBe('completed');

    emulator().setOptions({ eventDelayMs: 600_000 });
    socket.create({ model: 'gpt-5.4', input: userInput('[scenario:text] x') });
    await until(() => emulator().requests.at(-1) !== finished);
    socket.socket.close();
    await until(() => emulator().requests.at(-1)?.streamEnd !== undefined);
    expect(emulator().requests.at(-1)?.streamEnd).toBe('aborted');
  });

  it('answers an unknown previous_response_id with an error event and keeps the socket open', async () => {
    const socket = await chatgptSocket();
    socket.create({ model: 'gpt-5.4', input: 'x', previous_response_id: 'resp_elsewhere' });
    const events = await socket.nextResponse();
    expect(events.at(-1)).toMatchObject({
      type: 'error',
      status_code: 400,
      error: { code: 'previous_response_not_found' },
    });
    socket.create({ model: 'gpt-5.4', input: 'still open' });
    expect(outputText(await socket.nextResponse())).toBe('still open');
  });

  it('sends a usage-limit error event with status_code 429 and the headers', async () => {
    const socket = await chatgptSocket();
    socket.create({ model: 'gpt-5.4', input: userInput('[scenario:rate-limited] x') });
    const [event] = await socket.nextResponse();
    expect(event).toMatchObject({
      type: 'error',
      status_code: 429,
      error: { type: 'usage_limit_reached', resets_at: expect.any(Number) },
      headers: { 'x-codex-primary-used-percent': '100', 'retry-after': expect.any(String) },
    });
  });

  it('validates frames like HTTP bodies (max_output_tokens on the ChatGPT backend)', async () => {
    const socket = await chatgptSocket();
    socket.create({ model: 'gpt-5.4', input: 'x', max_output_tokens: 10 });
    expect((await socket.nextResponse()).at(-1)).toMatchObject({ type: 'error', status_code: 400 });
    socket.create({ model: 'gpt-5.4', input: 'x', temperature: 0.2 });
    expect(JSON.stringify((await socket.nextResponse()).at(-1))).toContain(
      'Unsupported parameter: temperature',
    );
    socket.socket.send(JSON.stringify({ type: 'session.update' }));
    expect((await socket.nextResponse()).at(-1)).toMatchObject({ type: 'error', status_code: 400 });
  });

  it('ws-close-1006 terminates the socket before any event by default', async () => {
    const socket = await chatgptSocket();
    socket.create({ model: 'gpt-5.4', input: userInput('[scenario:ws-close-1006] x') });
    expect(await socket.nextResponse()).toEqual([]);
    expect(await socket.closed).toBe(1006);
  });

  it('ws-close-1006 can cut a stream in the middle', async () => {
    emulator().setOptions({ webSocketCloseAfterEvents: 5 });
    const socket = await chatgptSocket();
    socket.create({ model: 'gpt-5.4', input: userInput('[scenario:ws-close-1006] x') });
    const events = await socket.nextResponse();
    expect(events.map((event) => event.type)).toContain('response.output_text.delta');
    expect(events.map((event) => event.type)).not.toContain('response.completed');
    expect(await socket.closed).toBe(1006);
  });

  it('ws-close-1011 closes with 1011', async () => {
    const socket = await chatgptSocket();
    socket.create({ model: 'gpt-5.4', input: userInput('[scenario:ws-close-1011] x') });
    expect(await socket.closed).toBe(1011);
  });

  it('disconnect terminates mid-stream', async () => {
    const socket = await chatgptSocket();
    socket.create({ model: 'gpt-5.4', input: userInput('[scenario:disconnect] x') });
    const events = await socket.nextResponse();
    expect(events.some((event) => event.type === 'response.output_text.delta')).toBe(true);
    expect(events.some((event) => event.type === 'response.completed')).toBe(false);
    expect(await socket.closed).toBe(1006);
  });

  it('serves the OpenAI API over WebSocket with an API key (no rate-limit event)', async () => {
    const socket = await harness.connect(`${emulator().openaiBaseUrl}/responses`, apiKeyHeaders(emulator()));
    emulator().setOptions({ scenario: 'text' });
    socket.create({ model: 'gpt-5.4', input: 'x', max_output_tokens: 100 });
    const events = await socket.nextResponse();
    expect(events[0]?.type).toBe('response.created');
    expect(outputText(events)).toBe(TEXT_ANSWER);
  });

  it('refuses handshakes: 401 without credentials, 401 without account id, 426 when disabled', async () => {
    const url = `${emulator().chatgptBaseUrl}/responses`;
    const missing = await tryHandshake(url, {});
    expect(missing.status).toBe(401);
    expect(JSON.parse(missing.body)).toMatchObject({ error: { code: 'invalid_api_key' } });
    const { 'chatgpt-account-id': _omitted, ...withoutAccount } = chatgptHeaders(emulator());
    const noAccount = await tryHandshake(url, withoutAccount);
    expect(noAccount.status).toBe(401);
    expect(noAccount.body).toContain('chatgpt-account-id');
    emulator().setOptions({ websocket: false });
    expect((await tryHandshake(url, chatgptHeaders(emulator()))).status).toBe(426);
    emulator().setOptions({ websocket: { handshakeStatus: 403 } });
    expect((await tryHandshake(url, chatgptHeaders(emulator()))).status).toBe(403);
    expect(emulator().requests.every((request) => request.transport === 'websocket')).toBe(true);
    expect(emulator().requests).toHaveLength(4);
    expect((await tryHandshake(`${emulator().url}/nowhere`, {})).status).toBe(404);
  });

  it('streams a large response and reports server errors as error events', async () => {
    emulator().setOptions({ largeResponseBytes: 1024 * 1024 });
    const socket = await chatgptSocket();
    socket.create({ model: 'gpt-5.4', input: userInput('[scenario:large] x') });
    const events = await socket.nextResponse();
    expect(outputText(events).length).toBe(1024 * 1024);
    socket.create({ model: 'gpt-5.4', input: userInput('[scenario:server-error-then-success] x') });
    expect((await socket.nextResponse()).at(-1)).toMatchObject({ type: 'error', status_code: 500 });
    socket.create({ model: 'gpt-5.4', input: userInput('[scenario:server-error-then-success] x') });
    expect((await socket.nextResponse()).at(-1)?.type).toBe('response.completed');
  });

  it('close() terminates open sockets', async () => {
    const socket = await chatgptSocket();
    emulator().setOptions({ scenario: 'slow', tokenDelayMs: 1_000 });
    socket.create({ model: 'gpt-5.4', input: 'x' });
    await emulator().close();
    expect(await socket.closed).toBe(1006);
  });
});
