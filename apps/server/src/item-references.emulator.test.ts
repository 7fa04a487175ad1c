import { createOpenAI } from '@ai-sdk/openai';
import type { RecordedRequest } from '@codetether/emulator';
import { generateText } from 'ai';
import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { apiErrorOf } from './__fixtures__/api-error.js';
import { type GatewayHarness, TEST_SERVER_KEY } from './__fixtures__/gateway-harness.js';
import { temporaryClientKeyStore, useSuiteGateway } from './__fixtures__/suite-gateway.js';

const TIMEOUT = { timeout: 30_000 };
const MODEL = 'gpt-5.4';

function responsesRequests(harness: GatewayHarness): RecordedRequest[] {
  return harness.emulator.requests.filter(
    (request) => request.path.endsWith('/responses') && request.method === 'POST',
  );
}

function reference(id: string) {
  return { type: 'item_reference', id } as unknown as OpenAI.Responses.ResponseInputItem;
}

describe.each(['http', 'websocket'] as const)('item_reference input items (upstream %s)', (transport) => {
  const suite = useSuiteGateway({ transport });

  it(
    "the AI SDK's Responses model: a turn after a reasoning answer (which it sends back as item references) goes on",
    TIMEOUT,
    async () => {
      const sent: string[] = [];
      const openai = createOpenAI({
        baseURL: suite.harness.baseUrl,
        apiKey: TEST_SERVER_KEY,
        fetch: async (url, init) => {
          sent.push(String(init?.body));
          return fetch(url, init);
        },
      });
      const first = await generateText({
        model: openai.responses(MODEL),
        prompt: '[scenario:reasoning] think',
        maxRetries: 0,
      });
      const second = await generateText({
        model: openai.responses(MODEL),
        messages: [
          { role: 'user', content: '[scenario:reasoning] think' },
          ...first.response.messages,
          { role: 'user', content: '[scenario:text] And then?' },
        ],
        maxRetries: 0,
      });
      expect(second.text).not.toBe('');
      // What the AI SDK sent: its earlier reasoning and answer by reference (it relies on OpenAI's default store: true).
      expect(sent.at(-1)).toContain('"type":"item_reference"');
      const upstream = responsesRequests(suite.harness).at(-1);
      const body = JSON.stringify(upstream?.body);
      expect(body).not.toContain('item_reference');
      if (transport === 'websocket') {
        // The references resolved to what the gateway answered: the conversation is continued upstream.
        expect(upstream?.previousResponseId).toMatch(/^resp_/);
        expect(upstream?.inputItems).toBe(1);
      } else {
        // Sent in full: the answer it referred to is there.
        expect(body).toContain(first.text);
      }
    },
  );

  it(
    'the openai SDK: a reference to an output item of an earlier response is that item',
    TIMEOUT,
    async () => {
      const first = await suite.client.responses.create({
        model: MODEL,
        input: '[scenario:text] Say something.',
      });
      const message = first.output.find((item) => item.type === 'message');
      expect(message?.id).toEqual(expect.any(String));
      const next = await suite.client.responses.create({
        model: MODEL,
        input: [
          { role: 'user', content: '[scenario:text] Say something.' },
          reference(message?.id ?? ''),
          { role: 'user', content: '[scenario:text] Again.' },
        ],
      });
      expect(next.status).toBe('completed');
      const upstream = responsesRequests(suite.harness).at(-1);
      const body = JSON.stringify(upstream?.body);
      expect(body).not.toContain('item_reference');
      if (transport === 'http') expect(body).toContain(first.output_text);
      else expect(upstream?.previousResponseId).toBe(first.id);
    },
  );

  it(
    "answers OpenAI's 404 for an item it does not hold, and a 400 for a reference without an id, before any upstream request",
    TIMEOUT,
    async () => {
      const before = responsesRequests(suite.harness).length;
      const unknown = await apiErrorOf(
        suite.client.responses.create({
          model: MODEL,
          input: [{ role: 'user', content: 'hi' }, reference('msg_unknown')],
        }),
      );
      expect(unknown.status).toBe(404);
      expect(unknown.message).toContain("Item with id 'msg_unknown' not found.");
      expect(unknown.param).toBe('input');
      const noId = await apiErrorOf(
        suite.client.responses.create({
          model: MODEL,
          input: [
            { role: 'user', content: 'hi' },
            { type: 'item_reference' } as unknown as OpenAI.Responses.ResponseInputItem,
          ],
        }),
      );
      expect(noId.status).toBe(400);
      expect(noId.param).toBe('input[1].id');
      expect(noId.code).toBe('missing_required_parameter');
      expect(responsesRequests(suite.harness)).toHaveLength(before);
    },
  );
});

describe('item_reference across client keys', () => {
  const keys = temporaryClientKeyStore();
  const suite = useSuiteGateway({ clientKeys: { store: keys } });

  it("never resolves another key's item: it is unknown to every other key", TIMEOUT, async () => {
    const own = suite.clientWithKey((await keys.create('own')).key);
    const other = suite.clientWithKey((await keys.create('other')).key);
    const first = await own.responses.create({ model: MODEL, input: '[scenario:text] A private answer.' });
    const itemId = first.output[0]?.id ?? '';
    const error = await apiErrorOf(
      other.responses.create({ model: MODEL, input: [{ role: 'user', content: 'hi' }, reference(itemId)] }),
    );
    expect(error.status).toBe(404);
    expect(JSON.stringify(error.error)).not.toContain(first.output_text);
  });
});

describe('item_reference with an API key and store: true', () => {
  const suite = useSuiteGateway({ auth: 'api-key' });

  it(
    'leaves a reference the gateway does not hold to the OpenAI API, which may have stored it',
    TIMEOUT,
    async () => {
      const error = await apiErrorOf(
        suite.client.responses.create({
          model: MODEL,
          store: true,
          input: [{ role: 'user', content: 'hi' }, reference('msg_stored_elsewhere')],
        }),
      );
      // The upstream's own answer (it says nothing of this gateway): it was asked, with the id.
      expect(error.status).toBe(404);
      expect((error.error as { message?: string }).message).toBe(
        "Item with id 'msg_stored_elsewhere' not found.",
      );
      expect(JSON.stringify(responsesRequests(suite.harness).at(-1)?.body)).toContain('msg_stored_elsewhere');
    },
  );
});

describe('item_reference with continuation off', () => {
  const suite = useSuiteGateway({ continuation: false });

  it('is the 404 without any upstream request: the gateway keeps no responses', TIMEOUT, async () => {
    const first = await suite.client.responses.create({ model: MODEL, input: '[scenario:text] hi' });
    const before = responsesRequests(suite.harness).length;
    const error = await apiErrorOf(
      suite.client.responses.create({
        model: MODEL,
        input: [{ role: 'user', content: 'hi' }, reference(first.output[0]?.id ?? '')],
      }),
    );
    expect(error.status).toBe(404);
    expect(responsesRequests(suite.harness)).toHaveLength(before);
  });
});

describe('item_reference in the Conversations API', () => {
  const suite = useSuiteGateway({ transport: 'websocket' });

  it(
    "adds the item a reference names to a conversation (an earlier response's output item, or one of its own), under an id of its own",
    TIMEOUT,
    async () => {
      const earlier = await suite.client.responses.create({
        model: MODEL,
        input: '[scenario:text] An answer to keep.',
      });
      const message = earlier.output.find((item) => item.type === 'message');
      const conversation = await suite.client.conversations.create({
        items: [{ role: 'user', content: 'Keep this.' }, reference(message?.id ?? '') as never],
      });
      const listed = await suite.client.conversations.items.list(conversation.id, { order: 'asc' });
      expect(listed.data.map((item) => item.type)).toEqual(['message', 'message']);
      expect(JSON.stringify(listed.data[1])).toContain(earlier.output_text);
      expect(listed.data[1]?.id).not.toBe(message?.id);
      const ownId = listed.data[0]?.id ?? '';
      const added = await suite.client.conversations.items.create(conversation.id, {
        items: [reference(ownId) as never],
      });
      expect(JSON.stringify(added.data[0])).toContain('Keep this.');
      expect(added.data[0]?.id).not.toBe(ownId);
    },
  );

  it(
    'resolves references in the input of a response on a conversation, and refuses unknown ones with a 404',
    TIMEOUT,
    async () => {
      const conversation = await suite.client.conversations.create({
        items: [{ role: 'user', content: 'Remember 42.' }],
      });
      const [first] = (await suite.client.conversations.items.list(conversation.id)).data;
      const answer = await suite.client.responses.create({
        model: MODEL,
        conversation: conversation.id,
        input: [reference(first?.id ?? ''), { role: 'user', content: '[scenario:text] What number?' }],
      });
      expect(answer.status).toBe('completed');
      expect(JSON.stringify(responsesRequests(suite.harness).at(-1)?.body)).not.toContain('item_reference');
      const unknown = await apiErrorOf(
        suite.client.conversations.items.create(conversation.id, {
          items: [reference('msg_unknown') as never],
        }),
      );
      expect(unknown.status).toBe(404);
      expect(unknown.param).toBe('items');
    },
  );
});
