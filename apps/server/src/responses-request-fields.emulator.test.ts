import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { describe, expect, it } from 'vitest';
import { apiErrorOf } from './__fixtures__/api-error.js';
import { createResponse, openResponsesSocket } from './__fixtures__/responses-websocket-client.js';
import { useSuiteGateway } from './__fixtures__/suite-gateway.js';

const TIMEOUT = { timeout: 30_000 };
const MODEL = 'gpt-5.4';

/** What clients send that the ChatGPT backend refuses (400 `Unsupported parameter: …`). */
const REFUSED_UPSTREAM = {
  temperature: 0.2,
  top_p: 0.9,
  frequency_penalty: 0.1,
  presence_penalty: 0.1,
  user: 'user-1',
  safety_identifier: 'hashed-user',
  prompt_cache_retention: '24h',
  max_output_tokens: 2048,
} as const;

describe.each([
  ['http', true],
  ['websocket', true],
  ['http', false],
] as const)(
  '/v1/responses with the fields the ChatGPT backend refuses (upstream %s, continuation %s)',
  (transport, continuation) => {
    const suite = useSuiteGateway({ transport, ...(continuation ? {} : { continuation: false }) });

    it('answers (they are left out upstream) and echoes metadata as OpenAI does', TIMEOUT, async () => {
      const metadata = { run: 'nightly', step: '3' };
      const created = await suite.client.responses.create({
        model: MODEL,
        input: '[scenario:text] hello',
        metadata,
        ...REFUSED_UPSTREAM,
      });
      expect(created.status).toBe('completed');
      expect(created.metadata).toEqual(metadata);
      const sent = suite.harness.emulator.requests
        .filter((request) => request.path.endsWith('/responses'))
        .at(-1)?.body as Record<string, unknown>;
      for (const field of [...Object.keys(REFUSED_UPSTREAM), 'metadata']) expect(sent[field]).toBeUndefined();

      const stream = await suite.client.responses.create({
        model: MODEL,
        input: '[scenario:text] hi',
        metadata,
        temperature: 0.5,
        stream: true,
      });
      const events: ResponseStreamEvent[] = [];
      for await (const event of stream) events.push(event);
      const completed = events.at(-1);
      expect(completed?.type).toBe('response.completed');
      const responseOf = (event: ResponseStreamEvent | undefined) =>
        event !== undefined && 'response' in event ? event.response : undefined;
      expect(responseOf(events[0])?.metadata).toEqual(metadata);
      expect(responseOf(completed)?.metadata).toEqual(metadata);
      if (continuation) {
        expect((await suite.client.responses.retrieve(created.id)).metadata).toEqual(metadata);
        const next = await suite.client.responses.create({
          model: MODEL,
          previous_response_id: created.id,
          input: '[scenario:text] and?',
          temperature: 0.3,
        });
        expect(next.status).toBe('completed');
        expect(next.metadata).toEqual({});
      }
    });

    it('refuses metadata OpenAI would refuse, naming it', TIMEOUT, async () => {
      const tooMany = Object.fromEntries(Array.from({ length: 17 }, (_, index) => [`key${index}`, 'v']));
      for (const metadata of [tooMany, { ['k'.repeat(65)]: 'v' }, { key: 'v'.repeat(513) }, { key: 1 }]) {
        const error = await apiErrorOf(
          suite.client.responses.create({ model: MODEL, input: '[scenario:text] x', metadata } as never),
        );
        expect(error.status).toBe(400);
        expect(error.param).toMatch(/^metadata/);
      }
    });
  },
);

describe('WebSocket mode with the fields the ChatGPT backend refuses', () => {
  const suite = useSuiteGateway();

  it('answers, and echoes metadata', TIMEOUT, async () => {
    const socket = await openResponsesSocket(suite.harness);
    try {
      const events = await createResponse(socket, {
        model: MODEL,
        input: '[scenario:text] over a socket',
        metadata: { run: 'socket' },
        ...REFUSED_UPSTREAM,
      });
      expect(events.at(-1)).toMatchObject({
        type: 'response.completed',
        response: { metadata: { run: 'socket' } },
      });
    } finally {
      socket.close();
    }
  });
});
