import type { TransportRequest } from '@codetether/responses-protocol';
import { describe, expect, it } from 'vitest';
import { collect } from './__fixtures__/emulator-harness.js';
import {
  eventsThen,
  type FakeTransport,
  fakeTransport,
  responseOf,
  textEvents,
  transportError,
} from './__fixtures__/fake-transport.js';
import { UNREACHABLE_ENDPOINTS } from './__fixtures__/unreachable-endpoints.js';
import { createCodexProvider } from './provider.js';

const endpoints = UNREACHABLE_ENDPOINTS;

/** The events of a text answer whose response is `id`, with its message as an output item. */
function answerEvents(id: string, text: string): unknown[] {
  const message = {
    id: `msg_${id}`,
    type: 'message',
    role: 'assistant',
    content: [{ type: 'output_text', text }],
  };
  const events = textEvents(text) as Array<Record<string, unknown>>;
  return [
    ...events.slice(0, -1),
    { type: 'response.output_item.done', output_index: 0, item: message },
    { type: 'response.completed', response: { id, status: 'completed', output: [message] } },
  ];
}

/** A WebSocket transport that answers on the connection `wsc_1` with `headers`, recording requests. */
function webSocketAnswering(
  answer: (request: TransportRequest, index: number) => unknown[] | Error,
  headers: Record<string, string> = {},
): FakeTransport {
  return fakeTransport(async (request, index) => {
    const events = answer(request, index);
    if (events instanceof Error) throw events;
    const continued = request.continuation?.connectionId === 'wsc_1';
    return responseOf('websocket', eventsThen(events), {
      headers,
      connection: { id: 'wsc_1', continued },
    });
  });
}

/**
 * A provider whose first response announces a call as `call_seen` and finishes it as `call_final`
 * (later responses answer `thanks`), with its transport and the warnings it gave.
 */
function providerCorrectingCallId() {
  const announced = { id: 'fc_1', type: 'function_call', call_id: 'call_seen', name: 'f', arguments: '' };
  const finished = { ...announced, call_id: 'call_final', arguments: '{}' };
  const warnings: string[] = [];
  const transport = webSocketAnswering((_request, index) =>
    index === 0
      ? [
          { type: 'response.output_item.added', output_index: 0, item: announced },
          { type: 'response.output_item.done', output_index: 0, item: finished },
          { type: 'response.completed', response: { id: 'resp_0', status: 'completed', output: [finished] } },
        ]
      : answerEvents(`resp_${index}`, 'thanks'),
  );
  const provider = createCodexProvider({
    ...endpoints,
    auth: { type: 'api-key', apiKey: 'sk-test' },
    transport: 'websocket',
    webSocketTransport: transport,
    onWarning: (message) => warnings.push(message),
  });
  return { transport, provider, warnings };
}

function conversationOn(webSocketTransport: FakeTransport) {
  const provider = createCodexProvider({
    ...endpoints,
    auth: { type: 'api-key', apiKey: 'sk-test' },
    transport: 'websocket',
    webSocketTransport,
  });
  return provider.createConversation({ model: 'gpt-5.4' });
}

describe('conversation over a fake WebSocket', () => {
  it('lets only conversations without an id share idle sockets, when the provider says so', async () => {
    const transport = webSocketAnswering(() => answerEvents('resp_1', 'hi'));
    const providerWith = (shareIdleWebSockets: boolean) =>
      createCodexProvider({
        ...endpoints,
        auth: { type: 'api-key', apiKey: 'sk-test' },
        transport: 'websocket',
        webSocketTransport: transport,
        shareIdleWebSockets,
      });
    const sharing = providerWith(true);
    await collect(sharing.createConversation({ model: 'gpt-5.4' }).send('hi'));
    // A session the caller named keeps sockets of its own (their handshake carries its id).
    await collect(sharing.createConversation({ model: 'gpt-5.4', id: 'named-session' }).send('hi'));
    await collect(providerWith(false).createConversation({ model: 'gpt-5.4' }).send('hi'));
    expect(transport.requests.map((request) => request.shareConnection)).toEqual([
      true,
      undefined,
      undefined,
    ]);
  });

  it('echoes x-codex-turn-state within a user turn and forgets it at the next user message', async () => {
    let turn = 0;
    const transport = fakeTransport(async (request) => {
      turn += 1;
      const call = {
        id: `fc_${turn}`,
        type: 'function_call',
        call_id: `call_${turn}`,
        name: 'f',
        arguments: '{}',
      };
      const events = [
        { type: 'response.output_item.done', output_index: 0, item: call },
        { type: 'response.completed', response: { id: `resp_${turn}`, status: 'completed' } },
      ];
      return responseOf('websocket', eventsThen(events), {
        headers: { 'x-codex-turn-state': `state-${turn}` },
        connection: { id: 'wsc_1', continued: request.continuation !== undefined },
      });
    });
    const conversation = conversationOn(transport);
    await collect(conversation.send('first question'));
    await collect(conversation.send([{ role: 'tool', toolCallId: 'call_1', content: 'result' }]));
    await collect(conversation.send('second question'));
    const sent = transport.requests.map((request) => request.headers['x-codex-turn-state']);
    expect(sent).toEqual([undefined, 'state-1', undefined]);
  });

  it('resends in full when previous_response_not_found arrives as the first error chunk', async () => {
    const transport = webSocketAnswering((_request, index) => {
      if (index === 1) {
        return [
          { type: 'error', code: 'previous_response_not_found', message: 'Previous response not found.' },
        ];
      }
      return answerEvents(`resp_${index}`, `answer ${index}`);
    });
    const conversation = conversationOn(transport);
    await collect(conversation.send('one'));
    const chunks = await collect(conversation.send('two'));
    expect(chunks.filter((chunk) => chunk.type === 'error')).toEqual([]);
    expect(transport.requests).toHaveLength(3);
    expect(transport.requests[1]?.continuation?.body.previous_response_id).toBe('resp_0');
    expect(transport.requests[2]?.continuation).toBeUndefined();
    expect(transport.requests[2]?.body.previous_response_id).toBeUndefined();
    expect(transport.requests[2]?.body.input).toHaveLength(3);
  });

  it('resends only once: a second previous_response_not_found reaches the caller', async () => {
    const transport = webSocketAnswering((_request, index) =>
      index === 0
        ? answerEvents('resp_0', 'zero')
        : transportError('Previous response not found.', {
            status: 400,
            errorCode: 'previous_response_not_found',
            fallbackSafe: true,
          }),
    );
    const conversation = conversationOn(transport);
    await collect(conversation.send('one'));
    const failure = await collect(conversation.send('two')).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'invalid-request' });
    expect(transport.requests).toHaveLength(3);
    expect(conversation.history).toHaveLength(2);
  });

  it('retries a socket closed for its age once, on a fresh socket, keeping the continuation offer', async () => {
    const transport = webSocketAnswering((_request, index) =>
      index === 1
        ? transportError('Responses websocket connection limit reached (60 minutes).', {
            status: 400,
            errorCode: 'websocket_connection_limit_reached',
            fallbackSafe: true,
          })
        : answerEvents(`resp_${index}`, `answer ${index}`),
    );
    const conversation = conversationOn(transport);
    await collect(conversation.send('one'));
    const chunks = await collect(conversation.send('two'));
    expect(chunks.at(-1)).toMatchObject({ type: 'done' });
    expect(transport.requests).toHaveLength(3);
    expect(transport.requests[2]?.body).toBe(transport.requests[1]?.body);
  });

  it('offers no continuation after a response without output items or one cut short', async () => {
    const transport = webSocketAnswering((_request, index) =>
      index === 0
        ? [
            ...textEvents('cut').slice(0, -1),
            {
              type: 'response.incomplete',
              response: {
                id: 'resp_0',
                status: 'incomplete',
                incomplete_details: { reason: 'max_output_tokens' },
              },
            },
          ]
        : answerEvents(`resp_${index}`, 'fine'),
    );
    const conversation = conversationOn(transport);
    const first = await collect(conversation.send('one'));
    expect(first.at(-1)).toMatchObject({ type: 'done', finishReason: 'length' });
    await collect(conversation.send('two'));
    expect(transport.requests[1]?.continuation).toBeUndefined();
    // The streamed text was rebuilt into the history as an assistant message.
    expect(conversation.history.map((item) => item.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
  });

  it('turns chat messages and raw items into history items, keeping tool results of earlier calls', async () => {
    const warnings: string[] = [];
    const transport = webSocketAnswering((_request, index) => answerEvents(`resp_${index}`, 'ok'));
    const provider = createCodexProvider({
      ...endpoints,
      auth: { type: 'api-key', apiKey: 'sk-test' },
      transport: 'websocket',
      webSocketTransport: transport,
      onWarning: (message) => warnings.push(message),
    });
    const conversation = provider.createConversation({
      model: 'gpt-5.4',
      history: [{ id: 'fc_9', type: 'function_call', call_id: 'call_9', name: 'f', arguments: '{}' }],
    });
    await collect(
      conversation.send([
        { role: 'developer', content: 'Stay on topic.' },
        { role: 'tool', toolCallId: 'call_9', content: 'nine' },
        { role: 'tool', toolCallId: 'call_unknown', content: 'orphan' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'raw' }], id: 'msg_x' },
      ]),
    );
    expect(transport.requests[0]?.body.input).toEqual([
      { type: 'function_call', call_id: 'call_9', name: 'f', arguments: '{}' },
      { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'Stay on topic.' }] },
      { type: 'function_call_output', call_id: 'call_9', output: 'nine' },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'raw' }] },
    ]);
    expect(warnings).toHaveLength(1);
  });

  it("sends a tool result for the call id the chunks showed under the id the server's finished item gave", async () => {
    const { transport, provider, warnings } = providerCorrectingCallId();
    const conversation = provider.createConversation({ model: 'gpt-5.4' });
    const chunks = await collect(conversation.send('call f'));
    // The chunks keep the id they started with.
    expect(chunks.filter((chunk) => chunk.type === 'tool-call-start')).toEqual([
      { type: 'tool-call-start', id: 'call_seen', name: 'f' },
    ]);
    await collect(conversation.send([{ role: 'tool', toolCallId: 'call_seen', content: 'one' }]));
    await collect(conversation.send([{ type: 'function_call_output', call_id: 'call_seen', output: 'two' }]));
    expect(warnings).toEqual([]);
    // Continued on the socket: only the new items go up, each answering the id the server knows.
    expect(transport.requests[1]?.continuation?.body.input).toEqual([
      { type: 'function_call_output', call_id: 'call_final', output: 'one' },
    ]);
    expect(transport.requests[2]?.continuation?.body.input).toEqual([
      { type: 'function_call_output', call_id: 'call_final', output: 'two' },
    ]);
    expect(conversation.history.filter((item) => 'call_id' in item).map((item) => item.call_id)).toEqual([
      'call_final',
      'call_final',
      'call_final',
    ]);
  });
  it.each([
    ['a chat tool message', { role: 'tool' as const, toolCallId: 'call_seen', content: 'one' }],
    ['a raw function_call_output', { type: 'function_call_output', call_id: 'call_seen', output: 'one' }],
  ])(
    "keeps answering under the server's id after a rebuild from the saved history (%s)",
    async (_name, result) => {
      const { transport, provider, warnings } = providerCorrectingCallId();
      const first = provider.createConversation({ model: 'gpt-5.4' });
      const chunks = await collect(first.send('call f'));
      expect(chunks.filter((chunk) => chunk.type === 'tool-call-start').map((chunk) => chunk.id)).toEqual([
        'call_seen',
      ]);
      const saved = first.history;
      await first.close();

      // A process that saved the history (and the call id its chunks showed) rebuilds the conversation.
      const rebuilt = provider.createConversation({ model: 'gpt-5.4', history: saved });
      await collect(rebuilt.send([result]));
      expect(warnings).toEqual([]);
      expect(transport.requests[1]?.body.input).toEqual([
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'call f' }] },
        { type: 'function_call', call_id: 'call_final', name: 'f', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_final', output: 'one' },
      ]);
    },
  );

  it('does not pair an unknown result with a pending call when the counts differ', async () => {
    const warnings: string[] = [];
    const transport = webSocketAnswering((_request, index) => answerEvents(`resp_${index}`, 'ok'));
    const provider = createCodexProvider({
      ...endpoints,
      auth: { type: 'api-key', apiKey: 'sk-test' },
      transport: 'websocket',
      webSocketTransport: transport,
      onWarning: (message) => warnings.push(message),
    });
    const conversation = provider.createConversation({
      model: 'gpt-5.4',
      history: [
        { type: 'function_call', call_id: 'call_a', name: 'f', arguments: '{}' },
        { type: 'function_call', call_id: 'call_b', name: 'f', arguments: '{}' },
      ],
    });
    await collect(conversation.send([{ role: 'tool', toolCallId: 'call_x', content: 'orphan' }]));
    expect(transport.requests[0]?.body.input).toEqual([
      { type: 'function_call', call_id: 'call_a', name: 'f', arguments: '{}' },
      { type: 'function_call', call_id: 'call_b', name: 'f', arguments: '{}' },
    ]);
    expect(warnings).toHaveLength(1);
  });
});
