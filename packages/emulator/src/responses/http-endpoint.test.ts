import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  apiKeyHeaders,
  chatgptHeaders,
  outputText,
  postResponses,
  responseOf,
  type StreamEvent,
  until,
  userInput,
} from '../__fixtures__/emulator-client.js';
import { startEmulator } from '../server.js';
import type { Emulator } from '../types.js';
import { REASONING_SUMMARY, TEXT_ANSWER } from './scenario-plan.js';

let emulator: Emulator;

beforeEach(async () => {
  emulator = await startEmulator();
});

afterEach(async () => {
  await emulator.close();
});

function chatgpt(body: Record<string, unknown>, extraHeaders: Record<string, string> = {}) {
  return postResponses(
    `${emulator.chatgptBaseUrl}/responses`,
    { ...chatgptHeaders(emulator), ...extraHeaders },
    { model: 'gpt-5.4', stream: true, store: false, ...body },
  );
}

/** A streamed `[scenario:text]` request left unread (the test sets the pacing first), its response. */
function startHeldStream(signal?: AbortSignal): Promise<Response> {
  return fetch(`${emulator.chatgptBaseUrl}/responses`, {
    method: 'POST',
    headers: chatgptHeaders(emulator),
    body: JSON.stringify({
      model: 'gpt-5.4',
      stream: true,
      store: false,
      input: userInput('[scenario:text] x'),
    }),
    ...(signal === undefined ? {} : { signal }),
  });
}

function types(events: StreamEvent[]): string[] {
  return events.map((event) => event.type);
}

describe('request validation', () => {
  it('answers 401 with the real error shape without a bearer token', async () => {
    const { status, json } = await postResponses(
      `${emulator.chatgptBaseUrl}/responses`,
      { 'content-type': 'application/json' },
      { model: 'gpt-5.4', input: 'hi' },
    );
    expect(status).toBe(401);
    expect(json).toMatchObject({
      error: {
        type: 'invalid_request_error',
        code: 'invalid_api_key',
        param: null,
        message: expect.any(String),
      },
    });
  });

  it('answers 401 token_expired for an expired access token', async () => {
    const tokens = emulator.issueTokens({ expiresInSeconds: -10 });
    const { status, json } = await postResponses(
      `${emulator.chatgptBaseUrl}/responses`,
      { authorization: `Bearer ${tokens.accessToken}`, 'chatgpt-account-id': tokens.accountId },
      { model: 'gpt-5.4', input: 'hi' },
    );
    expect(status).toBe(401);
    expect(json).toMatchObject({ error: { code: 'token_expired' } });
  });

  it('answers 401 mentioning chatgpt-account-id when the header is missing', async () => {
    const { 'chatgpt-account-id': _omitted, ...headers } = chatgptHeaders(emulator);
    const { status, json } = await postResponses(`${emulator.chatgptBaseUrl}/responses`, headers, {
      model: 'gpt-5.4',
      input: 'hi',
    });
    expect(status).toBe(401);
    expect(JSON.stringify(json)).toContain('chatgpt-account-id');
  });

  it('rejects max_output_tokens and unknown models on the ChatGPT backend with 400', async () => {
    const limited = await chatgpt({ input: 'hi', max_output_tokens: 100 });
    expect(limited.status).toBe(400);
    expect(limited.json).toMatchObject({ error: { param: 'max_output_tokens' } });
    const unknown = await chatgpt({ model: 'gpt-4o', input: 'hi' });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.json)).toContain("'gpt-4o' model is not supported");
  });

  it.each([
    ['temperature', 0.2],
    ['top_p', 0.9],
    ['frequency_penalty', 0.5],
    ['presence_penalty', 0.5],
    ['metadata', { run: 'a' }],
    ['user', 'user-1'],
    ['safety_identifier', 'hashed-user'],
    ['prompt_cache_retention', '24h'],
    ['max_tokens', 100],
    ['max_completion_tokens', 100],
  ])(
    'rejects %s on the ChatGPT backend as it does: 400 {"detail": "Unsupported parameter: …"}',
    async (field, value) => {
      const refused = await chatgpt({ input: 'hi', [field]: value });
      expect(refused.status).toBe(400);
      expect(refused.json).toEqual({ detail: `Unsupported parameter: ${field}` });
      const accepted = await postResponses(`${emulator.openaiBaseUrl}/responses`, apiKeyHeaders(emulator), {
        model: 'gpt-5.4',
        input: 'hi',
        [field]: value,
      });
      expect(accepted.status).toBe(200);
    },
  );

  it('accepts max_output_tokens and any model on the OpenAI API but rejects unknown API keys', async () => {
    const ok = await postResponses(`${emulator.openaiBaseUrl}/responses`, apiKeyHeaders(emulator), {
      model: 'gpt-4.1',
      input: 'hi',
      max_output_tokens: 50,
    });
    expect(ok.status).toBe(200);
    const bad = await postResponses(
      `${emulator.openaiBaseUrl}/responses`,
      { authorization: 'Bearer sk-not-issued' },
      { model: 'gpt-5.4', input: 'hi' },
    );
    expect(bad.status).toBe(401);
    expect(bad.json).toMatchObject({ error: { code: 'invalid_api_key' } });
  });

  it('answers 400 for invalid JSON and unknown scenario headers', async () => {
    const response = await fetch(`${emulator.chatgptBaseUrl}/responses`, {
      method: 'POST',
      headers: chatgptHeaders(emulator),
      body: '{not json',
    });
    expect(response.status).toBe(400);
    const unknown = await chatgpt({ input: 'hi' }, { 'x-codetether-scenario': 'nope' });
    expect(unknown.status).toBe(400);
  });
});

describe('scenarios over HTTP SSE', () => {
  it('echo (default) repeats the last user text with realistic events and usage', async () => {
    const { status, headers, events } = await chatgpt({ input: userInput('Repeat after me: blue whale 🐋') });
    expect(status).toBe(200);
    expect(headers.get('content-type')).toContain('text/event-stream');
    expect(outputText(events)).toBe('Repeat after me: blue whale 🐋');
    expect(types(events).slice(0, 4)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
    ]);
    expect(types(events).slice(-4)).toEqual([
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_event, index) => index));
    const completed = events.at(-1)?.response as Record<string, unknown>;
    expect(completed.status).toBe('completed');
    expect(completed.usage).toMatchObject({
      input_tokens: expect.any(Number),
      input_tokens_details: { cached_tokens: expect.any(Number) },
      output_tokens: expect.any(Number),
      output_tokens_details: { reasoning_tokens: expect.any(Number) },
      total_tokens: expect.any(Number),
    });
  });

  it('sends the x-codex rate-limit headers on the ChatGPT backend', async () => {
    const { headers } = await chatgpt({ input: 'hi' });
    expect(Number(headers.get('x-codex-primary-used-percent'))).toBeGreaterThanOrEqual(0);
    expect(headers.get('x-codex-primary-window-minutes')).toBe('300');
    expect(headers.get('x-codex-secondary-window-minutes')).toBe('10080');
    expect(Number(headers.get('x-codex-primary-reset-at'))).toBeGreaterThan(Date.now() / 1000);
    expect(headers.get('x-codex-plan-type')).toBe('plus');
    expect(headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('chooses scenarios by option, header and marker', async () => {
    emulator.setOptions({ scenario: 'text' });
    expect(outputText((await chatgpt({ input: 'anything' })).events)).toBe(TEXT_ANSWER);
    const byHeader = await chatgpt({ input: 'anything' }, { 'x-codetether-scenario': 'echo' });
    expect(outputText(byHeader.events)).toBe('anything');
    const byMarker = await chatgpt({ input: userInput('[scenario:echo] marked') });
    expect(outputText(byMarker.events)).toBe('marked');
    expect(emulator.requests.map((request) => request.scenario)).toEqual(['text', 'echo', 'echo']);
  });

  it('reasoning: summary deltas then text, with reasoning tokens', async () => {
    const { events } = await chatgpt({ input: userInput('[scenario:reasoning] think') });
    const summary = events
      .filter((event) => event.type === 'response.reasoning_summary_text.delta')
      .map((event) => event.delta)
      .join('');
    expect(summary).toBe(REASONING_SUMMARY);
    const firstText = types(events).indexOf('response.output_text.delta');
    expect(types(events).indexOf('response.reasoning_summary_text.done')).toBeLessThan(firstText);
    const usage = responseOf(events.at(-1)).usage as { output_tokens_details: { reasoning_tokens: number } };
    expect(usage.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);
  });

  it('tool-call: split arguments, fc_ item id distinct from call_ id, the offered tool name', async () => {
    const tools = [
      {
        type: 'function',
        name: 'get_weather',
        strict: false,
        parameters: { type: 'object', properties: { city: { type: 'string' } } },
      },
    ];
    const { events } = await chatgpt({ input: userInput('[scenario:tool-call] weather?'), tools });
    const deltas = events.filter((event) => event.type === 'response.function_call_arguments.delta');
    expect(deltas.length).toBeGreaterThan(1);
    const done = events.find((event) => event.type === 'response.output_item.done')?.item as Record<
      string,
      unknown
    >;
    expect(done).toMatchObject({ type: 'function_call', name: 'get_weather' });
    expect(String(done.id)).toMatch(/^fc_/);
    expect(String(done.call_id)).toMatch(/^call_/);
    expect(deltas.every((event) => event.item_id === done.id)).toBe(true);
    expect(JSON.parse(deltas.map((event) => event.delta).join(''))).toEqual({ city: 'Paris' });
    expect(JSON.parse(String(done.arguments))).toEqual({ city: 'Paris' });
  });

  it('parallel-tool-calls: two calls with distinct ids', async () => {
    const { events } = await chatgpt({ input: userInput('[scenario:parallel-tool-calls] two') });
    const calls = events
      .filter((event) => event.type === 'response.output_item.done')
      .map((event) => event.item as Record<string, unknown>);
    expect(calls).toHaveLength(2);
    expect(new Set(calls.map((call) => call.call_id)).size).toBe(2);
    expect(calls.map((call) => (events.find((e) => e.item === call) as StreamEvent).output_index)).toEqual([
      0, 1,
    ]);
  });

  it('tool-result: a second turn answers the function_call_output', async () => {
    const { events } = await chatgpt({
      input: [
        ...userInput('weather?'),
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_1', output: '{"temperature":"21C"}' },
      ],
    });
    expect(outputText(events)).toContain('21C');
  });

  it('failed, incomplete and error-nested end with the matching terminal event', async () => {
    const failed = await chatgpt({ input: userInput('[scenario:failed] x') });
    expect(failed.events.at(-1)).toMatchObject({
      type: 'response.failed',
      response: { status: 'failed', error: { code: 'server_error' } },
    });
    const incomplete = await chatgpt({ input: userInput('[scenario:incomplete] x') });
    expect(incomplete.events.at(-1)).toMatchObject({
      type: 'response.incomplete',
      response: { incomplete_details: { reason: 'max_output_tokens' } },
    });
    const nested = await chatgpt({ input: userInput('[scenario:error-nested] x') });
    expect(nested.events.at(-1)).toMatchObject({ type: 'error', error: { code: 'context_length_exceeded' } });
  });

  it('rate-limited: 429 with Retry-After, exhausted headers and the usage-limit body', async () => {
    const { status, headers, json } = await chatgpt({ input: userInput('[scenario:rate-limited] x') });
    expect(status).toBe(429);
    expect(Number(headers.get('retry-after'))).toBeGreaterThan(0);
    expect(headers.get('x-codex-primary-used-percent')).toBe('100');
    expect(json).toMatchObject({
      error: {
        type: 'usage_limit_reached',
        plan_type: 'plus',
        resets_at: expect.any(Number),
        resets_in_seconds: expect.any(Number),
      },
    });
  });

  it('server-error-then-success counts per session and per emulator', async () => {
    const run = (session?: string) =>
      chatgpt(
        { input: userInput('[scenario:server-error-then-success] x') },
        session === undefined ? {} : { 'session-id': session },
      );
    expect((await run('a')).status).toBe(500);
    expect((await run('b')).status).toBe(500);
    expect((await run('a')).status).toBe(200);
    expect((await run()).status).toBe(500);
    expect((await run()).status).toBe(200);
    emulator.setOptions({ serverErrorCount: 2, serverErrorStatus: 503 });
    expect((await run('c')).status).toBe(503);
    expect((await run('c')).status).toBe(503);
    expect((await run('c')).status).toBe(200);
  });

  it('disconnect: the connection drops mid-stream without a terminal event', async () => {
    const response = await fetch(`${emulator.chatgptBaseUrl}/responses`, {
      method: 'POST',
      headers: chatgptHeaders(emulator),
      body: JSON.stringify({ model: 'gpt-5.4', input: userInput('[scenario:disconnect] x') }),
    });
    expect(response.status).toBe(200);
    let received = '';
    const error = await (async () => {
      try {
        for await (const chunk of response.body as AsyncIterable<Uint8Array>)
          received += Buffer.from(chunk).toString();
        return undefined;
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeDefined();
    expect(received).toContain('response.output_text.delta');
    expect(received).not.toContain('response.completed');
  });

  it('slow: paces events with tokenDelayMs and still completes', async () => {
    emulator.setOptions({ tokenDelayMs: 1 });
    const { events } = await chatgpt({ input: userInput('[scenario:slow] x') });
    expect(outputText(events)).toBe(TEXT_ANSWER);
  });

  it('a new eventDelayMs paces the streams already running, from their pause in progress on', async () => {
    // Held at 10 minutes an event: only the change lets it finish (within the test's timeout).
    emulator.setOptions({ eventDelayMs: 600_000 });
    const reader = (await startHeldStream()).body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('response.created');
    emulator.setOptions({ eventDelayMs: 0 });
    let text = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      text += new TextDecoder().decode(chunk.value);
    expect(text).toContain('response.completed');
  });

  it('paces any number of streams at once without a warning about listeners', async () => {
    // Each paced stream listens for option changes while it runs: past 10 listeners on one target
    // Node warns of a leak (MaxListenersExceededWarning) unless told that many are expected.
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      emulator.setOptions({ eventDelayMs: 600_000 });
      const readers = await Promise.all(
        Array.from({ length: 12 }, async () => (await startHeldStream()).body!.getReader()),
      );
      await Promise.all(readers.map((reader) => reader.read()));
      emulator.setOptions({ eventDelayMs: 0 });
      for (const reader of readers)
        for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read());
      // (Warnings are emitted on the next tick.)
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('records how each stream ended: completed, cut by its scenario, aborted by a client that left', async () => {
    await chatgpt({ input: userInput('[scenario:text] x') });
    expect(emulator.requests.at(-1)?.streamEnd).toBe('completed');
    await chatgpt({ input: userInput('[scenario:disconnect] x') }).catch(() => undefined);
    await until(() => emulator.requests.at(-1)?.streamEnd !== undefined);
    expect(emulator.requests.at(-1)?.streamEnd).toBe('cut');

    emulator.setOptions({ eventDelayMs: 600_000 });
    const client = new AbortController();
    await (await startHeldStream(client.signal)).body!.getReader().read();
    expect(emulator.requests.at(-1)?.streamEnd).toBeUndefined();
    client.abort();
    await until(() => emulator.requests.at(-1)?.streamEnd !== undefined);
    expect(emulator.requests.at(-1)?.streamEnd).toBe('aborted');
    // A request answered with an error has none.
    await chatgpt({ model: 'no-such-model', input: userInput('x') });
    expect(emulator.requests.at(-1)?.streamEnd).toBeUndefined();
  });

  it('large: streams the configured number of bytes', async () => {
    emulator.setOptions({ largeResponseBytes: 2 * 1024 * 1024 });
    const { events } = await chatgpt({ input: userInput('[scenario:large] x') });
    expect(outputText(events).length).toBe(2 * 1024 * 1024);
    expect(events.at(-1)?.type).toBe('response.completed');
  });

  it('unauthorized: 401 even with valid credentials', async () => {
    expect((await chatgpt({ input: userInput('[scenario:unauthorized] x') })).status).toBe(401);
  });

  it('previous_response_id works for stored responses only', async () => {
    const stored = await postResponses(`${emulator.openaiBaseUrl}/responses`, apiKeyHeaders(emulator), {
      model: 'gpt-5.4',
      input: 'one',
      store: true,
      stream: true,
    });
    const id = responseOf(stored.events.at(-1)).id;
    expect(id).toMatch(/^resp_/);
    const next = await postResponses(`${emulator.openaiBaseUrl}/responses`, apiKeyHeaders(emulator), {
      model: 'gpt-5.4',
      input: 'two',
      previous_response_id: id,
    });
    expect(next.status).toBe(200);
    const missing = await postResponses(`${emulator.openaiBaseUrl}/responses`, apiKeyHeaders(emulator), {
      model: 'gpt-5.4',
      input: 'two',
      previous_response_id: 'resp_missing',
    });
    expect(missing.status).toBe(400);
    expect(missing.json).toMatchObject({ error: { code: 'previous_response_not_found' } });
  });
});

describe('the OpenAI API without stream: true', () => {
  async function post(body: Record<string, unknown>) {
    const response = await fetch(`${emulator.openaiBaseUrl}/responses`, {
      method: 'POST',
      headers: apiKeyHeaders(emulator),
      body: JSON.stringify({ model: 'gpt-4.1', ...body }),
    });
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      json: (await response.json()) as Record<string, unknown>,
    };
  }

  it('answers one JSON response object with the output and usage', async () => {
    const { status, contentType, json } = await post({ input: 'plain answer please' });
    expect(status).toBe(200);
    expect(contentType).toContain('application/json');
    expect(json).toMatchObject({
      object: 'response',
      status: 'completed',
      model: 'gpt-4.1',
      output: [{ type: 'message', content: [{ type: 'output_text', text: 'plain answer please' }] }],
      usage: { input_tokens: expect.any(Number), output_tokens: expect.any(Number) },
    });
    const stored = await post({ input: 'keep me', store: true });
    const next = await post({ input: 'next', previous_response_id: stored.json.id });
    expect(next.status).toBe(200);
  });

  it('answers tool calls, incomplete, failed and nested-error scenarios like the real API', async () => {
    const tool = await post({ input: userInput('[scenario:tool-call] x'), stream: false });
    expect(tool.json.output).toEqual([
      expect.objectContaining({ type: 'function_call', name: 'get_weather' }),
    ]);
    const incomplete = await post({ input: userInput('[scenario:incomplete] x') });
    expect(incomplete.json).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
    });
    const failed = await post({ input: userInput('[scenario:failed] x') });
    expect(failed).toMatchObject({
      status: 500,
      json: { error: { type: 'server_error', code: 'server_error' } },
    });
    const nested = await post({ input: userInput('[scenario:error-nested] x') });
    expect(nested).toMatchObject({ status: 400, json: { error: { code: 'context_length_exceeded' } } });
    const limited = await post({ input: userInput('[scenario:rate-limited] x') });
    expect(limited.status).toBe(429);
  });

  it('drops the connection for the disconnect scenario', async () => {
    await expect(post({ input: userInput('[scenario:disconnect] x') })).rejects.toThrow();
  });
});
