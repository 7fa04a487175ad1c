import { TEXT_ANSWER } from '@codetether/emulator';
import type { ResponsesServerEvent } from 'openai/resources/responses/responses';
import { ResponsesWS } from 'openai/resources/responses/ws';
import { describe, expect, it } from 'vitest';
import { useSuiteGateway } from './__fixtures__/suite-gateway.js';

const TIMEOUT = { timeout: 30_000 };

/** Sends one `response.create` on the SDK's socket and collects its events up to the terminal one. */
function runTurn(socket: ResponsesWS, body: Record<string, unknown>): Promise<ResponsesServerEvent[]> {
  return new Promise((resolve, reject) => {
    const events: ResponsesServerEvent[] = [];
    const onEvent = (event: ResponsesServerEvent) => {
      events.push(event);
      if (event.type === 'response.completed' || event.type === 'response.failed' || event.type === 'error') {
        socket.off('event', onEvent);
        resolve(events);
      }
    };
    socket.on('event', onEvent);
    socket.on('error', reject);
    socket.send({ type: 'response.create', ...body } as never);
  });
}

function textOf(events: readonly ResponsesServerEvent[]): string {
  return events.map((event) => (event.type === 'response.output_text.delta' ? event.delta : '')).join('');
}

describe.each(['http', 'websocket'] as const)(
  "the openai SDK's Responses WebSocket client (ResponsesWS) on the gateway (upstream %s)",
  (transport) => {
    const suite = useSuiteGateway({ transport });

    it(
      'answers turn after turn on one socket, with OpenAI events only, continuing by previous_response_id',
      TIMEOUT,
      async () => {
        const socket = new ResponsesWS(suite.client);
        try {
          const first = await runTurn(socket, { model: 'gpt-5.4', input: '[scenario:text] hello' });
          expect(first[0]?.type).toBe('response.created');
          expect(first.at(-1)?.type).toBe('response.completed');
          expect(first.some((event) => event.type.startsWith('codex.'))).toBe(false);
          expect(textOf(first)).toBe(TEXT_ANSWER);
          const completed = first.at(-1) as Extract<ResponsesServerEvent, { type: 'response.completed' }>;
          const second = await runTurn(socket, {
            model: 'gpt-5.4',
            previous_response_id: completed.response.id,
            input: '[scenario:text] again',
          });
          expect(second.at(-1)?.type).toBe('response.completed');
          expect(textOf(second)).toBe(TEXT_ANSWER);
          // The second turn carried the first: continued upstream, or sent in full.
          const upstream = suite.harness.emulator.requests.filter((request) =>
            request.path.endsWith('/responses'),
          );
          const last = JSON.stringify(upstream.at(-1)?.body);
          expect(last).toContain('again');
          if (transport === 'http') expect(last).toContain('hello');
        } finally {
          socket.close();
        }
      },
    );
  },
);
