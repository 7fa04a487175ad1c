import { describe, expect, it } from 'vitest';
import { collect } from './__fixtures__/emulator-harness.js';
import {
  eventsThen,
  type FakeTransport,
  fakeTransport,
  responseOf,
  textEvents,
} from './__fixtures__/fake-transport.js';
import { UNREACHABLE_ENDPOINTS } from './__fixtures__/unreachable-endpoints.js';
import { createCodexProvider } from './provider.js';

const endpoints = UNREACHABLE_ENDPOINTS;

/** Created, one text delta: a response that started to answer (its end is the test's). */
const startedAnswer = textEvents('x').slice(0, -1);

describe('secrets in what a hostile upstream says', () => {
  const secret = 'plain-key-value-42';
  const echoes = [
    [
      'an error event',
      { type: 'error', code: 'invalid_api_key', message: `The key ${secret} is not valid.` },
    ],
    [
      'response.failed',
      {
        type: 'response.failed',
        response: {
          id: 'resp_1',
          status: 'failed',
          error: { code: 'server_error', message: `Rejected ${secret}` },
        },
      },
    ],
  ] as const;
  for (const [name, event] of echoes) {
    const transport = () =>
      fakeTransport(async () => responseOf('http', eventsThen([...startedAnswer, event])));
    const provider = (httpTransport: FakeTransport) =>
      createCodexProvider({
        ...endpoints,
        auth: { type: 'api-key', apiKey: secret },
        transport: 'http',
        httpTransport,
      });

    it(`${name} echoing the key: the conversation's error chunk does not show it`, async () => {
      const chunks = await collect(provider(transport()).createConversation({ model: 'gpt-5.4' }).send('hi'));
      const error = chunks.at(-1);
      expect(error?.type).toBe('error');
      expect(JSON.stringify(error)).not.toContain(secret);
    });

    it(`${name} echoing the key: complete() does not throw it`, async () => {
      const failure = await provider(transport())
        .complete({ model: 'gpt-5.4', messages: [{ role: 'user', content: 'hi' }] })
        .catch((error: unknown) => error);
      expect(failure).toMatchObject({ name: 'CodexProviderError' });
      expect(String((failure as Error).message)).not.toContain(secret);
    });

    it(`${name} echoing the key: the createResponseStream passthrough does not relay it`, async () => {
      const response = await provider(transport()).createResponseStream({ model: 'gpt-5.4', input: 'hi' });
      const events: unknown[] = [];
      for await (const upstreamEvent of response.events) events.push(upstreamEvent);
      expect(events).toHaveLength(startedAnswer.length + 1);
      expect(JSON.stringify(events)).not.toContain(secret);
      expect(JSON.stringify(events.at(-1))).toContain('[redacted]');
    });

    it(`${name} echoing the key: a conversation's onEvent does not receive it`, async () => {
      const events: unknown[] = [];
      const conversation = provider(transport()).createConversation({ model: 'gpt-5.4' });
      await collect(conversation.send('hi', { onEvent: (upstreamEvent) => events.push(upstreamEvent) }));
      expect(events).toHaveLength(startedAnswer.length + 1);
      expect(JSON.stringify(events)).not.toContain(secret);
    });
  }

  it('events without error text pass through as the same objects', async () => {
    const sent = [...startedAnswer, textEvents('x').at(-1)];
    const response = await createCodexProvider({
      ...endpoints,
      auth: { type: 'api-key', apiKey: secret },
      transport: 'http',
      httpTransport: fakeTransport(async () => responseOf('http', eventsThen(sent))),
    }).createResponseStream({ model: 'gpt-5.4', input: 'hi' });
    const events: unknown[] = [];
    for await (const upstreamEvent of response.events) events.push(upstreamEvent);
    expect(events).toHaveLength(sent.length);
    events.forEach((upstreamEvent, index) => {
      expect(upstreamEvent).toBe(sent[index]);
    });
  });
});
