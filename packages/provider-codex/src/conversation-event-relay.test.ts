import type { StreamChunk } from '@codetether/responses-protocol';
import { describe, expect, it } from 'vitest';
import { controlledEvents } from './__fixtures__/controlled-events.js';
import { collect } from './__fixtures__/emulator-harness.js';
import {
  eventsThen,
  type FakeTransport,
  fakeTransport,
  responseOf,
  transportError,
} from './__fixtures__/fake-transport.js';
import { UNREACHABLE_ENDPOINTS } from './__fixtures__/unreachable-endpoints.js';
import { createCodexProvider } from './provider.js';

const endpoints = UNREACHABLE_ENDPOINTS;

/** A provider on an API key whose transports are the given fakes. */
function providerOn(
  transport: 'http' | 'websocket' | 'auto',
  transports: { webSocket?: FakeTransport; http?: FakeTransport },
) {
  return createCodexProvider({
    ...endpoints,
    auth: { type: 'api-key', apiKey: 'sk-test' },
    transport,
    ...(transports.webSocket === undefined ? {} : { webSocketTransport: transports.webSocket }),
    ...(transports.http === undefined ? {} : { httpTransport: transports.http }),
  });
}

const CREATED = { type: 'response.created', response: { id: 'resp_1', status: 'in_progress', output: [] } };
const ITEM = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  content: [{ type: 'output_text', text: 'hi' }],
};
const REST = [
  { type: 'response.output_item.added', output_index: 0, item: { ...ITEM, content: [] } },
  { type: 'response.output_text.delta', output_index: 0, content_index: 0, item_id: 'msg_1', delta: 'hi' },
  { type: 'response.output_item.done', output_index: 0, item: ITEM },
  { type: 'response.completed', response: { id: 'resp_1', status: 'completed', output: [ITEM] } },
];

/** A turn on a conversation whose transport is `mode`, with what its listeners saw. */
function listenedTurn(mode: 'http' | 'websocket' | 'auto', events: AsyncIterable<unknown>) {
  const webSocket = fakeTransport(async () => responseOf('websocket', events));
  const http = fakeTransport(async () => responseOf('http', events));
  const provider = providerOn(mode, { webSocket, http });
  const seen: unknown[] = [];
  let started = 0;
  const chunks = provider
    .createConversation({ model: 'gpt-5.4' })
    .send('hello', { onEvent: (event) => seen.push(event), onResponseStarted: () => (started += 1) })
    [Symbol.asyncIterator]();
  return { seen, started: () => started, chunks, webSocket, http };
}

/** Resolves once `condition` holds, checking it on every turn of the event loop. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

describe('a conversation passes raw events on as they arrive', () => {
  for (const mode of ['http', 'websocket'] as const) {
    it(`over ${mode}: response.created reaches onEvent and onResponseStarted before any chunk`, async () => {
      const upstream = controlledEvents([CREATED]);
      const turn = listenedTurn(mode, upstream);
      const firstChunk = turn.chunks.next();
      await until(() => turn.seen.length > 0);
      expect(turn.seen).toEqual([CREATED]);
      expect(turn.started()).toBe(1);
      for (const event of REST) upstream.push(event);
      upstream.end();
      const chunks: StreamChunk[] = [(await firstChunk).value as StreamChunk];
      for (let next = await turn.chunks.next(); next.done !== true; next = await turn.chunks.next())
        chunks.push(next.value);
      expect(chunks.map((chunk) => chunk.type)).toEqual(['text', 'done']);
      expect(turn.seen).toEqual([CREATED, ...REST]);
    });
  }

  it('over a WebSocket the turn may still replay over HTTP: onResponseStarted at once, events at the first chunk', async () => {
    const upstream = controlledEvents([CREATED]);
    const turn = listenedTurn('auto', upstream);
    const firstChunk = turn.chunks.next();
    await until(() => turn.started() > 0);
    await upstream.waiting();
    expect(turn.seen).toEqual([]);
    for (const event of REST) upstream.push(event);
    upstream.end();
    await firstChunk;
    expect(turn.seen.slice(0, 3)).toEqual([CREATED, REST[0], REST[1]]);
    await collect({ [Symbol.asyncIterator]: () => turn.chunks });
    expect(turn.seen).toEqual([CREATED, ...REST]);
  });

  it('a WebSocket closed after response.created but before any output: replayed over HTTP, only the replay passed on', async () => {
    const closed = transportError('closed', { closeCode: 1011 });
    const webSocketEvents = eventsThen([CREATED], closed);
    const replayCreated = { ...CREATED, response: { ...CREATED.response, id: 'resp_2' } };
    const webSocket = fakeTransport(async () => responseOf('websocket', webSocketEvents));
    const http = fakeTransport(async () => responseOf('http', eventsThen([replayCreated, ...REST])));
    const seen: unknown[] = [];
    const provider = providerOn('auto', { webSocket, http });
    const chunks = await collect(
      provider
        .createConversation({ model: 'gpt-5.4' })
        .send('hello', { onEvent: (event) => seen.push(event) }),
    );
    expect(chunks.map((chunk) => chunk.type)).toEqual(['text', 'done']);
    expect(http.requests).toHaveLength(1);
    expect(seen).toEqual([replayCreated, ...REST]);
  });

  it('previous_response_not_found after the response started is not resent invisibly: the error surfaces', async () => {
    const http = fakeTransport(async (_request, index) =>
      responseOf(
        'http',
        eventsThen(
          index === 0
            ? [CREATED, ...REST]
            : [
                { ...CREATED, response: { ...CREATED.response, id: 'resp_2' } },
                {
                  type: 'error',
                  code: 'previous_response_not_found',
                  message: 'Previous response not found.',
                },
              ],
        ),
      ),
    );
    // The platform API keeps responses (`store: true`): a turn continues by id over HTTP too.
    const conversation = providerOn('http', { http }).createConversation({ model: 'gpt-5.4', store: true });
    await collect(conversation.send('one'));
    const seen: unknown[] = [];
    const second = await collect(conversation.send('two', { onEvent: (event) => seen.push(event) }));
    expect(http.requests[1]?.body.previous_response_id).toBe('resp_1');
    expect(http.requests).toHaveLength(2);
    expect(second.at(-1)).toMatchObject({ type: 'error', code: 'previous_response_not_found' });
    expect(seen[0]).toMatchObject({ type: 'response.created' });
  });
});

describe('completeStream tells when the upstream accepted the request', () => {
  for (const mode of ['http', 'websocket', 'auto'] as const) {
    it(`over ${mode}: onResponseStarted at response.created, before any chunk, once`, async () => {
      const upstream = controlledEvents([CREATED]);
      const transport = fakeTransport(async () =>
        responseOf(mode === 'http' ? 'http' : 'websocket', upstream),
      );
      const provider = providerOn(mode, { webSocket: transport, http: transport });
      let started = 0;
      const chunks = provider
        .completeStream(
          { model: 'gpt-5.4', messages: [{ role: 'user', content: 'hi' }] },
          { onResponseStarted: () => (started += 1) },
        )
        [Symbol.asyncIterator]();
      const first = chunks.next();
      await until(() => started > 0);
      await upstream.waiting();
      for (const event of REST) upstream.push(event);
      upstream.end();
      expect((await first).value).toMatchObject({ type: 'text' });
      await collect({ [Symbol.asyncIterator]: () => chunks });
      expect(started).toBe(1);
    });
  }

  it('an error event before any response does not count as started', async () => {
    const transport = fakeTransport(async () =>
      responseOf(
        'websocket',
        eventsThen([
          { type: 'error', status: 429, error: { type: 'usage_limit_reached', message: 'limit' } },
        ]),
      ),
    );
    const provider = providerOn('websocket', { webSocket: transport });
    let started = 0;
    await collect(
      provider.completeStream(
        { model: 'gpt-5.4', messages: [{ role: 'user', content: 'hi' }] },
        { onResponseStarted: () => (started += 1) },
      ),
    ).catch(() => undefined);
    expect(started).toBe(0);
  });
});
