import { connect, type Socket } from 'node:net';
import type { RecordedRequest } from '@codetether/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectGarbage } from './__fixtures__/forced-garbage-collection.js';
import { type GatewayHarness, startGatewayHarness, TEST_SERVER_KEY } from './__fixtures__/gateway-harness.js';
import { until } from './__fixtures__/until.js';

const TIMEOUT = { timeout: 30_000 };

function responsesRequests(harness: GatewayHarness): RecordedRequest[] {
  return harness.emulator.requests.filter(
    (request) => request.path.endsWith('/responses') && request.method === 'POST',
  );
}

/** Posts a JSON body to a route of the gateway; resolves the JSON answer (status 200 expected). */
async function post(harness: GatewayHarness, path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${harness.gateway.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_SERVER_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  expect(response.status, JSON.stringify(answer)).toBe(200);
  return answer;
}

/**
 * A conversation in one API: its opening turn, and turns that continue it (the client's state after
 * each answer is what the next turn builds on).
 */
interface ContinuedDialect {
  readonly name: string;
  readonly path: string;
  /** The opening request's body. */
  opening(): unknown;
  /** The body of a turn continuing after the answer `previous` (undefined: after the opening). */
  continuing(state: DialectState, stream: boolean): unknown;
  /** The state after the answer of the request `body`. */
  after(state: DialectState, body: unknown, answer: Record<string, unknown>): DialectState;
}

/** What a client remembers of its conversation: chat messages, or the last response id. */
interface DialectState {
  readonly messages: readonly unknown[];
  readonly responseId?: string;
}

const CHAT: ContinuedDialect = {
  name: 'Chat Completions',
  path: '/v1/chat/completions',
  opening: () => ({ model: 'gpt-5.4', messages: [{ role: 'user', content: '[scenario:text] Hello' }] }),
  continuing: (state, stream) => ({
    model: 'gpt-5.4',
    stream,
    messages: [...state.messages, { role: 'user', content: `Turn ${state.messages.length}?` }],
  }),
  after: (_state, body, answer) => {
    const choices = answer.choices as { message: { content: string } }[];
    return {
      messages: [
        ...(body as { messages: unknown[] }).messages,
        { role: 'assistant', content: choices[0]?.message.content ?? '' },
      ],
    };
  },
};

const RESPONSES: ContinuedDialect = {
  name: 'Responses',
  path: '/v1/responses',
  opening: () => ({ model: 'gpt-5.4', input: '[scenario:text] Hello' }),
  continuing: (state, stream) => ({
    model: 'gpt-5.4',
    stream,
    previous_response_id: state.responseId,
    input: 'And then?',
  }),
  after: (_state, _body, answer) => ({ messages: [], responseId: String(answer.id) }),
};

describe.each([CHAT, RESPONSES])('a continued $name conversation', (dialect) => {
  describe.each([
    { name: 'streamed', stream: true },
    { name: 'not streamed', stream: false },
  ])('whose client leaves a $name turn after a garbage collection', ({ stream }) => {
    let harness: GatewayHarness;

    beforeAll(async () => {
      harness = await startGatewayHarness({ transport: 'websocket' });
    }, 30_000);
    afterAll(async () => {
      await harness?.close();
    });

    it('gets its conversation back, and the retried turn and the next go on with it', TIMEOUT, async () => {
      const opening = dialect.opening();
      let state = dialect.after({ messages: [] }, opening, await post(harness, dialect.path, opening));
      const followUp = dialect.continuing(state, stream);

      // The follow-up's upstream response stalls after its first event, until it is aborted.
      harness.emulator.setOptions({ eventDelayMs: 600_000 });
      const sentBefore = responsesRequests(harness).length;
      const serverSide = new Promise<Socket>((resolve) => harness.gateway.server.once('connection', resolve));
      const socket = connect(harness.gateway.port, '127.0.0.1');
      socket.on('error', () => {});
      const json = JSON.stringify(followUp);
      socket.write(
        `POST ${dialect.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TEST_SERVER_KEY}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`,
      );
      const serverSideClosed = serverSide.then(
        (peer) => new Promise<void>((resolve) => peer.once('close', () => resolve())),
      );
      await until(() => responsesRequests(harness).length > sentBefore);
      expect(responsesRequests(harness).at(-1)?.previousResponseId).toMatch(/^resp_/);
      await collectGarbage();
      expect(harness.gateway.gateway.inFlightRequests).toBe(1);
      socket.resetAndDestroy();
      await serverSideClosed;
      await harness.gateway.gateway.waitForStreams();
      expect(harness.gateway.gateway.inFlightRequests).toBe(0);

      // The conversation is back in the index once the request is over (a client retrying at once finds
      // it). A failed turn spends its previous response, so the retry goes up in full on that
      // conversation; the turn after it continues again.
      expect(harness.gateway.gateway.conversations?.size).toBe(1);
      harness.emulator.setOptions({ eventDelayMs: 0 });
      const retry = dialect.continuing(state, false);
      state = dialect.after(state, retry, await post(harness, dialect.path, retry));
      expect(harness.gateway.gateway.conversations?.size).toBe(1);
      const next = dialect.continuing(state, false);
      await post(harness, dialect.path, next);
      const last = responsesRequests(harness).at(-1);
      expect(last?.previousResponseId).toMatch(/^resp_/);
      expect(last?.inputItems).toBe(1);
      expect(harness.gateway.gateway.conversations?.size).toBe(1);
    });
  });
});
