import type { RecordedRequest } from '@codetether/emulator';
import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { apiErrorOf } from './__fixtures__/api-error.js';
import type { GatewayHarness } from './__fixtures__/gateway-harness.js';
import { useSuiteGateway } from './__fixtures__/suite-gateway.js';

const TIMEOUT = { timeout: 30_000 };
const MODEL = 'gpt-5.4';

function responsesRequests(harness: GatewayHarness): RecordedRequest[] {
  return harness.emulator.requests.filter((request) => request.path.endsWith('/responses'));
}

describe('POST /v1/responses/input_tokens through the openai SDK (responses.inputTokens.count)', () => {
  const suite = useSuiteGateway();

  it(
    'estimates the input at about four characters a token, says it is an estimate, and asks no upstream',
    TIMEOUT,
    async () => {
      const before = responsesRequests(suite.harness).length;
      const { data, response } = await suite.client.responses.inputTokens
        .count({ model: MODEL, input: 'x'.repeat(400) })
        .withResponse();
      // 400 characters and the message's role (`user`): 404 / 4, rounded up.
      expect(data).toEqual({ object: 'response.input_tokens', input_tokens: 101 });
      expect(response.headers.get('x-codetether-token-count')).toBe('estimate');
      expect(responsesRequests(suite.harness)).toHaveLength(before);
    },
  );

  it('counts instructions, tools, the text format and images as well', TIMEOUT, async () => {
    const count = async (body: OpenAI.Responses.InputTokenCountParams) =>
      (await suite.client.responses.inputTokens.count(body)).input_tokens;
    const bare = await count({ model: MODEL, input: 'hello' });
    expect(await count({ model: MODEL, input: 'hello', instructions: 'y'.repeat(400) })).toBe(bare + 100);
    const tool: OpenAI.Responses.FunctionTool = {
      type: 'function',
      name: 'get_weather',
      parameters: { type: 'object', properties: { city: { type: 'string' } } },
      strict: false,
    };
    expect(await count({ model: MODEL, input: 'hello', tools: [tool] })).toBeGreaterThan(bare + 10);
    const image = await count({
      model: MODEL,
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'hello' },
            { type: 'input_image', image_url: 'data:image/png;base64,AAAA', detail: 'auto' },
          ],
        },
      ],
    });
    expect(image).toBeGreaterThanOrEqual(bare + 1_600);
  });

  it(
    "counts a named response's history, and answers OpenAI's 400 for one it does not hold",
    TIMEOUT,
    async () => {
      const first = await suite.client.responses.create({
        model: MODEL,
        input: `[scenario:text] ${'z'.repeat(800)}`,
      });
      const alone = (await suite.client.responses.inputTokens.count({ model: MODEL, input: 'next' }))
        .input_tokens;
      const after = (
        await suite.client.responses.inputTokens.count({
          model: MODEL,
          input: 'next',
          previous_response_id: first.id,
        })
      ).input_tokens;
      // The earlier question (800 characters) and its answer count too.
      expect(after).toBeGreaterThan(alone + 200);
      const unknown = await apiErrorOf(
        suite.client.responses.inputTokens.count({
          model: MODEL,
          input: 'x',
          previous_response_id: 'resp_unknown1',
        }),
      );
      expect(unknown.status).toBe(400);
      expect(unknown.code).toBe('previous_response_not_found');
    },
  );

  it(
    "counts a conversation's items; an unknown conversation is a 404, both names together a 400",
    TIMEOUT,
    async () => {
      const conversation = await suite.client.conversations.create({
        items: [{ type: 'message', role: 'user', content: 'w'.repeat(800) }],
      });
      const alone = (await suite.client.responses.inputTokens.count({ model: MODEL, input: 'next' }))
        .input_tokens;
      const within = (
        await suite.client.responses.inputTokens.count({
          model: MODEL,
          input: 'next',
          conversation: conversation.id,
        })
      ).input_tokens;
      // Its 800 characters (and the item's role).
      expect(within - alone).toBeGreaterThanOrEqual(200);
      expect(within - alone).toBeLessThanOrEqual(202);
      const unknown = await apiErrorOf(
        suite.client.responses.inputTokens.count({ model: MODEL, input: 'x', conversation: 'conv_unknown1' }),
      );
      expect(unknown.status).toBe(404);
      const both = await apiErrorOf(
        suite.client.responses.inputTokens.count({
          model: MODEL,
          conversation: conversation.id,
          previous_response_id: 'resp_x1',
        }),
      );
      expect(both.status).toBe(400);
      expect(both.code).toBe('mutually_exclusive_parameters');
    },
  );

  it(
    'refuses an input of the wrong type and an unknown item reference, as POST /v1/responses does',
    TIMEOUT,
    async () => {
      const wrong = await apiErrorOf(
        suite.client.responses.inputTokens.count({
          model: MODEL,
          input: 42,
        } as unknown as OpenAI.Responses.InputTokenCountParams),
      );
      expect(wrong.status).toBe(400);
      expect(wrong.param).toBe('input');
      const reference = await apiErrorOf(
        suite.client.responses.inputTokens.count({
          model: MODEL,
          input: [
            { type: 'item_reference', id: 'msg_unknown' } as unknown as OpenAI.Responses.ResponseInputItem,
          ],
        }),
      );
      expect(reference.status).toBe(404);
    },
  );

  it('asks for the server key like every other route', TIMEOUT, async () => {
    const stranger = suite.clientWithKey('ctsk-wrong');
    const error = await apiErrorOf(stranger.responses.inputTokens.count({ model: MODEL, input: 'x' }));
    expect(error.status).toBe(401);
  });
});

describe('POST /v1/responses/input_tokens with an API key: the OpenAI API counts', () => {
  const suite = useSuiteGateway({ auth: 'api-key' });
  const countRequests = () =>
    suite.harness.emulator.requests.filter((request) => request.path.endsWith('/responses/input_tokens'));

  it(
    'answers the upstream count, says so, and sends the history the gateway holds as input',
    TIMEOUT,
    async () => {
      const { data, response } = await suite.client.responses.inputTokens
        .count({ model: MODEL, input: 'x'.repeat(400) })
        .withResponse();
      expect(response.headers.get('x-codetether-token-count')).toBe('upstream');
      // The emulator counts 40 + a token per 4 characters of the input as JSON.
      expect(data.input_tokens).toBeGreaterThan(140);
      const first = await suite.client.responses.create({
        model: MODEL,
        input: '[scenario:text] An earlier question.',
      });
      await suite.client.responses.inputTokens.count({
        model: MODEL,
        input: 'next',
        previous_response_id: first.id,
      });
      const sent = (countRequests().at(-1)?.body ?? {}) as Record<string, unknown>;
      expect(sent.previous_response_id).toBeUndefined();
      expect(JSON.stringify(sent.input)).toContain('An earlier question.');
    },
  );

  it(
    'leaves a previous_response_id it does not hold to the OpenAI API, and passes its refusal on',
    TIMEOUT,
    async () => {
      const error = await apiErrorOf(
        suite.client.responses.inputTokens.count({
          model: MODEL,
          input: 'x',
          previous_response_id: 'resp_elsewhere1',
        }),
      );
      expect(error.status).toBe(400);
      expect(error.code).toBe('previous_response_not_found');
      expect(((countRequests().at(-1)?.body ?? {}) as Record<string, unknown>).previous_response_id).toBe(
        'resp_elsewhere1',
      );
    },
  );
});
