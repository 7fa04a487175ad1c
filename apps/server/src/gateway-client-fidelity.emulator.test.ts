import { TEXT_ANSWER } from '@codetether/emulator';
import { DEFAULT_GATEWAY_INSTRUCTIONS } from '@codetether/provider-codex/configuration';
import { DEFAULT_INSTRUCTIONS } from '@codetether/responses-protocol';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { type GatewayHarness, TEST_SERVER_KEY } from './__fixtures__/gateway-harness.js';
import { PYTHON_AVAILABLE, runPythonScript } from './__fixtures__/python-sdk.js';
import { useSuiteGateway } from './__fixtures__/suite-gateway.js';

const TIMEOUT = { timeout: 30_000 };

if (!PYTHON_AVAILABLE) console.warn('Skipping the Python openai SDK test: python3 is not installed.');

/** Python's `openai` stream helper against the gateway; prints the event types and the final text. */
const PYTHON_STREAM_HELPER = `
import json, sys
from openai import OpenAI
client = OpenAI(base_url=sys.argv[1], api_key=sys.argv[2], max_retries=0)
types = []
with client.responses.stream(model="gpt-5.4", input="[scenario:text] hello") as stream:
    for event in stream:
        types.append(event.type)
    final = stream.get_final_response()
print(json.dumps({"types": types, "text": final.output_text, "instructions": final.instructions}))
`;

/** Python's `openai` Conversations API against the gateway: two turns on one conversation, then its items. */
const PYTHON_CONVERSATION = `
import json, sys
from openai import OpenAI
client = OpenAI(base_url=sys.argv[1], api_key=sys.argv[2], max_retries=0)
conversation = client.conversations.create(metadata={"user": "python"})
first = client.responses.create(model="gpt-5.4", input="[scenario:text] first", conversation=conversation.id)
with client.responses.stream(model="gpt-5.4", input="[scenario:text] second", conversation=conversation.id) as stream:
    for event in stream:
        pass
    second = stream.get_final_response()
items = client.conversations.items.list(conversation.id, order="asc")
deleted = client.conversations.delete(conversation.id)
print(json.dumps({
    "texts": [first.output_text, second.output_text],
    "conversation": second.conversation.id if second.conversation else None,
    "id": conversation.id,
    "items": [[item.type, getattr(item, "role", None)] for item in items.data],
    "deleted": deleted.deleted,
}))
`;

/** The bodies the emulator received on its Responses endpoint, newest last. */
function upstreamBodies(harness: GatewayHarness): Record<string, unknown>[] {
  return harness.emulator.requests
    .filter((request) => request.path.endsWith('/responses'))
    .map((request) => request.body as Record<string, unknown>);
}

/** Raw JSON text nested `depth` objects deep (built as text: the client's own JSON.stringify would overflow). */
function nestedJson(depth: number): string {
  return `${'{"a":'.repeat(depth)}{}${'}'.repeat(depth)}`;
}

describe.each([
  ['websocket', 'chatgpt'],
  ['http', 'chatgpt'],
] as const)('OpenAI SDK helpers through the gateway (upstream %s, auth %s)', (transport, auth) => {
  const gateway = useSuiteGateway({ transport, auth });

  it(
    'node openai: responses.stream() sees only Responses events; rate limits are headers and metrics',
    TIMEOUT,
    async () => {
      const stream = gateway.client.responses.stream({ model: 'gpt-5.4', input: '[scenario:text] hello' });
      const types: string[] = [];
      for await (const event of stream) types.push(event.type);
      const final = await stream.finalResponse();
      expect(final.output_text).toBe(TEXT_ANSWER);
      expect(types[0]).toBe('response.created');
      expect(types.every((type) => type.startsWith('response.'))).toBe(true);

      const raw = await gateway.client.responses
        .create({ model: 'gpt-5.4', input: '[scenario:text] hello', stream: true })
        .withResponse();
      for await (const _event of raw.data) {
        // drain
      }
      expect(raw.response.headers.get('x-codex-primary-used-percent')).toMatch(/^\d+(\.\d+)?$/);
      expect(raw.response.headers.get('x-codex-plan-type')).toBeTruthy();
      const metrics = await (await fetch(`${gateway.harness.gateway.url}/metrics`)).text();
      expect(metrics).toMatch(/codetether_upstream_usage_used_percent\{window="primary"\} \d/);
    },
  );

  it.skipIf(!PYTHON_AVAILABLE)(
    'python openai: the Conversations API and responses on a conversation',
    TIMEOUT,
    async () => {
      const stdout = await runPythonScript(PYTHON_CONVERSATION, [gateway.harness.baseUrl, TEST_SERVER_KEY]);
      const result = JSON.parse(stdout) as {
        texts: string[];
        conversation: string | null;
        id: string;
        items: [string, string | null][];
        deleted: boolean;
      };
      expect(result.texts).toEqual([TEXT_ANSWER, TEXT_ANSWER]);
      expect(result.conversation).toBe(result.id);
      // Each turn's input, then its output (the text scenario answers with one message).
      expect(result.items.filter(([type]) => type === 'message')).toEqual([
        ['message', 'user'],
        ['message', 'assistant'],
        ['message', 'user'],
        ['message', 'assistant'],
      ]);
      expect(result.deleted).toBe(true);
      // The second turn carried the first (in full over HTTP, continued over a WebSocket upstream).
      const second = upstreamBodies(gateway.harness).at(-1) ?? {};
      expect(JSON.stringify(second.input)).toContain('second');
      if (transport === 'http') {
        expect(JSON.stringify(second.input)).toContain('first');
      } else {
        expect(second.previous_response_id).toEqual(expect.any(String));
        expect(JSON.stringify(second.input)).not.toContain('first');
      }
    },
  );

  it.skipIf(!PYTHON_AVAILABLE)('python openai: responses.stream() completes', TIMEOUT, async () => {
    const stdout = await runPythonScript(PYTHON_STREAM_HELPER, [gateway.harness.baseUrl, TEST_SERVER_KEY]);
    const result = JSON.parse(stdout) as { types: string[]; text: string; instructions: string };
    expect(result.text).toBe(TEXT_ANSWER);
    expect(result.types[0]).toBe('response.created');
    expect(result.types.some((type) => type.startsWith('codex.'))).toBe(false);
    expect(result.instructions).toBe(DEFAULT_GATEWAY_INSTRUCTIONS);
  });

  it(
    "an unknown previous_response_id is the upstream's 400 with its code, param and message",
    TIMEOUT,
    async () => {
      const error = await gateway.client.responses
        .create({ model: 'gpt-5.4', input: 'hi', previous_response_id: 'resp_never_issued' })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      const apiError = error as InstanceType<typeof OpenAI.BadRequestError>;
      expect(apiError.code).toBe('previous_response_not_found');
      expect(apiError.param).toBe('previous_response_id');
      expect(apiError.message).toContain("Previous response with id 'resp_never_issued' not found.");
      expect(apiError.message).not.toContain('model name');
    },
  );

  it(
    'requests without instructions get the neutral instructions, never the coding-agent persona',
    TIMEOUT,
    async () => {
      gateway.harness.emulator.clearRequests();
      const response = await gateway.client.responses.create({
        model: 'gpt-5.4',
        input: '[scenario:text] hello',
      });
      await gateway.client.chat.completions.create({
        model: 'gpt-5.4',
        messages: [{ role: 'user', content: '[scenario:text] hello' }],
      });
      await gateway.client.responses.create({
        model: 'gpt-5.4',
        input: '[scenario:text] hi',
        instructions: 'Mine.',
      });
      await gateway.client.chat.completions.create({
        model: 'gpt-5.4',
        messages: [
          { role: 'system', content: 'Mine too.' },
          { role: 'user', content: '[scenario:text] hello' },
        ],
      });
      expect(response.instructions).toBe(DEFAULT_GATEWAY_INSTRUCTIONS);
      expect(upstreamBodies(gateway.harness).map((body) => body.instructions)).toEqual([
        DEFAULT_GATEWAY_INSTRUCTIONS,
        DEFAULT_GATEWAY_INSTRUCTIONS,
        'Mine.',
        'Mine too.',
      ]);
      expect(JSON.stringify(upstreamBodies(gateway.harness))).not.toContain(DEFAULT_INSTRUCTIONS);
    },
  );

  it('forwards parallel_tool_calls: false on chat completions as on responses', TIMEOUT, async () => {
    gateway.harness.emulator.clearRequests();
    const tools = [
      {
        type: 'function' as const,
        function: { name: 'get_weather', parameters: { type: 'object', properties: {} } },
      },
    ];
    await gateway.client.chat.completions.create({
      model: 'gpt-5.4',
      messages: [{ role: 'user', content: '[scenario:text] hello' }],
      tools,
      parallel_tool_calls: false,
    });
    await gateway.client.responses.create({
      model: 'gpt-5.4',
      input: '[scenario:text] hello',
      tools: [{ type: 'function', name: 'get_weather', parameters: {}, strict: false }],
      parallel_tool_calls: false,
    });
    expect(upstreamBodies(gateway.harness).map((body) => body.parallel_tool_calls)).toEqual([false, false]);
  });

  it(
    'sends a PDF file part of chat completions and a document block of Anthropic Messages upstream as input_file',
    TIMEOUT,
    async () => {
      gateway.harness.emulator.clearRequests();
      const fileData = 'data:application/pdf;base64,JVBERi0xLjQK';
      const chat = await gateway.client.chat.completions.create({
        model: 'gpt-5.4',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: '[scenario:text] Summarise.' },
              { type: 'file', file: { filename: 'report.pdf', file_data: fileData } },
            ],
          },
        ],
      });
      expect(chat.choices[0]?.message.content).toBe(TEXT_ANSWER);
      const anthropic = await fetch(`${gateway.harness.gateway.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': TEST_SERVER_KEY },
        body: JSON.stringify({
          model: 'gpt-5.4',
          max_tokens: 100,
          messages: [
            {
              role: 'user',
              content: [
                {
                  type: 'document',
                  source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjQK' },
                  title: 'report.pdf',
                },
                { type: 'text', text: '[scenario:text] Summarise.' },
              ],
            },
          ],
        }),
      });
      expect(anthropic.status).toBe(200);
      const files = upstreamBodies(gateway.harness).map((body) =>
        (body.input as { content?: { type: string }[] }[])
          .flatMap((item) => item.content ?? [])
          .filter((part) => part.type === 'input_file'),
      );
      expect(files).toEqual([
        [{ type: 'input_file', file_data: fileData, filename: 'report.pdf' }],
        [{ type: 'input_file', file_data: fileData, filename: 'report.pdf' }],
      ]);
    },
  );

  it.each([
    ['responses', 'metadata', (deep: string) => `{"model":"gpt-5.4","input":"hi","metadata":${deep}}`],
    [
      'responses',
      'text.format.schema',
      (deep: string) =>
        `{"model":"gpt-5.4","input":"hi","text":{"format":{"type":"json_schema","name":"x","schema":${deep}}}}`,
    ],
    [
      'responses',
      'tools[0].parameters',
      (deep: string) =>
        `{"model":"gpt-5.4","input":"hi","tools":[{"type":"function","name":"f","parameters":${deep}}]}`,
    ],
    [
      'chat/completions',
      'response_format.json_schema.schema',
      (deep: string) =>
        `{"model":"gpt-5.4","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":${deep}}}}`,
    ],
    [
      'chat/completions',
      'tools[0].function.parameters',
      (deep: string) =>
        `{"model":"gpt-5.4","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":${deep}}}]}`,
    ],
  ])('deeply nested JSON on %s (%s) is a 400 naming the field', TIMEOUT, async (path, param, body) => {
    const response = await fetch(`${gateway.harness.baseUrl}/${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_SERVER_KEY}`, 'content-type': 'application/json' },
      body: body(nestedJson(10_000)),
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { param: string; code: string; type: string } };
    expect(error).toMatchObject({ param, code: 'invalid_value', type: 'invalid_request_error' });
  });
});
