import { describe, expect, it } from 'vitest';
import { createFakeGateway } from './__fixtures__/fake-gateway.js';
import { until } from './__fixtures__/until.js';

describe('background responses over the stateless passthrough', () => {
  it('runs, is retrieved and resumed from the background registry alone', async () => {
    const { call, provider, gateway } = createFakeGateway();
    provider.responseEvents = [
      { type: 'response.created', response: { id: 'resp_plain', status: 'in_progress', output: [] } },
      { type: 'response.output_text.delta', delta: 'Hello' },
      { type: 'response.completed', response: { id: 'resp_plain', status: 'completed', output: [] } },
    ];
    const created = await call('/v1/responses', {
      json: { model: 'gpt-5.4', input: 'Hi', background: true },
    });
    expect(created.status).toBe(200);
    expect(await created.json()).toMatchObject({ id: 'resp_plain', background: true });
    // `background` is never sent upstream.
    expect(provider.responseBodies.at(-1)).not.toHaveProperty('background');
    await until(() => gateway.inFlightRequests === 0);
    expect(await (await call('/v1/responses/resp_plain')).json()).toMatchObject({
      status: 'completed',
      background: true,
    });
    const resumed = await (await call('/v1/responses/resp_plain?stream=true&starting_after=0')).text();
    expect(resumed).toContain('"delta":"Hello"');
    expect(resumed).not.toContain('response.created');
  });

  it('ends failed, logged, when the gateway itself fails running it (no unhandled rejection)', async () => {
    const { call, provider, gateway, lines } = createFakeGateway();
    provider.responseEvents = [
      { type: 'response.created', response: { id: 'resp_broken', status: 'in_progress', output: [] } },
      // A value no JSON holds: writing the event fails inside the gateway.
      { type: 'response.output_text.delta', delta: 'x', size: 10n },
    ];
    const created = await call('/v1/responses', {
      json: { model: 'gpt-5.4', input: 'Hi', background: true },
    });
    expect(created.status).toBe(200);
    await until(async () => {
      const body = (await (await call('/v1/responses/resp_broken')).json()) as { status: string };
      return body.status !== 'in_progress';
    });
    expect(await (await call('/v1/responses/resp_broken')).json()).toMatchObject({
      status: 'failed',
      error: { code: 'server_error' },
    });
    expect(gateway.inFlightRequests).toBe(0);
    expect(lines.some((line) => line.includes('a background response failed in the gateway'))).toBe(true);
  });
});
