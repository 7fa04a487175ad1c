import type { StreamChunk, TransportRequest } from '@codetether/responses-protocol';
import { describe, expect, it } from 'vitest';
import { type ControlledEvents, controlledEvents } from './__fixtures__/controlled-events.js';
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

function message(id: string, text: string) {
  return { id: `msg_${id}`, type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] };
}

/** The events of a text answer whose response is `id`, with its message as an output item. */
function answerEvents(id: string, text: string): unknown[] {
  const item = message(id, text);
  return [
    { type: 'response.created', response: { id, status: 'in_progress', output: [] } },
    { type: 'response.output_item.added', output_index: 0, item: { ...item, content: [] } },
    { type: 'response.output_text.delta', output_index: 0, content_index: 0, item_id: item.id, delta: text },
    { type: 'response.output_item.done', output_index: 0, item },
    { type: 'response.completed', response: { id, status: 'completed', output: [item] } },
  ];
}

/** A WebSocket transport on connection `wsc_1` whose answer to each request the test gives. */
function webSocketAnswering(
  answer: (request: TransportRequest, index: number) => AsyncIterable<unknown>,
): FakeTransport {
  return fakeTransport(async (request, index) =>
    responseOf('websocket', answer(request, index), {
      connection: { id: 'wsc_1', continued: request.continuation?.connectionId === 'wsc_1' },
    }),
  );
}

function providerOn(webSocketTransport: FakeTransport) {
  return createCodexProvider({
    ...endpoints,
    auth: { type: 'api-key', apiKey: 'sk-hostile-secret' },
    transport: 'websocket',
    webSocketTransport,
  });
}

function userTexts(request: TransportRequest | undefined): unknown[] {
  const input = (request?.body.input ?? []) as Array<Record<string, unknown>>;
  return input.map((item) => `${String(item.role)}:${JSON.stringify(item.content)}`);
}

describe('conversation against a hostile upstream', () => {
  it('a turn the caller stops reading mid-stream releases the conversation and keeps the history', async () => {
    const streams: ControlledEvents[] = [];
    const transport = webSocketAnswering((_request, index) => {
      if (index === 0) return eventsThen(answerEvents('resp_0', 'zero'));
      const events = controlledEvents(answerEvents(`resp_${index}`, 'partial').slice(0, 3));
      streams.push(events);
      return index === 1 ? events : eventsThen(answerEvents(`resp_${index}`, 'two'));
    });
    const conversation = providerOn(transport).createConversation({ model: 'gpt-5.4' });
    await collect(conversation.send('one'));
    for await (const chunk of conversation.send('broken')) if (chunk.type === 'text') break;
    await streams[0]?.released;
    expect(conversation.history).toHaveLength(2);
    const chunks = await collect(conversation.send('two'));
    expect(chunks.at(-1)).toMatchObject({ type: 'done' });
    // The third request repeats the history once, without the abandoned turn's input.
    expect(transport.requests[2]?.continuation).toBeUndefined();
    expect(transport.requests[2]?.body.input).toHaveLength(3);
    expect(conversation.history).toHaveLength(4);
  });

  it('a turn aborted while its upstream is silent settles with an aborted error, and the next turn runs', async () => {
    const events = controlledEvents(answerEvents('resp_0', 'x').slice(0, 3));
    const transport = webSocketAnswering((_request, index) =>
      index === 0 ? events : eventsThen(answerEvents(`resp_${index}`, 'fine')),
    );
    const conversation = providerOn(transport).createConversation({ model: 'gpt-5.4' });
    const controller = new AbortController();
    const chunks: StreamChunk[] = [];
    const turn = (async () => {
      for await (const chunk of conversation.send('one', { signal: controller.signal })) {
        chunks.push(chunk);
        if (chunk.type === 'text') {
          void events.waiting().then(() => controller.abort());
        }
      }
    })();
    await turn.catch(() => {});
    expect(chunks.at(-1)).toMatchObject({ type: 'error', code: 'aborted' });
    expect(conversation.history).toHaveLength(0);
    const next = await collect(conversation.send('again'));
    expect(next.at(-1)).toMatchObject({ type: 'done' });
    expect(conversation.history).toHaveLength(2);
  });

  it('response.completed twice and events after it record the output once', async () => {
    const transport = webSocketAnswering((_request, index) => {
      const events = answerEvents(`resp_${index}`, 'once');
      return eventsThen([
        ...events,
        events.at(-1),
        { type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'late' },
      ]);
    });
    const conversation = providerOn(transport).createConversation({ model: 'gpt-5.4' });
    const chunks = await collect(conversation.send('one'));
    expect(chunks.filter((chunk) => chunk.type === 'done')).toHaveLength(1);
    expect(
      chunks.filter((chunk) => chunk.type === 'text').map((chunk) => chunk.type === 'text' && chunk.text),
    ).toEqual(['once']);
    expect(conversation.history).toHaveLength(2);
  });

  for (const [name, tail] of [
    ['an error event after output', [{ type: 'error', code: 'server_error', message: 'boom' }]],
    [
      'response.failed after output',
      [
        {
          type: 'response.failed',
          response: { id: 'resp_1', status: 'failed', error: { code: 'server_error', message: 'failed' } },
        },
      ],
    ],
    [
      'previous_response_not_found after output',
      [{ type: 'error', code: 'previous_response_not_found', message: 'gone' }],
    ],
    ['the end of the stream without a terminal event', []],
  ] as const) {
    it(`${name}: one error chunk, the history and the chain unchanged, the next turn sent in full`, async () => {
      const transport = webSocketAnswering((_request, index) =>
        index === 1
          ? eventsThen([...answerEvents('resp_1', 'cut').slice(0, 3), ...tail])
          : eventsThen(answerEvents(`resp_${index}`, `answer ${index}`)),
      );
      const conversation = providerOn(transport).createConversation({ model: 'gpt-5.4' });
      await collect(conversation.send('one'));
      const failed = await collect(conversation.send('two'));
      expect(failed.filter((chunk) => chunk.type === 'error')).toHaveLength(1);
      expect(failed.at(-1)?.type).toBe('error');
      expect(conversation.history).toHaveLength(2);
      expect(conversation.lastResponseId).toBe('resp_0');
      await collect(conversation.send('three'));
      expect(transport.requests).toHaveLength(3);
      expect(transport.requests[2]?.continuation).toBeUndefined();
      expect(userTexts(transport.requests[2])).toEqual([
        'user:[{"type":"input_text","text":"one"}]',
        'assistant:[{"type":"output_text","text":"answer 0"}]',
        'user:[{"type":"input_text","text":"three"}]',
      ]);
    });
  }

  it('a stream that fails with a plain Error mid-stream gives one typed error chunk, no secret', async () => {
    const transport = webSocketAnswering((_request, index) =>
      index === 0
        ? eventsThen(answerEvents('resp_0', 'x').slice(0, 3), new Error('socket reset sk-hostile-secret'))
        : eventsThen(answerEvents(`resp_${index}`, 'fine')),
    );
    const conversation = providerOn(transport).createConversation({ model: 'gpt-5.4' });
    const chunks = await collect(conversation.send('one'));
    const error = chunks.at(-1);
    expect(error?.type).toBe('error');
    expect(JSON.stringify(error)).not.toContain('sk-hostile-secret');
    expect(conversation.history).toHaveLength(0);
    expect((await collect(conversation.send('two'))).at(-1)).toMatchObject({ type: 'done' });
  });

  it('a transport that throws a plain Error before any event gives a typed error and releases the turn', async () => {
    const transport = fakeTransport(async (_request, index) => {
      if (index === 0) throw new TypeError('Cannot read properties of undefined (sk-hostile-secret)');
      return responseOf('websocket', eventsThen(textEvents('fine')));
    });
    const conversation = providerOn(transport).createConversation({ model: 'gpt-5.4' });
    const failure = await collect(conversation.send('one')).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'CodexProviderError' });
    expect(String((failure as Error).message)).not.toContain('sk-hostile-secret');
    expect((await collect(conversation.send('two'))).at(-1)).toMatchObject({ type: 'done' });
  });

  it('a second send while a turn runs is refused, and the first turn still completes', async () => {
    const events = controlledEvents(answerEvents('resp_0', 'first').slice(0, 3));
    const transport = webSocketAnswering((_request, index) =>
      index === 0 ? events : eventsThen(answerEvents(`resp_${index}`, 'next')),
    );
    const conversation = providerOn(transport).createConversation({ model: 'gpt-5.4' });
    const iterator = conversation.send('one')[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ type: 'text' });
    const refused = await collect(conversation.send('two')).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'conversation-busy' });
    for (const event of answerEvents('resp_0', 'first').slice(3)) events.push(event);
    let last: IteratorResult<StreamChunk>;
    do last = await iterator.next();
    while (last.done !== true && last.value.type !== 'done');
    expect(conversation.history).toHaveLength(2);
    await iterator.return?.();
    expect((await collect(conversation.send('two'))).at(-1)).toMatchObject({ type: 'done' });
  });

  it('close() while the turn waits for a silent upstream ends the turn with an aborted error', async () => {
    const events = controlledEvents(answerEvents('resp_0', 'x').slice(0, 3));
    const transport = webSocketAnswering(() => events);
    const conversation = providerOn(transport).createConversation({ model: 'gpt-5.4' });
    const chunks: StreamChunk[] = [];
    for await (const chunk of conversation.send('one')) {
      chunks.push(chunk);
      if (chunk.type === 'text') void events.waiting().then(() => conversation.close());
    }
    expect(chunks.at(-1)).toMatchObject({ type: 'error', code: 'aborted' });
    await events.released;
    expect(conversation.history).toHaveLength(0);
  });

  it('a turn aborted while the warm-up waits on a silent upstream settles at once', async () => {
    const warmUp = controlledEvents();
    const transport = fakeTransport(async (request) => {
      if (request.body.generate === false) return responseOf('websocket', warmUp);
      return responseOf('websocket', eventsThen(textEvents('fine')));
    });
    const conversation = providerOn(transport).createConversation({ model: 'gpt-5.4', warmUp: true });
    await warmUp.waiting();
    const controller = new AbortController();
    controller.abort();
    const failure = await collect(conversation.send('one', { signal: controller.signal })).catch(
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: 'aborted' });
    await conversation.close();
  });

  it('a compaction aborted while the warm-up waits on a silent upstream settles at once', async () => {
    const warmUp = controlledEvents();
    const transport = fakeTransport(async () => responseOf('websocket', warmUp));
    const conversation = providerOn(transport).createConversation({
      model: 'gpt-5.4',
      warmUp: true,
      history: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'old' }] }],
    });
    await warmUp.waiting();
    const controller = new AbortController();
    controller.abort();
    await expect(conversation.compact({ signal: controller.signal })).rejects.toMatchObject({
      code: 'aborted',
    });
    await conversation.close();
  });

  it('a warm-up the upstream answered with output is not continued (its output is in no history)', async () => {
    const transport = webSocketAnswering((request, index) =>
      eventsThen(answerEvents(`resp_${index}`, request.body.generate === false ? 'unasked' : 'answer')),
    );
    const conversation = providerOn(transport).createConversation({ model: 'gpt-5.4', warmUp: true });
    await collect(conversation.send('one'));
    expect(transport.requests[0]?.body.generate).toBe(false);
    expect(transport.requests[1]?.continuation).toBeUndefined();
    expect(transport.requests[1]?.body.previous_response_id).toBeUndefined();
  });

  it('a caller whose onEvent throws gets its error, the upstream is released and the turn too', async () => {
    const events = controlledEvents(answerEvents('resp_0', 'x').slice(0, 3));
    const transport = webSocketAnswering((_request, index) =>
      index === 0 ? events : eventsThen(answerEvents(`resp_${index}`, 'fine')),
    );
    const conversation = providerOn(transport).createConversation({ model: 'gpt-5.4' });
    const failure = await collect(
      conversation.send('one', {
        onEvent: (event) => {
          if ((event as { type?: string }).type === 'response.output_text.delta')
            throw new Error('caller bug');
        },
      }),
    ).catch((error: unknown) => error);
    expect(failure).toMatchObject({ message: 'caller bug' });
    await events.released;
    expect(conversation.history).toHaveLength(0);
    expect((await collect(conversation.send('two'))).at(-1)).toMatchObject({ type: 'done' });
  });

  it('an output item sent twice under one id is recorded once, and the next full input repeats it once', async () => {
    const transport = webSocketAnswering((_request, index) => {
      if (index > 0) return eventsThen(answerEvents(`resp_${index}`, 'fine'));
      const item = message('resp_0', 'twice');
      return eventsThen([
        { type: 'response.output_item.done', output_index: 0, item },
        { type: 'response.output_item.done', output_index: 1, item },
        { type: 'response.incomplete', response: { id: 'resp_0', status: 'incomplete' } },
      ]);
    });
    const conversation = providerOn(transport).createConversation({ model: 'gpt-5.4' });
    await collect(conversation.send('one'));
    expect(conversation.history).toHaveLength(2);
    await collect(conversation.send('two'));
    expect(transport.requests[1]?.body.input).toHaveLength(3);
  });
});
