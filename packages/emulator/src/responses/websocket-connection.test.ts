import { describe, expect, it } from 'vitest';
import {
  apiKeyHeaders,
  chatgptHeaders,
  errorEventOf,
  outputItems,
  outputText,
  postResponses,
  responseOf,
  type StreamEvent,
  type TestSocket,
  userInput,
} from '../__fixtures__/emulator-client.js';
import { startEmulatorPerTest } from '../__fixtures__/emulator-per-test.js';
import { TEXT_ANSWER } from './scenario-plan.js';

const harness = startEmulatorPerTest();
const emulator = () => harness.emulator;

function connect(backend: 'chatgpt' | 'openai' = 'chatgpt'): Promise<TestSocket> {
  return backend === 'chatgpt'
    ? harness.connect(`${emulator().chatgptBaseUrl}/responses`, chatgptHeaders(emulator()))
    : harness.connect(`${emulator().openaiBaseUrl}/responses`, apiKeyHeaders(emulator()));
}

async function turn(socket: TestSocket, body: Record<string, unknown>): Promise<StreamEvent[]> {
  socket.create({ model: 'gpt-5.4', store: false, ...body });
  return socket.nextResponse();
}

function completedId(events: StreamEvent[]): string {
  const last = events.at(-1);
  expect(last?.type).toBe('response.completed');
  return responseOf(last).id;
}

const WEATHER_TOOL = {
  type: 'function',
  name: 'get_weather',
  strict: false,
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
  },
};

const notFound = (id: string) => ({
  type: 'error',
  status_code: 400,
  error: {
    type: 'invalid_request_error',
    code: 'previous_response_not_found',
    param: 'previous_response_id',
    message: `Previous response with id '${id}' not found.`,
  },
});

describe('continuing on the connection that produced a response (store: false)', () => {
  it('answers the whole conversation: the last input, its output, then the new items', async () => {
    const socket = await connect();
    const first = await turn(socket, {
      input: userInput('weather in Oslo?'),
      tools: [WEATHER_TOOL],
      tool_choice: 'required',
    });
    const [call] = outputItems(first);
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather' });
    // Only the tool output is sent: the emulator sees the user text and the call from the last response.
    const second = await turn(socket, {
      previous_response_id: completedId(first),
      input: [{ type: 'function_call_output', call_id: call?.call_id, output: '{"temperature":"21C"}' }],
      tools: [WEATHER_TOOL],
    });
    expect(outputText(second)).toContain('21C');
    // An empty delta continues too: the echo answers the last user text of the conversation.
    const third = await turn(socket, { previous_response_id: completedId(second), input: [] });
    expect(outputText(third)).toBe('weather in Oslo?');
    expect(responseOf(third.at(-1)).previous_response_id).toBe(completedId(second));

    const frames = emulator().requests.filter((request) => request.transport === 'websocket');
    expect(frames.map((request) => request.inputItems)).toEqual([1, 1, 0]);
    expect(frames.map((request) => request.previousResponseId)).toEqual([
      undefined,
      completedId(first),
      completedId(second),
    ]);
    expect(new Set(frames.map((request) => request.connectionId)).size).toBe(1);
    expect(frames[0]?.connectionId).toMatch(/^conn_/);
  });

  it('records the bytes of each frame, so tests can see a continued turn sent less', async () => {
    const socket = await connect();
    const history = userInput(`a long first question ${'x'.repeat(2_000)}`);
    const first = await turn(socket, { input: history });
    const fullBody = {
      model: 'gpt-5.4',
      store: false,
      input: [...history, ...outputItems(first), ...userInput('next')],
    };
    socket.create({ ...fullBody, input: userInput('next'), previous_response_id: completedId(first) });
    await socket.nextResponse();
    const [firstFrame, secondFrame] = emulator().requests;
    expect(firstFrame?.bytesReceived).toBe(
      Buffer.byteLength(
        JSON.stringify({ type: 'response.create', model: 'gpt-5.4', store: false, input: history }),
      ),
    );
    expect(secondFrame?.bytesReceived).toBeLessThan(300);
    expect(secondFrame?.bytesReceived).toBeLessThan(Buffer.byteLength(JSON.stringify(fullBody)));
  });

  it('knows only the last response: an older id, or one after a refused request, is not found', async () => {
    const socket = await connect();
    const first = completedId(await turn(socket, { input: userInput('one') }));
    const second = completedId(await turn(socket, { input: userInput('two'), previous_response_id: first }));
    expect((await turn(socket, { input: [], previous_response_id: first })).at(-1)).toMatchObject(
      notFound(first),
    );
    // The refusal made the connection forget its last response too (clients then resend everything).
    expect((await turn(socket, { input: [], previous_response_id: second })).at(-1)).toMatchObject(
      notFound(second),
    );
    expect(outputText(await turn(socket, { input: userInput('full input again') }))).toBe('full input again');
  });

  it('does not know a response of another connection, nor of HTTP', async () => {
    const producer = await connect();
    const id = completedId(await turn(producer, { input: userInput('hello') }));
    const other = await connect();
    expect((await turn(other, { input: [], previous_response_id: id })).at(-1)).toMatchObject(notFound(id));
    const overHttp = await postResponses(
      `${emulator().chatgptBaseUrl}/responses`,
      chatgptHeaders(emulator()),
      {
        model: 'gpt-5.4',
        stream: true,
        store: false,
        input: [],
        previous_response_id: id,
      },
    );
    expect(overHttp).toMatchObject({ status: 400, json: { error: notFound(id).error } });
    // The producer still knows it.
    expect(outputText(await turn(producer, { input: [], previous_response_id: id }))).toBe('hello');
  });

  it('stores store:true responses of the OpenAI API for every connection and HTTP, not the ChatGPT backend', async () => {
    const openai = await connect('openai');
    const stored = completedId(await turn(openai, { input: userInput('remember me'), store: true }));
    const elsewhere = await connect('openai');
    expect(outputText(await turn(elsewhere, { input: [], previous_response_id: stored }))).toBe(
      'remember me',
    );
    const overHttp = await postResponses(`${emulator().openaiBaseUrl}/responses`, apiKeyHeaders(emulator()), {
      model: 'gpt-5.4',
      stream: true,
      input: 'and now?',
      previous_response_id: stored,
    });
    expect(overHttp.status).toBe(200);
    expect(outputText(overHttp.events)).toBe('and now?');

    const chatgpt = await connect('chatgpt');
    const unstored = completedId(await turn(chatgpt, { input: userInput('x'), store: true }));
    const otherChatgpt = await connect('chatgpt');
    expect((await turn(otherChatgpt, { input: [], previous_response_id: unstored })).at(-1)).toMatchObject(
      notFound(unstored),
    );
  });

  it('can be made to fail once with injectPreviousResponseNotFound', async () => {
    const socket = await connect();
    const id = completedId(await turn(socket, { input: userInput('one') }));
    emulator().injectPreviousResponseNotFound();
    expect((await turn(socket, { input: userInput('two'), previous_response_id: id })).at(-1)).toMatchObject(
      notFound(id),
    );
    // The client resends the full input; the next continuation works again.
    const again = completedId(await turn(socket, { input: userInput('one') }));
    expect(outputText(await turn(socket, { input: userInput('two'), previous_response_id: again }))).toBe(
      'two',
    );
  });
});

describe('one connection, one response at a time', () => {
  it('refuses a response.create while one streams with response_already_in_flight, then serves the next', async () => {
    emulator().setOptions({ tokenDelayMs: 5 });
    const socket = await connect();
    socket.create({ model: 'gpt-5.4', input: userInput('the first answer') });
    socket.create({ model: 'gpt-5.4', input: userInput('too early') });
    const events: StreamEvent[] = [];
    while (!events.some((event) => event.type === 'response.completed'))
      events.push(...(await socket.nextResponse()));
    expect(errorEventOf(events)).toMatchObject({
      status_code: 409,
      error: { type: 'invalid_request_error', code: 'response_already_in_flight' },
    });
    expect(outputText(events)).toBe('the first answer');
    // The refused request did not cost the first response its place as the last one.
    const continued = await turn(socket, { input: [], previous_response_id: completedId(events) });
    expect(outputText(continued)).toBe('the first answer');
  });

  it('accepts response.processed silently, even while a response streams', async () => {
    emulator().setOptions({ tokenDelayMs: 2 });
    const socket = await connect();
    socket.create({ model: 'gpt-5.4', input: userInput('first') });
    socket.socket.send(JSON.stringify({ type: 'response.processed', response_id: 'resp_whatever' }));
    const first = await socket.nextResponse();
    expect(errorEventOf(first)).toBeUndefined();
    socket.socket.send(JSON.stringify({ type: 'response.processed', response_id: completedId(first) }));
    const second = await turn(socket, { input: userInput('second') });
    expect(second.map((event) => event.type).slice(0, 2)).toEqual(['codex.rate_limits', 'response.created']);
    expect(outputText(second)).toBe('second');
  });
});

describe('warm-up (generate: false)', () => {
  it('answers response.created and response.completed without output, and can be continued from', async () => {
    const socket = await connect('openai');
    const history = userInput('[scenario:tool-call] warm the cache');
    const warmUp = await turn(socket, { input: history, generate: false, tools: [WEATHER_TOOL] });
    expect(warmUp.map((event) => event.type)).toEqual(['response.created', 'response.completed']);
    expect(responseOf(warmUp.at(-1))).toMatchObject({ status: 'completed', output: [] });
    expect(emulator().requests.at(-1)?.scenario).toBeUndefined();
    const first = await turn(socket, {
      input: [],
      previous_response_id: completedId(warmUp),
      tools: [WEATHER_TOOL],
    });
    expect(outputItems(first)).toEqual([
      expect.objectContaining({ type: 'function_call', name: 'get_weather' }),
    ]);
  });

  it('still validates the request and the previous response', async () => {
    const socket = await connect();
    expect((await turn(socket, { model: 'gpt-4o', input: [], generate: false })).at(-1)).toMatchObject({
      type: 'error',
      error: { code: 'model_not_supported' },
    });
    expect(
      (await turn(socket, { input: [], generate: false, previous_response_id: 'resp_nope' })).at(-1),
    ).toMatchObject(notFound('resp_nope'));
  });
});

describe('maximum connection age', () => {
  it('ends an idle connection at the limit with websocket_connection_limit_reached and a close', async () => {
    emulator().setOptions({ maxConnectionAgeMs: 100 });
    const socket = await connect();
    expect(await socket.nextResponse()).toEqual([
      {
        type: 'error',
        status_code: 400,
        error: {
          type: 'invalid_request_error',
          code: 'websocket_connection_limit_reached',
          param: null,
          message:
            'Responses websocket connection limit reached (100 ms). Create a new websocket connection to continue.',
        },
        headers: {},
      },
    ]);
    expect(await socket.closed).toBe(1000);
  });

  it('answers the next response.create past the limit with the error, then closes', async () => {
    emulator().setOptions({ maxConnectionAgeMs: 0 });
    const socket = await connect();
    emulator().setOptions({ maxConnectionAgeMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const events = await turn(socket, { input: userInput('too late') });
    expect(events).toEqual([
      expect.objectContaining({
        error: expect.objectContaining({ code: 'websocket_connection_limit_reached' }),
      }),
    ]);
    expect(await socket.closed).toBe(1000);
  });

  it('lets a response that is streaming when the limit passes finish first', async () => {
    emulator().setOptions({ maxConnectionAgeMs: 0, tokenDelayMs: 10 });
    const socket = await connect();
    socket.create({ model: 'gpt-5.4', input: userInput('[scenario:slow] long answer') });
    await new Promise((resolve) => socket.socket.once('message', resolve));
    emulator().setOptions({ maxConnectionAgeMs: 1 });
    const events = await socket.nextResponse();
    expect(events.at(-1)?.type).toBe('response.completed');
    expect(outputText(events)).toBe(TEXT_ANSWER);
    expect(errorEventOf(await socket.nextResponse())).toMatchObject({
      error: { code: 'websocket_connection_limit_reached' },
    });
    expect(await socket.closed).toBe(1000);
  });

  it('rejects a maxConnectionAgeMs that is not a number', async () => {
    expect(() => emulator().setOptions({ maxConnectionAgeMs: 'soon' as unknown as number })).toThrow(
      /maxConnectionAgeMs/,
    );
  });
});

describe('dropConnections', () => {
  it('terminates every open WebSocket (1006), mid-stream too; new connections start fresh', async () => {
    const idle = await connect();
    const id = completedId(await turn(idle, { input: userInput('hello') }));
    emulator().setOptions({ tokenDelayMs: 20 });
    const busy = await connect();
    busy.create({ model: 'gpt-5.4', input: userInput('[scenario:slow] x') });
    await new Promise((resolve) => busy.socket.once('message', resolve));
    expect(emulator().dropConnections()).toBe(2);
    expect(await idle.closed).toBe(1006);
    expect(await busy.closed).toBe(1006);
    expect((await busy.nextResponse()).some((event) => event.type === 'response.completed')).toBe(false);
    emulator().setOptions({ tokenDelayMs: 0 });
    const fresh = await connect();
    expect((await turn(fresh, { input: [], previous_response_id: id })).at(-1)).toMatchObject(notFound(id));
    expect(emulator().dropConnections()).toBe(1);
  });
});
