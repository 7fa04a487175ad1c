import { TEXT_ANSWER } from '@codetether/emulator';
import OpenAI from 'openai';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { describe, expect, it } from 'vitest';
import { apiErrorOf } from './__fixtures__/api-error.js';
import { startGatewayHarness, TEST_SERVER_KEY } from './__fixtures__/gateway-harness.js';
import { PYTHON_AVAILABLE, runPythonScript } from './__fixtures__/python-sdk.js';
import { createResponse, openResponsesSocket } from './__fixtures__/responses-websocket-client.js';
import { useSuiteGateway, useTwoKeySuiteGateway } from './__fixtures__/suite-gateway.js';
import { until } from './__fixtures__/until.js';

const TIMEOUT = { timeout: 30_000 };
const MODEL = 'gpt-5.4';

/** Polls a background response as OpenAI's docs do, until it is no longer queued or in progress. */
async function poll(client: OpenAI, id: string): Promise<OpenAI.Responses.Response> {
  for (;;) {
    const response = await client.responses.retrieve(id);
    if (response.status !== 'queued' && response.status !== 'in_progress') return response;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The text of the `output_text` deltas among `events`. */
function textOf(events: readonly ResponseStreamEvent[]): string {
  return events.map((event) => (event.type === 'response.output_text.delta' ? event.delta : '')).join('');
}

describe.each(['http', 'websocket'] as const)('background responses (upstream %s)', (transport) => {
  const suite = useTwoKeySuiteGateway({ transport });

  it('answers at once, runs on, and is polled to completion (then continued)', TIMEOUT, async () => {
    const created = await suite.client.responses.create({
      model: MODEL,
      input: '[scenario:slow] hello',
      background: true,
    });
    expect(created.id).toMatch(/^resp_/);
    expect(created.background).toBe(true);
    expect(['queued', 'in_progress']).toContain(created.status);
    expect(created.output).toEqual([]);

    const done = await poll(suite.client, created.id);
    expect(done.status).toBe('completed');
    expect(done.background).toBe(true);
    expect(done.output_text).toBe(TEXT_ANSWER);
    expect(done.usage?.total_tokens).toBeGreaterThan(0);
    expect(await suite.client.responses.retrieve(created.id)).toEqual(done);
    expect((await suite.client.responses.inputItems.list(created.id)).data).toHaveLength(1);

    const next = await suite.client.responses.create({
      model: MODEL,
      previous_response_id: created.id,
      input: '[scenario:text] and then?',
    });
    expect(next.status).toBe('completed');
    expect(next.background).toBe(false);
    // Nothing of it runs any more.
    await until(() => suite.harness.gateway.gateway.inFlightRequests === 0);
  });

  it('streams, goes on when the client leaves, and resumes after the last event read', TIMEOUT, async () => {
    const stream = await suite.client.responses.create({
      model: MODEL,
      input: '[scenario:slow] resume me',
      background: true,
      stream: true,
    });
    const before: ResponseStreamEvent[] = [];
    for await (const event of stream) {
      before.push(event);
      if (event.type === 'response.output_text.delta' && before.length >= 6) break;
    }
    const created = before[0];
    expect(created?.type).toBe('response.created');
    const id = created?.type === 'response.created' ? created.response.id : '';
    expect(created?.type === 'response.created' && created.response.background).toBe(true);
    const lastSequenceNumber = before.at(-1)?.sequence_number ?? -1;
    expect(before.map((event) => event.sequence_number)).toEqual(before.map((_, index) => index));

    // The client left; the response goes on upstream and is completed.
    expect((await poll(suite.client, id)).status).toBe('completed');

    const resumed = await suite.client.responses.retrieve(id, {
      stream: true,
      starting_after: lastSequenceNumber,
    });
    const after: ResponseStreamEvent[] = [];
    for await (const event of resumed) after.push(event);
    expect(after[0]?.sequence_number).toBe(lastSequenceNumber + 1);
    expect(after.at(-1)?.type).toBe('response.completed');
    expect(textOf([...before, ...after])).toBe(TEXT_ANSWER);

    // From the start, with the SDK's own helper, any number of times.
    const replay = suite.client.responses.stream({ response_id: id });
    const replayed: ResponseStreamEvent[] = [];
    for await (const event of replay) replayed.push(event);
    expect(replayed.map((event) => event.sequence_number)).toEqual(replayed.map((_, index) => index));
    expect(textOf(replayed)).toBe(TEXT_ANSWER);
    const final = await replay.finalResponse();
    expect(final.output_text).toBe(TEXT_ANSWER);
    expect(final.background).toBe(true);
  });

  it('follows a running response live from where a second reader starts', TIMEOUT, async () => {
    const created = await suite.client.responses.create({
      model: MODEL,
      input: '[scenario:slow] follow me',
      background: true,
    });
    const live = await suite.client.responses.retrieve(created.id, { stream: true, starting_after: 0 });
    const events: ResponseStreamEvent[] = [];
    for await (const event of live) events.push(event);
    expect(events[0]?.sequence_number).toBe(1);
    expect(events.at(-1)?.type).toBe('response.completed');
    expect(textOf(events)).toBe(TEXT_ANSWER);
    // While it ran, a retrieve showed it in progress with the output so far; now it is complete.
    expect((await suite.client.responses.retrieve(created.id)).status).toBe('completed');
  });

  it('is cancelled: the upstream stops, what it produced stays, readers end', TIMEOUT, async () => {
    const stream = await suite.client.responses.create({
      model: MODEL,
      input: '[scenario:slow] cancel me',
      background: true,
      stream: true,
    });
    const events: ResponseStreamEvent[] = [];
    let id = '';
    let cancelled: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      events.push(event);
      if (event.type === 'response.created') id = event.response.id;
      if (event.type === 'response.output_text.delta' && cancelled === undefined)
        cancelled = await suite.client.responses.cancel(id);
    }
    expect(cancelled?.status).toBe('cancelled');
    expect(cancelled?.background).toBe(true);
    expect(events.some((event) => event.type === 'response.completed')).toBe(false);
    expect(textOf(events).length).toBeLessThan(TEXT_ANSWER.length);
    await until(() => suite.harness.gateway.gateway.inFlightRequests === 0);
    const retrieved = await suite.client.responses.retrieve(id);
    expect(retrieved.status).toBe('cancelled');
    // Cancelling again changes nothing; a resumed stream replays what it had and ends.
    expect((await suite.client.responses.cancel(id)).status).toBe('cancelled');
    const replayed: ResponseStreamEvent[] = [];
    for await (const event of await suite.client.responses.retrieve(id, { stream: true }))
      replayed.push(event);
    expect(replayed.length).toBeGreaterThan(0);
    expect(replayed.some((event) => event.type === 'response.completed')).toBe(false);
    // A completed one is answered as it is.
    const completed = await suite.client.responses.create({
      model: MODEL,
      input: '[scenario:text] quick',
      background: true,
    });
    await poll(suite.client, completed.id);
    expect((await suite.client.responses.cancel(completed.id)).status).toBe('completed');
  });

  it('is deleted once it ended, not while it runs', TIMEOUT, async () => {
    const created = await suite.client.responses.create({
      model: MODEL,
      input: '[scenario:slow] delete me',
      background: true,
    });
    const running = await apiErrorOf(suite.client.responses.delete(created.id));
    expect(running.status).toBe(400);
    expect(running.code).toBe('response_in_progress');
    await poll(suite.client, created.id);
    await suite.client.responses.delete(created.id);
    expect((await apiErrorOf(suite.client.responses.retrieve(created.id))).status).toBe(404);
    expect((await apiErrorOf(suite.client.responses.cancel(created.id))).status).toBe(404);
  });

  it('belongs to its key: another key can neither read, stream nor cancel it', TIMEOUT, async () => {
    const created = await suite.client.responses.create({
      model: MODEL,
      input: '[scenario:slow] mine',
      background: true,
    });
    for (const call of [
      () => suite.otherClient.responses.retrieve(created.id),
      () => suite.otherClient.responses.retrieve(created.id, { stream: true }),
      () => suite.otherClient.responses.cancel(created.id),
      () => suite.otherClient.responses.delete(created.id),
    ]) {
      const error = await apiErrorOf(call());
      expect(error.status).toBe(404);
    }
    expect((await poll(suite.client, created.id)).status).toBe('completed');
  });

  it('refuses what it cannot be, with the field at fault', TIMEOUT, async () => {
    const unstored = await apiErrorOf(
      suite.client.responses.create({
        model: MODEL,
        input: '[scenario:text] x',
        background: true,
        store: false,
      }),
    );
    expect(unstored.status).toBe(400);
    expect(unstored.param).toBe('store');

    const created = await suite.client.responses.create({
      model: MODEL,
      input: '[scenario:text] y',
      background: true,
    });
    await poll(suite.client, created.id);
    for (const startingAfter of ['x', '1.5', '-2', '1e3']) {
      const answer = await fetch(
        `${suite.harness.baseUrl}/responses/${created.id}?stream=true&starting_after=${startingAfter}`,
        { headers: { authorization: `Bearer ${suite.ownKey}` } },
      );
      expect(answer.status).toBe(400);
      expect(((await answer.json()) as { error: { param: string } }).error.param).toBe('starting_after');
    }
    // Far past the end: nothing more, the stream just ends.
    const beyond: ResponseStreamEvent[] = [];
    for await (const event of await suite.client.responses.retrieve(created.id, {
      stream: true,
      starting_after: 100_000,
    }))
      beyond.push(event);
    expect(beyond).toEqual([]);

    // Only background responses stream again.
    const foreground = await suite.client.responses.create({ model: MODEL, input: '[scenario:text] z' });
    const streamed = await apiErrorOf(suite.client.responses.retrieve(foreground.id, { stream: true }));
    expect(streamed.status).toBe(400);
    expect(streamed.param).toBe('stream');
    expect((await apiErrorOf(suite.client.responses.cancel(foreground.id))).status).toBe(400);
  });

  it('answers an upstream refusal before the response as an error, keeping nothing', TIMEOUT, async () => {
    const refused = await apiErrorOf(
      suite.client.responses.create({ model: MODEL, input: '[scenario:rate-limited] x', background: true }),
    );
    expect(refused.status).toBe(429);
    await until(() => suite.harness.gateway.gateway.inFlightRequests === 0);
  });

  it('fails with an error event when the upstream drops mid-response', TIMEOUT, async () => {
    const stream = await suite.client.responses.create({
      model: MODEL,
      input: '[scenario:disconnect] drop',
      background: true,
      stream: true,
    });
    const events: ResponseStreamEvent[] = [];
    let id = '';
    // The SDK throws the stream's `error` event.
    const failure = await (async () => {
      for await (const event of stream) {
        events.push(event);
        if (event.type === 'response.created') id = event.response.id;
      }
    })().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect(String((failure as Error).message)).toMatch(/broke|closed before the response completed/);
    expect(events.some((event) => event.type === 'response.output_text.delta')).toBe(true);
    const failed = await suite.client.responses.retrieve(id);
    expect(failed.status).toBe('failed');
    expect(failed.error?.message.length).toBeGreaterThan(0);
  });
});

describe('background responses: limits and WebSocket mode', () => {
  const suite = useSuiteGateway({ backgroundResponses: { maxRunning: 1, maxEventBytes: 2048 } });

  it('refuses more running background responses than allowed, with 429', TIMEOUT, async () => {
    const first = await suite.client.responses.create({
      model: MODEL,
      input: '[scenario:slow] one',
      background: true,
    });
    const second = await apiErrorOf(
      suite.client.responses.create({ model: MODEL, input: '[scenario:slow] two', background: true }),
    );
    expect(second.status).toBe(429);
    expect(second.code).toBe('too_many_background_responses');
    const metrics = await (await fetch(`${suite.harness.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/^codetether_server_background_responses_running 1$/m);
    expect(metrics).toMatch(/^codetether_server_background_responses 1$/m);
    expect(metrics).toMatch(/^codetether_server_background_response_event_bytes [1-9]\d*$/m);
    await poll(suite.client, first.id);
    const ended = await (await fetch(`${suite.harness.gateway.url}/metrics`)).text();
    expect(ended).toMatch(/^codetether_server_background_responses_running 0$/m);
    const third = await suite.client.responses.create({
      model: MODEL,
      input: '[scenario:text] three',
      background: true,
    });
    expect((await poll(suite.client, third.id)).status).toBe('completed');
  });

  it('keeps the newest events within its byte limit: an older resume is refused', TIMEOUT, async () => {
    const created = await suite.client.responses.create({
      model: MODEL,
      input: '[scenario:text] long',
      background: true,
    });
    const done = await poll(suite.client, created.id);
    expect(done.output_text).toBe(TEXT_ANSWER);
    const expired = await apiErrorOf(suite.client.responses.retrieve(created.id, { stream: true }));
    expect(expired.status).toBe(400);
    expect(expired.code).toBe('events_expired');
    // The last event is still there.
    const last: ResponseStreamEvent[] = [];
    for await (const event of await suite.client.responses.retrieve(created.id, {
      stream: true,
      starting_after: 1_000_000,
    }))
      last.push(event);
    expect(last).toEqual([]);
  });

  it('is refused over the WebSocket mode, which names the HTTP route', TIMEOUT, async () => {
    const socket = await openResponsesSocket(suite.harness, TEST_SERVER_KEY);
    try {
      const events = await createResponse(socket, {
        model: MODEL,
        input: '[scenario:text] socket',
        background: true,
      });
      const refusal = JSON.stringify(events.at(-1));
      expect(refusal).toContain('background');
      expect(refusal).toContain('POST /v1/responses');
    } finally {
      socket.close();
    }
  });

  it('is stopped by a shutdown: its readers get the reason', TIMEOUT, async () => {
    const shuttingDown = await startGatewayHarness();
    try {
      const ownClient = new OpenAI({ baseURL: shuttingDown.baseUrl, apiKey: TEST_SERVER_KEY, maxRetries: 0 });
      const stream = await ownClient.responses.create({
        model: MODEL,
        input: '[scenario:slow] shutdown',
        background: true,
        stream: true,
      });
      const events: ResponseStreamEvent[] = [];
      // The SDK throws the stream's `error` event.
      const read = (async () => {
        for await (const event of stream) events.push(event);
      })().then(
        () => undefined,
        (error: unknown) => error,
      );
      await until(() => events.length >= 3);
      // The response, and its one reader.
      expect(shuttingDown.gateway.gateway.inFlightRequests).toBe(2);
      await shuttingDown.gateway.close({ graceMs: 0 });
      const failure = await read;
      expect(shuttingDown.gateway.gateway.inFlightRequests).toBe(0);
      expect(failure).toBeInstanceOf(OpenAI.APIError);
      expect((failure as InstanceType<typeof OpenAI.APIError>).code).toBe('server_shutting_down');
    } finally {
      await shuttingDown.close().catch(() => undefined);
    }
  });
});

describe('background responses with continuation off', () => {
  it('run, resume and cancel all the same (kept by the background registry alone)', TIMEOUT, async () => {
    const harness = await startGatewayHarness({ continuation: false });
    try {
      const client = new OpenAI({ baseURL: harness.baseUrl, apiKey: TEST_SERVER_KEY, maxRetries: 0 });
      const created = await client.responses.create({
        model: MODEL,
        input: '[scenario:text] no index',
        background: true,
      });
      const done = await poll(client, created.id);
      expect(done.output_text).toBe(TEXT_ANSWER);
      expect(done.background).toBe(true);
      const replayed: ResponseStreamEvent[] = [];
      for await (const event of await client.responses.retrieve(created.id, {
        stream: true,
        starting_after: 0,
      }))
        replayed.push(event);
      expect(textOf(replayed)).toBe(TEXT_ANSWER);
      await client.responses.delete(created.id);
      expect((await apiErrorOf(client.responses.retrieve(created.id))).status).toBe(404);
    } finally {
      await harness.close();
    }
  });
});

describe.skipIf(!PYTHON_AVAILABLE)('background responses: the Python SDK', () => {
  const suite = useSuiteGateway();

  it('creates, polls and resumes a stream', TIMEOUT, async () => {
    const output = await runPythonScript(
      `
import sys, time, json
from openai import OpenAI
client = OpenAI(base_url=sys.argv[1], api_key=sys.argv[2], max_retries=0)
created = client.responses.create(model="gpt-5.4", input="[scenario:slow] py", background=True)
while created.status in ("queued", "in_progress"):
    time.sleep(0.01)
    created = client.responses.retrieve(created.id)
text = ""
for event in client.responses.retrieve(created.id, stream=True, starting_after=2):
    if event.type == "response.output_text.delta":
        text += event.delta
print(json.dumps({"status": created.status, "background": created.background, "text": created.output_text, "resumed": text}))
`,
      [suite.harness.baseUrl, TEST_SERVER_KEY],
    );
    const result = JSON.parse(output) as {
      status: string;
      background: boolean;
      text: string;
      resumed: string;
    };
    expect(result.status).toBe('completed');
    expect(result.background).toBe(true);
    expect(result.text).toBe(TEXT_ANSWER);
    expect(TEXT_ANSWER.endsWith(result.resumed)).toBe(true);
    expect(result.resumed.length).toBeGreaterThan(0);
  });
});
