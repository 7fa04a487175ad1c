import { describe, expect, it } from 'vitest';
import { startGatewayHarness, TEST_SERVER_KEY } from './__fixtures__/gateway-harness.js';
import { toCodexModelCatalogue } from './codex-model-catalogue.js';

const TIMEOUT = { timeout: 30_000 };
const headers = { authorization: `Bearer ${TEST_SERVER_KEY}`, 'content-type': 'application/json' };

interface ErrorBody {
  error: { type: string; code: string | null; message: string; param: string | null };
}

async function errorOf(response: Response, status: number): Promise<ErrorBody['error']> {
  expect(response.status).toBe(status);
  const body = (await response.json()) as ErrorBody;
  expect(body.error).toMatchObject({ type: 'invalid_request_error' });
  expect(body.error.message.length).toBeLessThan(1_000);
  return body.error;
}

describe('GET /v1/models/{id} with a hostile id', () => {
  it.each(['chatgpt', 'api-key'] as const)(
    'answers an unknown or path-like id with 404 (%s)',
    TIMEOUT,
    async (auth) => {
      const harness = await startGatewayHarness({ auth });
      try {
        for (const id of ['gpt-404', '..%2F..%2Fetc%2Fpasswd', 'a%2Fb', 'a%5Cb', '%252e%252e']) {
          const error = await errorOf(await fetch(`${harness.baseUrl}/models/${id}`, { headers }), 404);
          expect(error.code).toBe('model_not_found');
        }
        // The URL parser turns `%2e%2e` into `..`: the path is then no model route at all.
        const dotDot = await errorOf(await fetch(`${harness.baseUrl}/models/%2e%2e`, { headers }), 404);
        expect(dotDot.code).toBe('unknown_url');
        expect((await fetch(`${harness.baseUrl}/models/gpt-5.4`, { headers })).status).toBe(200);
      } finally {
        await harness.close();
      }
    },
  );

  it('answers an id that is no model name with 400, without asking the backend', TIMEOUT, async () => {
    const harness = await startGatewayHarness();
    try {
      await fetch(`${harness.baseUrl}/models`, { headers });
      const listRequests = () =>
        harness.emulator.requests.filter((request) => request.path.endsWith('/models'));
      const before = listRequests().length;
      for (const id of ['a'.repeat(8_000), 'gpt-5.4%00', 'gpt%205.4', 'gpt-5.4%0D%0Ax-injected:1']) {
        const error = await errorOf(await fetch(`${harness.baseUrl}/models/${id}`, { headers }), 400);
        expect(error.message).not.toContain('a'.repeat(100));
      }
      expect(listRequests()).toHaveLength(before);
    } finally {
      await harness.close();
    }
  });

  it('answers a chat naming a 1 MB model with 400', TIMEOUT, async () => {
    const harness = await startGatewayHarness();
    try {
      const response = await fetch(`${harness.baseUrl}/chat/completions`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model: 'm'.repeat(1_000_000), messages: [{ role: 'user', content: 'hi' }] }),
      });
      await errorOf(response, 400);
    } finally {
      await harness.close();
    }
  });
});

describe('GET /v1/models under load', () => {
  it('answers 40 concurrent first requests with one upstream list request', TIMEOUT, async () => {
    const harness = await startGatewayHarness();
    try {
      const responses = await Promise.all(
        Array.from({ length: 40 }, () => fetch(`${harness.baseUrl}/models`, { headers })),
      );
      expect(responses.every((response) => response.status === 200)).toBe(true);
      expect(harness.emulator.requests.filter((request) => request.path.endsWith('/models'))).toHaveLength(1);
    } finally {
      await harness.close();
    }
  });
});

describe('toCodexModelCatalogue with numbers the Codex CLI cannot read', () => {
  it('makes priorities 32-bit integers and context windows whole token counts', () => {
    const { models } = toCodexModelCatalogue([
      { id: 'low', priority: -1e308, contextWindow: 1e308 },
      { id: 'fraction', priority: 1.5, contextWindow: 1.5 },
      { id: 'nan', priority: Number.NaN, contextWindow: Number.NaN },
      { id: 'negative', priority: 3, contextWindow: -10 },
    ]);
    expect(models.map((model) => [model.priority, model.context_window])).toEqual([
      [-2_147_483_648, 272_000],
      [1, 272_000],
      [2, 272_000],
      [3, 272_000],
    ]);
  });
});
