import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { apiErrorOf } from './__fixtures__/api-error.js';
import { TEST_SERVER_KEY } from './__fixtures__/gateway-harness.js';
import { PYTHON_AVAILABLE, runPythonScript } from './__fixtures__/python-sdk.js';
import { useSuiteGateway } from './__fixtures__/suite-gateway.js';

const TIMEOUT = { timeout: 30_000 };

describe('POST /v1/embeddings with an API key', () => {
  const suite = useSuiteGateway({ auth: 'api-key' });

  it("answers the openai SDK's embeddings.create with the OpenAI API's embeddings", TIMEOUT, async () => {
    const answer = await suite.client.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['first text', 'second text'],
      dimensions: 16,
    });
    expect(answer.object).toBe('list');
    expect(answer.model).toBe('text-embedding-3-small');
    expect(answer.data.map((item) => [item.index, item.embedding.length])).toEqual([
      [0, 16],
      [1, 16],
    ]);
    expect(answer.usage.prompt_tokens).toBeGreaterThan(0);
    const floats = await suite.client.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'first text',
      dimensions: 16,
      encoding_format: 'float',
    });
    expect(floats.data[0]?.embedding).toEqual(answer.data[0]?.embedding);
    const sent = suite.harness.emulator.requests
      .filter((request) => request.path === '/v1/embeddings')
      .at(-1);
    expect(sent?.headers.authorization).not.toContain(TEST_SERVER_KEY);
  });

  it("keeps the OpenAI API's refusals: status, param and code", TIMEOUT, async () => {
    const refused = await apiErrorOf(
      suite.client.embeddings.create({ model: 'text-embedding-3-small', input: 'x', dimensions: 99_999 }),
    );
    expect(refused.status).toBe(400);
    expect(refused.param).toBe('dimensions');
    const unchecked = await apiErrorOf(
      suite.client.embeddings.create({ model: '', input: 'x' } as OpenAI.EmbeddingCreateParams),
    );
    expect(unchecked.status).toBe(400);
    expect(unchecked.param).toBe('model');
  });

  it.skipIf(!PYTHON_AVAILABLE)('answers the Python SDK', TIMEOUT, async () => {
    const output = await runPythonScript(
      `
import sys
from openai import OpenAI
client = OpenAI(base_url=sys.argv[1], api_key=sys.argv[2], max_retries=0)
answer = client.embeddings.create(model="text-embedding-3-small", input="hello", dimensions=4)
print(len(answer.data[0].embedding))
`,
      [suite.harness.baseUrl, TEST_SERVER_KEY],
    );
    expect(output.trim()).toBe('4');
  });
});

describe('POST /v1/embeddings over a ChatGPT login', () => {
  const suite = useSuiteGateway();

  it('says it has none and what to do, sending nothing upstream', TIMEOUT, async () => {
    const client = new OpenAI({ baseURL: suite.harness.baseUrl, apiKey: TEST_SERVER_KEY, maxRetries: 0 });
    const error = await apiErrorOf(client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' }));
    expect(error.status).toBe(404);
    expect(error.code).toBe('embeddings_unavailable');
    expect(error.message).toContain('OPENAI_API_KEY');
    expect(suite.harness.emulator.requests.some((request) => request.path.endsWith('/embeddings'))).toBe(
      false,
    );
  });
});
