import { describe, expect, it } from 'vitest';
import { apiKeyHeaders, chatgptHeaders } from './__fixtures__/emulator-client.js';
import { startEmulatorPerTest } from './__fixtures__/emulator-per-test.js';

const harness = startEmulatorPerTest();
const emulator = () => harness.emulator;

async function embed(body: unknown, headers: Record<string, string> = apiKeyHeaders(emulator())) {
  const response = await fetch(`${emulator().openaiBaseUrl}/embeddings`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('POST /v1/embeddings (OpenAI API)', () => {
  it('embeds each input as a deterministic unit vector, with usage', async () => {
    const { status, json } = await embed({ model: 'text-embedding-3-small', input: ['cat', 'dog', 'cat'] });
    expect(status).toBe(200);
    const data = json.data as { object: string; index: number; embedding: number[] }[];
    expect(data.map((item) => [item.object, item.index, item.embedding.length])).toEqual([
      ['embedding', 0, 1536],
      ['embedding', 1, 1536],
      ['embedding', 2, 1536],
    ]);
    expect(data[0]?.embedding).toEqual(data[2]?.embedding);
    expect(data[0]?.embedding).not.toEqual(data[1]?.embedding);
    const norm = Math.hypot(...(data[0]?.embedding ?? []));
    expect(norm).toBeCloseTo(1, 5);
    expect(json).toMatchObject({
      object: 'list',
      model: 'text-embedding-3-small',
      usage: { prompt_tokens: 3 },
    });
  });

  it('sends the same vectors as base64 float32 bytes when asked (what the openai SDKs ask for)', async () => {
    const body = { model: 'text-embedding-3-large', input: 'hello', dimensions: 8 };
    const encoded = await embed({ ...body, encoding_format: 'base64' });
    const plain = await embed(body);
    const text = (encoded.json.data as { embedding: string }[])[0]?.embedding ?? '';
    const bytes = Buffer.from(text, 'base64');
    const decoded = Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4));
    const floats = (plain.json.data as { embedding: number[] }[])[0]?.embedding;
    expect(floats).toHaveLength(8);
    expect(decoded).toEqual(floats);
  });

  it('refuses what the API refuses, naming it, and needs an API key', async () => {
    for (const [body, param] of [
      [{ input: 'x' }, 'model'],
      [{ model: 'text-embedding-3-small', input: '' }, 'input'],
      [{ model: 'text-embedding-3-small', input: [] }, 'input'],
      [{ model: 'text-embedding-3-small', input: [{}] }, 'input'],
      [{ model: 'text-embedding-3-small', input: 'x', dimensions: 0 }, 'dimensions'],
      [{ model: 'text-embedding-3-small', input: 'x', dimensions: 1537 }, 'dimensions'],
      [{ model: 'text-embedding-3-small', input: 'x', encoding_format: 'hex' }, 'encoding_format'],
    ] as const) {
      const refused = await embed(body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.json).toMatchObject({ error: { param } });
    }
    expect((await embed({ model: 'text-embedding-3-small', input: 'x' }, {})).status).toBe(401);
    // A ChatGPT login's token is no API key.
    expect(
      (await embed({ model: 'text-embedding-3-small', input: 'x' }, chatgptHeaders(emulator()))).status,
    ).toBe(401);
  });
});
