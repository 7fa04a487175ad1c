import { connect, type Socket } from 'node:net';
import type { RecordedRequest } from '@codetether/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientChatMessage, sendChatTurn } from './__fixtures__/chat-turn.js';
import { type GatewayHarness, startGatewayHarness, TEST_SERVER_KEY } from './__fixtures__/gateway-harness.js';
import { until } from './__fixtures__/until.js';

const SESSION = 'one-session-two-requests';

function responsesRequests(harness: GatewayHarness): RecordedRequest[] {
  return harness.emulator.requests.filter((request) => request.path.endsWith('/responses'));
}

function chatBody(messages: ClientChatMessage[]): string {
  return JSON.stringify({ model: 'gpt-5.4', messages });
}

/** Sends a chat turn on the session; resolves the client's messages after the answer. */
const chat = (harness: GatewayHarness, messages: ClientChatMessage[]) =>
  sendChatTurn(harness, { key: TEST_SERVER_KEY, sessionId: SESSION, messages });

describe('two requests on one session at once (emulator behind, WebSocket upstream)', () => {
  let harness: GatewayHarness;

  beforeAll(async () => {
    harness = await startGatewayHarness({ transport: 'websocket' });
  }, 30_000);
  afterAll(async () => {
    await harness?.close();
  });

  it('the one that completed is continued; the one whose client left neither replaces it nor closes its socket', {
    timeout: 30_000,
  }, async () => {
    const opened = await chat(harness, [{ role: 'user', content: '[scenario:text] Hello' }]);
    const secondTurn = [...opened, { role: 'user', content: 'And then?' }];

    // The first request of the second turn stalls upstream until its client leaves.
    harness.emulator.setOptions({ eventDelayMs: 600_000 });
    const sentBefore = responsesRequests(harness).length;
    const socket: Socket = connect(harness.gateway.port, '127.0.0.1');
    socket.on('error', () => {});
    const json = chatBody(secondTurn);
    socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TEST_SERVER_KEY}\r\n` +
        `X-Session-Id: ${SESSION}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`,
    );
    await until(() => responsesRequests(harness).length > sentBefore);
    harness.emulator.setOptions({ eventDelayMs: 0 });

    // The same turn again meanwhile (a client's retry): it goes up in full and completes.
    const answered = await chat(harness, secondTurn);
    expect(responsesRequests(harness).at(-1)?.previousResponseId).toBeUndefined();
    const completedOn = responsesRequests(harness).at(-1)?.connectionId;

    socket.destroy();
    await until(() => harness.gateway.gateway.inFlightRequests === 0);

    // The next turn continues the turn that completed, over its socket.
    await chat(harness, [...answered, { role: 'user', content: 'And after that?' }]);
    const next = responsesRequests(harness).at(-1);
    expect(next?.previousResponseId).toMatch(/^resp_/);
    expect(next?.connectionId).toBe(completedOn);
  });
});

/** Posts a non-streamed Responses request; resolves the response's JSON (status 200 expected). */
async function respond(harness: GatewayHarness, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${harness.baseUrl}/responses`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_SERVER_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  expect(response.status, JSON.stringify(answer)).toBe(200);
  return answer;
}

describe('two Responses requests continuing one response at once (emulator behind, WebSocket upstream)', () => {
  let harness: GatewayHarness;

  beforeAll(async () => {
    harness = await startGatewayHarness({ transport: 'websocket' });
  }, 30_000);
  afterAll(async () => {
    await harness?.close();
  });

  it('the second is answered from the response’s own history, never the first one’s turn', {
    timeout: 30_000,
  }, async () => {
    const opening = await respond(harness, { model: 'gpt-5.4', input: '[scenario:text] Hello' });

    harness.emulator.setOptions({ eventDelayMs: 600_000 });
    const sentBefore = responsesRequests(harness).length;
    const socket: Socket = connect(harness.gateway.port, '127.0.0.1');
    socket.on('error', () => {});
    const json = JSON.stringify({ model: 'gpt-5.4', previous_response_id: opening.id, input: 'Left behind' });
    socket.write(
      `POST /v1/responses HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TEST_SERVER_KEY}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`,
    );
    await until(() => responsesRequests(harness).length > sentBefore);
    harness.emulator.setOptions({ eventDelayMs: 0 });

    const forked = await respond(harness, {
      model: 'gpt-5.4',
      previous_response_id: opening.id,
      input: 'Meanwhile?',
    });
    expect(forked.status).toBe('completed');
    const upstreamInput = JSON.stringify(
      (responsesRequests(harness).at(-1)?.body as { input?: unknown } | undefined)?.input,
    );
    expect(upstreamInput).toContain('[scenario:text] Hello');
    expect(upstreamInput).toContain('Meanwhile?');
    expect(upstreamInput).not.toContain('Left behind');

    socket.destroy();
    await until(() => harness.gateway.gateway.inFlightRequests === 0);
  });
});
