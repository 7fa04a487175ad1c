import { describe, expect, it } from 'vitest';
import { type BackgroundResponse, BackgroundResponseRegistry } from './background-responses.js';
import { GatewayError } from './openai-error.js';

const TAG = 'tag';

function delta(text: string): { type: string } & Record<string, unknown> {
  return { type: 'response.output_text.delta', delta: text };
}

function completed(id: string): { type: string } & Record<string, unknown> {
  return { type: 'response.completed', response: { id, status: 'completed', output: [] } };
}

/** A registry on a clock the test moves, and a way to start responses in it. */
function registryWith(limits: ConstructorParameters<typeof BackgroundResponseRegistry>[0] = {}) {
  let now = 1_000;
  const stopped: string[] = [];
  const registry = new BackgroundResponseRegistry(limits, () => now);
  const start = (id: string, tag = TAG): BackgroundResponse => {
    const response = registry.start(tag, { id, status: 'in_progress', output: [] }, () => stopped.push(id));
    response.push({ type: 'response.created', response: { id, status: 'in_progress', output: [] } }, now);
    return response;
  };
  return { registry, start, stopped, advance: (ms: number) => (now += ms) };
}

/** Every frame a stream from `startingAfter` gives, as parsed events. */
async function readAll(
  response: BackgroundResponse,
  startingAfter = -1,
  signal = new AbortController().signal,
): Promise<Record<string, unknown>[]> {
  const events: Record<string, unknown>[] = [];
  for await (const frame of response.framesAfter(startingAfter, signal))
    events.push(JSON.parse(frame.split('data: ')[1] ?? '') as Record<string, unknown>);
  return events;
}

describe('BackgroundResponse', () => {
  it('numbers its events, marks response objects as background ones, and ends at the terminal one', async () => {
    const { start } = registryWith();
    const response = start('resp_1');
    response.push({ ...delta('a'), sequence_number: 99 }, 0);
    response.push(completed('resp_1'), 0);
    expect(response.ended).toBe(true);
    expect(response.status).toBe('completed');
    expect(response.response).toMatchObject({ id: 'resp_1', status: 'completed', background: true });
    const events = await readAll(response);
    expect(events.map((event) => event.sequence_number)).toEqual([0, 1, 2]);
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.output_text.delta',
      'response.completed',
    ]);
    expect(await readAll(response, 1)).toHaveLength(1);
    // Nothing is added once it ended.
    response.push(delta('late'), 0);
    expect(await readAll(response)).toHaveLength(3);
  });

  it('wakes a reader at each new event and ends it at the end; a reader that leaves just stops', async () => {
    const { start } = registryWith();
    const response = start('resp_1');
    const reader = response.framesAfter(0, new AbortController().signal);
    // Waiting for the next event: it comes as soon as it is pushed, before the response ends.
    const next = reader.next();
    await new Promise((resolve) => setImmediate(resolve));
    response.push(delta('a'), 0);
    expect(String((await next).value)).toContain('"delta":"a"');
    response.push(completed('resp_1'), 0);
    expect(String((await reader.next()).value)).toContain('response.completed');
    expect((await reader.next()).done).toBe(true);

    const running = start('resp_2');
    const leaving = new AbortController();
    const partial = readAll(running, -1, leaving.signal);
    await new Promise((resolve) => setImmediate(resolve));
    leaving.abort();
    expect(await partial).toHaveLength(1);
    expect(running.ended).toBe(false);
  });

  it("fails with an error event's code and message, or with the gateway's own failure", async () => {
    const { start } = registryWith();
    const upstreamError = start('resp_1');
    upstreamError.push({ type: 'error', code: 'server_error', message: 'broke' }, 0);
    expect(upstreamError.status).toBe('failed');
    expect(upstreamError.response).toMatchObject({
      status: 'failed',
      error: { code: 'server_error', message: 'broke' },
    });
    const ownFailure = start('resp_2');
    ownFailure.finish('failed', 0, {
      code: 'server_shutting_down',
      message: 'The gateway is shutting down.',
    });
    expect(ownFailure.response).toMatchObject({ status: 'failed', error: { code: 'server_shutting_down' } });
    expect((await readAll(ownFailure)).at(-1)).toMatchObject({ type: 'error', code: 'server_shutting_down' });
  });

  it('is cancelled once: its upstream stops, its snapshot is kept, cancelling again changes nothing', () => {
    const { start, stopped } = registryWith();
    const response = start('resp_1');
    const cancelled = response.cancel(
      { id: 'resp_1', status: 'in_progress', output: [{ type: 'message' }] },
      0,
    );
    expect(cancelled).toMatchObject({ status: 'cancelled', background: true, output: [{ type: 'message' }] });
    expect(stopped).toEqual(['resp_1']);
    expect(response.cancel(undefined, 0)).toBe(cancelled);
    expect(stopped).toEqual(['resp_1']);
    const done = start('resp_2');
    done.push(completed('resp_2'), 0);
    expect(done.cancel(undefined, 0).status).toBe('completed');
    expect(stopped).toEqual(['resp_1']);
  });

  it('keeps its newest events within its byte limit; a reader behind them gets events_expired', async () => {
    const { start } = registryWith({ maxEventBytes: 400 });
    const response = start('resp_1');
    const behind = new AbortController();
    const slowReader = response.framesAfter(-1, behind.signal);
    expect(await slowReader.next()).toMatchObject({ done: false });
    for (let index = 0; index < 20; index += 1) response.push(delta(`delta number ${index}`), 0);
    expect(response.eventBytes).toBeLessThanOrEqual(400);
    expect(response.canResumeAfter(-1)).toBe(false);
    expect(response.canResumeAfter(19)).toBe(true);
    const next = await slowReader.next();
    expect(String(next.value)).toContain('"code":"events_expired"');
    expect((await slowReader.next()).done).toBe(true);
  });
});

describe('BackgroundResponseRegistry', () => {
  it('finds a response by key and id only', () => {
    const { registry, start } = registryWith();
    start('resp_1');
    expect(registry.find(TAG, 'resp_1')?.id).toBe('resp_1');
    expect(registry.find('other', 'resp_1')).toBeUndefined();
    expect(registry.find(TAG, 'resp_2')).toBeUndefined();
  });

  it('refuses more running responses than allowed, and counts ended ones out', () => {
    const { registry, start } = registryWith({ maxRunning: 2 });
    const first = start('resp_1');
    start('resp_2');
    expect(registry.runningCount).toBe(2);
    let refusal: unknown;
    try {
      registry.checkCapacity();
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(GatewayError);
    expect(refusal).toMatchObject({ status: 429, code: 'too_many_background_responses' });
    first.push(completed('resp_1'), 0);
    expect(registry.runningCount).toBe(1);
    expect(() => registry.checkCapacity()).not.toThrow();
  });

  it('forgets ended responses past their age or beyond the count, never running ones', () => {
    const { registry, start, advance } = registryWith({ maxKept: 2, maxAgeMs: 1_000 });
    const old = start('resp_old');
    old.push(completed('resp_old'), 1_000);
    const running = start('resp_running');
    const newer = start('resp_newer');
    newer.push(completed('resp_newer'), 1_000);
    // Three kept, two allowed: the oldest ended one goes, the running one stays.
    expect(registry.find(TAG, 'resp_old')).toBeUndefined();
    expect(registry.find(TAG, 'resp_running')).toBe(running);
    expect(registry.find(TAG, 'resp_newer')).toBe(newer);
    advance(1_001);
    expect(registry.find(TAG, 'resp_newer')).toBeUndefined();
    expect(registry.find(TAG, 'resp_running')).toBe(running);
  });

  it("drops the oldest ended responses' events beyond the total byte limit, keeping their objects", () => {
    const run = (start: (id: string) => BackgroundResponse, id: string): BackgroundResponse => {
      const response = start(id);
      for (let index = 0; index < 3; index += 1) response.push(delta(`delta ${index}`), 0);
      response.push(completed(id), 0);
      return response;
    };
    const oneResponseBytes = run(registryWith().start, 'resp_0').eventBytes;
    const { registry, start } = registryWith({ maxTotalEventBytes: Math.round(oneResponseBytes * 1.5) });
    run(start, 'resp_1');
    run(start, 'resp_2');
    expect(registry.find(TAG, 'resp_1')?.eventBytes).toBe(0);
    expect(registry.find(TAG, 'resp_1')?.response.status).toBe('completed');
    expect(registry.find(TAG, 'resp_2')?.eventBytes).toBeGreaterThan(0);
  });

  it('forgets an ended response when asked, not a running one', () => {
    const { registry, start } = registryWith();
    const running = start('resp_1');
    expect(registry.forget(TAG, 'resp_1')).toBe(false);
    running.push(completed('resp_1'), 0);
    expect(registry.forget(TAG, 'resp_1')).toBe(true);
    expect(registry.find(TAG, 'resp_1')).toBeUndefined();
  });
});
