import { describe, expect, it } from 'vitest';
import { startGatewayHarness, TEST_SERVER_KEY } from './__fixtures__/gateway-harness.js';

const TIMEOUT = { timeout: 30_000 };
const headers = { authorization: `Bearer ${TEST_SERVER_KEY}`, 'content-type': 'application/json' };

function chat(baseUrl: string, model: string): Promise<Response> {
  return fetch(`${baseUrl}/chat/completions`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ model, messages: [{ role: 'user', content: '[scenario:text] hi' }] }),
  });
}

describe('gateway models from the live list', () => {
  it('serves a model added to the backend at run time, and hidden models by id', TIMEOUT, async () => {
    const harness = await startGatewayHarness();
    try {
      const before = (await (await fetch(`${harness.baseUrl}/models`, { headers })).json()) as {
        data: { id: string }[];
      };
      expect(before.data.map((model) => model.id)).not.toContain('o3');
      expect(before.data.map((model) => model.id)).toContain('gpt-5.1-codex-max');
      expect((await fetch(`${harness.baseUrl}/models/codex-mini-latest`, { headers })).status).toBe(200);
      harness.emulator.setOptions({
        models: [{ slug: 'gpt-6', display_name: 'GPT-6' }, { slug: 'gpt-5.4' }],
      });
      expect((await chat(harness.baseUrl, 'gpt-6')).status).toBe(200);
      expect((await fetch(`${harness.baseUrl}/models/gpt-6`, { headers })).status).toBe(200);
      const metrics = await (await fetch(`${harness.gateway.url}/metrics`, { headers })).text();
      expect(metrics).toMatch(/codetether_upstream_usage_used_percent\{window="primary"\} \d/);
    } finally {
      await harness.close();
    }
  });

  it('answers a plan-gated model with 404 model_not_found listing the alternatives', TIMEOUT, async () => {
    const harness = await startGatewayHarness({ emulator: { account: { planType: 'free' } } });
    try {
      for (const response of [
        await chat(harness.baseUrl, 'gpt-5.4'),
        await fetch(`${harness.baseUrl}/models/gpt-5.4`, { headers }),
      ]) {
        expect(response.status).toBe(404);
        const body = (await response.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('model_not_found');
        expect(body.error.message).toContain(
          'free plan. Supported models: gpt-5.4-mini, gpt-5.1-codex-mini, gpt-5-mini.',
        );
      }
    } finally {
      await harness.close();
    }
  });
});
