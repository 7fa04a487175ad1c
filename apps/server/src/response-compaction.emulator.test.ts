import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { apiErrorOf } from './__fixtures__/api-error.js';
import { TEST_SERVER_KEY } from './__fixtures__/gateway-harness.js';
import { PYTHON_AVAILABLE, runPythonScript } from './__fixtures__/python-sdk.js';
import { temporaryClientKeyStore, useSuiteGateway } from './__fixtures__/suite-gateway.js';

const TIMEOUT = { timeout: 30_000 };
const MODEL = 'gpt-5.4';

if (!PYTHON_AVAILABLE)
  console.warn('Skipping the Python openai SDK compaction test: python3 is not installed.');

/** Python's `openai`: a response, its compaction by `previous_response_id`, then a request on the compacted history. */
const PYTHON_COMPACTION = `
import json, sys
from openai import OpenAI
client = OpenAI(base_url=sys.argv[1], api_key=sys.argv[2], max_retries=0)
first = client.responses.create(model="gpt-5.4", input="[scenario:text] The python question.")
compacted = client.responses.compact(model="gpt-5.4", previous_response_id=first.id)
items = [item.model_dump(exclude_none=True) for item in compacted.output]
after = client.responses.create(model="gpt-5.4", input=items + [{"role": "user", "content": "[scenario:text] next"}])
print(json.dumps({"object": compacted.object, "types": [item["type"] for item in items], "status": after.status}))
`;

function userMessage(text: string) {
  return {
    type: 'message' as const,
    role: 'user' as const,
    content: [{ type: 'input_text' as const, text }],
  };
}

/** The compaction items of an output (exactly one is expected at its end). */
function compactionItemsOf(output: readonly { type: string }[]) {
  return output.filter((item) => item.type === 'compaction');
}

describe.each([
  ['chatgpt', 'http'],
  ['chatgpt', 'websocket'],
  ['api-key', 'http'],
] as const)(
  'POST /v1/responses/compact through the openai SDK (%s login, upstream %s)',
  (auth, transport) => {
    const suite = useSuiteGateway({ auth, transport });

    it(
      'compacts a history into its latest user messages and one compaction item, which the next request accepts back',
      TIMEOUT,
      async () => {
        const input = [
          userMessage('Remember the word "heliotrope".'),
          { type: 'message' as const, role: 'assistant' as const, content: 'Noted.' },
          userMessage('[scenario:text] Now summarise our chat.'),
        ];
        const compacted = await suite.client.responses.compact({ model: MODEL, input });
        expect(compacted.object).toBe('response.compaction');
        expect(compacted.id).toMatch(/^resp_/);
        expect(typeof compacted.created_at).toBe('number');
        expect(compacted.usage.input_tokens).toBeGreaterThan(0);
        expect(compacted.output.at(-1)?.type).toBe('compaction');
        expect(compactionItemsOf(compacted.output)).toHaveLength(1);
        // Its latest user messages are kept as they were.
        expect(JSON.stringify(compacted.output)).toContain('Now summarise our chat.');
        const next = await suite.client.responses.create({
          model: MODEL,
          input: [
            ...(compacted.output as OpenAI.Responses.ResponseInputItem[]),
            userMessage('[scenario:text] Go on.'),
          ],
        });
        expect(next.status).toBe('completed');
        expect(next.output_text).not.toBe('');
      },
    );

    it(
      'passes in-band compaction on: a request whose input ends with compaction_trigger answers exactly one compaction item, streamed or not',
      TIMEOUT,
      async () => {
        const first = await suite.client.responses.create({
          model: MODEL,
          input: '[scenario:text] Before compacting.',
        });
        const history = [
          userMessage('[scenario:text] Before compacting.'),
          ...first.output,
        ] as OpenAI.Responses.ResponseInputItem[];
        const trigger = { type: 'compaction_trigger' } as unknown as OpenAI.Responses.ResponseInputItem;
        // The Codex CLI's remote compaction v2: the trigger after the history, on a turn the gateway may continue.
        const compacting = await suite.client.responses.create({
          model: MODEL,
          input: [...history, trigger],
        });
        expect(compacting.output.map((item) => item.type)).toEqual(['compaction']);
        const streamed = await suite.client.responses.create({
          model: MODEL,
          input: [...history, trigger],
          stream: true,
        });
        const done: string[] = [];
        for await (const event of streamed)
          if (event.type === 'response.output_item.done') done.push(event.item.type);
        expect(done).toEqual(['compaction']);
        const next = await suite.client.responses.create({
          model: MODEL,
          input: [
            ...(compacting.output as OpenAI.Responses.ResponseInputItem[]),
            userMessage('[scenario:text] After.'),
          ],
        });
        expect(next.status).toBe('completed');
      },
    );

    it('takes a string input as one user message', TIMEOUT, async () => {
      const compacted = await suite.client.responses.compact({ model: MODEL, input: 'Just this one line.' });
      expect(compacted.output.at(-1)?.type).toBe('compaction');
      expect(JSON.stringify(compacted.output)).toContain('Just this one line.');
    });

    it(
      'compacts the history of a response it answered, named by previous_response_id, with new input after it',
      TIMEOUT,
      async () => {
        const first = await suite.client.responses.create({
          model: MODEL,
          input: '[scenario:text] The first question of this history.',
        });
        const compacted = await suite.client.responses.compact({
          model: MODEL,
          previous_response_id: first.id,
          input: [userMessage('And a later question.')],
        });
        const text = JSON.stringify(compacted.output);
        // The named response's history first, then the new input.
        expect(text.indexOf('The first question of this history.')).toBeGreaterThanOrEqual(0);
        expect(text.indexOf('And a later question.')).toBeGreaterThan(
          text.indexOf('The first question of this history.'),
        );
        expect(compacted.output.at(-1)?.type).toBe('compaction');
        // Compacting starts nothing: the response can still be continued as before.
        const continued = await suite.client.responses.create({
          model: MODEL,
          previous_response_id: first.id,
          input: '[scenario:text] Continue.',
        });
        expect(continued.status).toBe('completed');
      },
    );

    it(
      "answers OpenAI's 400 for a previous_response_id it does not know, with its param and code",
      TIMEOUT,
      async () => {
        const error = await apiErrorOf(
          suite.client.responses.compact({
            model: MODEL,
            previous_response_id: 'resp_unknown123',
            input: 'x',
          }),
        );
        expect(error.status).toBe(400);
        expect(error.param).toBe('previous_response_id');
        expect(error.code).toBe('previous_response_not_found');
      },
    );

    it(
      'refuses a request without a model, or with nothing to compact, as 400s naming the field',
      TIMEOUT,
      async () => {
        const noModel = await apiErrorOf(
          suite.client.responses.compact({ input: 'x' } as unknown as OpenAI.Responses.ResponseCompactParams),
        );
        expect(noModel.status).toBe(400);
        expect(noModel.param).toBe('model');
        const nothing = await apiErrorOf(suite.client.responses.compact({ model: MODEL, input: [] }));
        expect(nothing.status).toBe(400);
        expect(nothing.param).toBe('input');
        const wrongType = await apiErrorOf(
          suite.client.responses.compact({
            model: MODEL,
            input: 42,
          } as unknown as OpenAI.Responses.ResponseCompactParams),
        );
        expect(wrongType.status).toBe(400);
        expect(wrongType.param).toBe('input');
      },
    );

    it("passes the upstream's refusal on with its status, param and code", TIMEOUT, async () => {
      // Encrypted content the upstream never issued: its 400 `invalid_encrypted_content`.
      const error = await apiErrorOf(
        suite.client.responses.compact({
          model: MODEL,
          input: [userMessage('x'), { type: 'compaction', encrypted_content: 'forged' } as never],
        }),
      );
      expect(error.status).toBe(400);
      expect(error.code).toBe('invalid_encrypted_content');
    });

    it('asks for the server key like every other route', TIMEOUT, async () => {
      const stranger = new OpenAI({ baseURL: suite.harness.baseUrl, apiKey: 'ctsk-wrong', maxRetries: 0 });
      const error = await apiErrorOf(stranger.responses.compact({ model: MODEL, input: 'x' }));
      expect(error.status).toBe(401);
      expect(TEST_SERVER_KEY).not.toBe('ctsk-wrong');
    });
  },
);

describe('POST /v1/responses/compact across clients', () => {
  const keys = temporaryClientKeyStore();
  const suite = useSuiteGateway({ clientKeys: { store: keys } });

  it("never compacts another key's response: it is unknown to every other key", TIMEOUT, async () => {
    const own = suite.clientWithKey((await keys.create('own')).key);
    const other = suite.clientWithKey((await keys.create('other')).key);
    const response = await own.responses.create({
      model: MODEL,
      input: '[scenario:text] A private question.',
    });
    const error = await apiErrorOf(
      other.responses.compact({ model: MODEL, previous_response_id: response.id }),
    );
    expect(error.status).toBe(400);
    expect(error.code).toBe('previous_response_not_found');
    expect(JSON.stringify(error.error)).not.toContain('A private question.');
    const compacted = await own.responses.compact({ model: MODEL, previous_response_id: response.id });
    expect(JSON.stringify(compacted.output)).toContain('A private question.');
  });

  it.skipIf(!PYTHON_AVAILABLE)(
    'python openai: responses.compact() by previous_response_id, then a request on its output',
    TIMEOUT,
    async () => {
      const stdout = await runPythonScript(PYTHON_COMPACTION, [suite.harness.baseUrl, TEST_SERVER_KEY]);
      const result = JSON.parse(stdout) as { object: string; types: string[]; status: string };
      expect(result.object).toBe('response.compaction');
      expect(result.types.at(-1)).toBe('compaction');
      expect(result.status).toBe('completed');
    },
  );
});

describe('POST /v1/responses/compact behind the profile router (as codetether-server runs)', () => {
  const suite = useSuiteGateway({ routeProfiles: true });

  it("compacts with the request's profile", TIMEOUT, async () => {
    const compacted = await suite.client.responses.compact({ model: MODEL, input: 'Through the router.' });
    expect(compacted.output.at(-1)?.type).toBe('compaction');
  });
});
