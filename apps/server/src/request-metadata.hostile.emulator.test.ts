import { describe, expect, it } from 'vitest';
import { type GatewayHarness, TEST_SERVER_KEY } from './__fixtures__/gateway-harness.js';
import { useSuiteGateway } from './__fixtures__/suite-gateway.js';

const TIMEOUT = { timeout: 30_000 };

/** A JSON body sent as text, so that a `"__proto__"` key reaches the gateway as JSON.parse makes it. */
async function send(
  harness: GatewayHarness,
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${harness.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${TEST_SERVER_KEY}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const CHAT = (metadata: string) =>
  `{"model":"gpt-5.4","store":true,"metadata":${metadata},"messages":[{"role":"user","content":"hi"}]}`;

// A metadata key `"__proto__"` is a key like any other: kept and answered back, its value checked.
describe('metadata with a "__proto__" key', () => {
  const suite = useSuiteGateway();

  it('a value that is not a string is the same 400 on every route', TIMEOUT, async () => {
    const bad = '{"__proto__":{"polluted":"yes"}}';
    for (const [path, body] of [
      ['/chat/completions', CHAT(bad)],
      ['/responses', `{"model":"gpt-5.4","input":"hi","metadata":${bad}}`],
      ['/conversations', `{"metadata":${bad}}`],
    ] as const) {
      const answer = await send(suite.harness, 'POST', path, body);
      expect(answer.status, path).toBe(400);
      expect(answer.json.error, path).toMatchObject({ param: 'metadata.__proto__', code: 'invalid_value' });
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('is kept: a stored chat completion, its update, a response and a conversation', TIMEOUT, async () => {
    const metadata = '{"__proto__":"x","a":"b"}';
    const created = await send(suite.harness, 'POST', '/chat/completions', CHAT(metadata));
    expect(created.status).toBe(200);
    const id = created.json.id as string;
    // Another one without the pair: the filter below must leave it out.
    expect((await send(suite.harness, 'POST', '/chat/completions', CHAT('{"a":"b"}'))).status).toBe(200);
    const stored = await send(suite.harness, 'GET', `/chat/completions/${id}`);
    expect(JSON.stringify(stored.json.metadata)).toBe(metadata);
    const filtered = await send(suite.harness, 'GET', '/chat/completions?metadata[__proto__]=x');
    expect((filtered.json.data as { id: string }[]).map((completion) => completion.id)).toEqual([id]);
    const updated = await send(
      suite.harness,
      'POST',
      `/chat/completions/${id}`,
      '{"metadata":{"__proto__":"y"}}',
    );
    expect(JSON.stringify(updated.json.metadata)).toBe('{"__proto__":"y"}');

    const response = await send(
      suite.harness,
      'POST',
      '/responses',
      `{"model":"gpt-5.4","input":"hi","metadata":${metadata}}`,
    );
    expect(JSON.stringify(response.json.metadata)).toBe(metadata);

    const conversation = await send(suite.harness, 'POST', '/conversations', `{"metadata":${metadata}}`);
    expect(JSON.stringify(conversation.json.metadata)).toBe(metadata);
    const retrieved = await send(suite.harness, 'GET', `/conversations/${conversation.json.id as string}`);
    expect(JSON.stringify(retrieved.json.metadata)).toBe(metadata);
  });
});
