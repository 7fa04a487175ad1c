import { TEXT_ANSWER } from '@codetether/emulator';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { apiErrorOf } from './__fixtures__/api-error.js';
import { TEST_SERVER_KEY } from './__fixtures__/gateway-harness.js';
import { PYTHON_AVAILABLE, runPythonScript } from './__fixtures__/python-sdk.js';
import { useSuiteGateway, useTwoKeySuiteGateway } from './__fixtures__/suite-gateway.js';

const TIMEOUT = { timeout: 30_000 };
const MODEL = 'gpt-5.4';

/** Every item of a cursor page and the pages after it (the SDK's auto-pagination). */
async function all<Item>(page: AsyncIterable<Item>): Promise<Item[]> {
  const items: Item[] = [];
  for await (const item of page) items.push(item);
  return items;
}

describe('stored chat completions through the openai SDK', () => {
  const suite = useTwoKeySuiteGateway();

  it('stores a completion with store: true, streamed or not, and retrieves it', TIMEOUT, async () => {
    const created = await suite.client.chat.completions.create({
      model: MODEL,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: '[scenario:text] hello' },
      ],
      store: true,
      metadata: { run: 'a' },
    });
    const retrieved = await suite.client.chat.completions.retrieve(created.id);
    expect(retrieved).toEqual({ ...created, metadata: { run: 'a' } });

    const stream = await suite.client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: [{ type: 'text', text: '[scenario:text] streamed' }] }],
      store: true,
      stream: true,
      stream_options: { include_usage: true },
    });
    let id = '';
    let text = '';
    for await (const chunk of stream) {
      id = chunk.id;
      text += chunk.choices[0]?.delta.content ?? '';
    }
    const streamed = await suite.client.chat.completions.retrieve(id);
    expect(streamed.object).toBe('chat.completion');
    expect(streamed.choices[0]?.message.content).toBe(text);
    expect(text).toBe(TEXT_ANSWER);
    expect(streamed.usage?.total_tokens).toBeGreaterThan(0);
    expect(streamed.metadata).toEqual({});

    const messages = await suite.client.chat.completions.messages.list(id);
    expect(messages.data).toEqual([
      expect.objectContaining({
        id: `${id}-0`,
        role: 'user',
        content: '[scenario:text] streamed',
        content_parts: [{ type: 'text', text: '[scenario:text] streamed' }],
      }),
    ]);
    const systemFirst = await suite.client.chat.completions.messages.list(created.id);
    expect(systemFirst.data.map((message) => [message.role, message.content])).toEqual([
      ['system', 'Be brief.'],
      ['user', '[scenario:text] hello'],
    ]);
  });

  it('keeps nothing without store: true', TIMEOUT, async () => {
    const answered = await suite.client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: '[scenario:text] not kept' }],
    });
    expect((await apiErrorOf(suite.client.chat.completions.retrieve(answered.id))).status).toBe(404);
  });

  it('lists them oldest first, by model and metadata, page by page', TIMEOUT, async () => {
    const ids: string[] = [];
    for (const [index, tag] of ['x', 'y', 'x'].entries()) {
      const created = await suite.client.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: `[scenario:text] list ${index}` }],
        store: true,
        metadata: { tag, index: String(index) },
      });
      ids.push(created.id);
    }
    const tagged = await all(suite.client.chat.completions.list({ metadata: { tag: 'x' }, limit: 1 }));
    expect(tagged.map((completion) => completion.id)).toEqual([ids[0], ids[2]]);
    const both = await all(suite.client.chat.completions.list({ metadata: { tag: 'x', index: '2' } }));
    expect(both.map((completion) => completion.id)).toEqual([ids[2]]);
    const newestFirst = await suite.client.chat.completions.list({ order: 'desc', limit: 2 });
    expect(newestFirst.data.map((completion) => completion.id)).toEqual([ids[2], ids[1]]);
    expect(newestFirst.has_more).toBe(true);
    expect(await all(suite.client.chat.completions.list({ model: 'gpt-5.4-mini' }))).toEqual([]);
    // Another key sees none of them.
    expect(await all(suite.otherClient.chat.completions.list())).toEqual([]);
  });

  it('updates metadata, deletes, and answers 404 for another key or an unknown id', TIMEOUT, async () => {
    const created = await suite.client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: '[scenario:text] update me' }],
      store: true,
      metadata: { state: 'draft' },
    });
    const updated = await suite.client.chat.completions.update(created.id, { metadata: { state: 'final' } });
    expect(updated.metadata).toEqual({ state: 'final' });
    expect((await suite.client.chat.completions.retrieve(created.id)).metadata).toEqual({ state: 'final' });
    for (const call of [
      () => suite.otherClient.chat.completions.retrieve(created.id),
      () => suite.otherClient.chat.completions.update(created.id, { metadata: {} }),
      () => suite.otherClient.chat.completions.delete(created.id),
      () => suite.otherClient.chat.completions.messages.list(created.id),
      () => suite.client.chat.completions.retrieve('chatcmpl-unknown'),
    ]) {
      const error = await apiErrorOf(call());
      expect(error.status).toBe(404);
    }
    const metrics = await (await fetch(`${suite.harness.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/^codetether_server_stored_chat_completions [1-9]\d*$/m);
    expect(metrics).toMatch(/^codetether_server_stored_chat_completion_bytes [1-9]\d*$/m);
    expect(await suite.client.chat.completions.delete(created.id)).toEqual({
      id: created.id,
      object: 'chat.completion.deleted',
      deleted: true,
    });
    expect((await apiErrorOf(suite.client.chat.completions.retrieve(created.id))).status).toBe(404);
    expect((await apiErrorOf(suite.client.chat.completions.delete(created.id))).status).toBe(404);
  });

  it('refuses bad metadata, limits and cursors, naming them', TIMEOUT, async () => {
    const tooMany = Object.fromEntries(Array.from({ length: 17 }, (_, index) => [`k${index}`, 'v']));
    const refused = await apiErrorOf(
      suite.client.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: '[scenario:text] x' }],
        store: true,
        metadata: tooMany,
      }),
    );
    expect(refused.status).toBe(400);
    expect(refused.param).toBe('metadata');
    const created = await suite.client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: '[scenario:text] y' }],
      store: true,
    });
    const badValue = await apiErrorOf(
      suite.client.chat.completions.update(created.id, { metadata: { key: 'v'.repeat(513) } }),
    );
    expect(badValue.param).toBe('metadata.key');
    for (const query of ['limit=0', 'limit=101', 'order=sideways', 'after=chatcmpl-nope']) {
      const answer = await fetch(`${suite.harness.baseUrl}/chat/completions?${query}`, {
        headers: { authorization: `Bearer ${suite.client.apiKey}` },
      });
      expect(answer.status, query).toBe(400);
    }
  });
});

describe('stored chat completions turned off', () => {
  const suite = useSuiteGateway({ storedChatCompletions: false });

  it('answers store: true as usual, keeps nothing, and says so on the endpoints', TIMEOUT, async () => {
    const client = new OpenAI({ baseURL: suite.harness.baseUrl, apiKey: TEST_SERVER_KEY, maxRetries: 0 });
    const created = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: '[scenario:text] off' }],
      store: true,
    });
    expect(created.choices[0]?.message.content).toBe(TEXT_ANSWER);
    const error = await apiErrorOf(client.chat.completions.retrieve(created.id));
    expect(error.status).toBe(404);
    expect(error.message).toContain('turned off');
  });
});

describe.skipIf(!PYTHON_AVAILABLE)('stored chat completions: the Python SDK', () => {
  const suite = useSuiteGateway();

  it('stores, lists, updates and deletes', TIMEOUT, async () => {
    const output = await runPythonScript(
      `
import sys, json
from openai import OpenAI
client = OpenAI(base_url=sys.argv[1], api_key=sys.argv[2], max_retries=0)
created = client.chat.completions.create(model="gpt-5.4", messages=[{"role": "user", "content": "[scenario:text] py"}], store=True, metadata={"from": "python"})
listed = [c.id for c in client.chat.completions.list(metadata={"from": "python"})]
updated = client.chat.completions.update(created.id, metadata={"from": "python", "done": "yes"})
messages = [m.content for m in client.chat.completions.messages.list(created.id)]
deleted = client.chat.completions.delete(created.id)
print(json.dumps({"listed": listed == [created.id], "metadata": updated.metadata, "messages": messages, "deleted": deleted.deleted}))
`,
      [suite.harness.baseUrl, TEST_SERVER_KEY],
    );
    expect(JSON.parse(output)).toEqual({
      listed: true,
      metadata: { from: 'python', done: 'yes' },
      messages: ['[scenario:text] py'],
      deleted: true,
    });
  });
});
