import { Ajv2020 } from 'ajv/dist/2020.js';
import type OpenAI from 'openai';
import { zodResponseFormat, zodTextFormat } from 'openai/helpers/zod';
import type { Tool } from 'openai/resources/responses/responses';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { useSuiteGateway } from './__fixtures__/suite-gateway.js';

// The openai SDK through the gateway's /v1/responses against the emulator's custom (freeform) tools and
// structured output (text.format), over both upstream transports.

const TIMEOUT = { timeout: 30_000 };

const APPLY_PATCH: Tool = {
  type: 'custom',
  name: 'apply_patch',
  description: 'Use the `apply_patch` tool to edit files.',
  format: { type: 'grammar', syntax: 'lark', definition: 'start: begin_patch hunk+ end_patch' },
};
const PATCH =
  '*** Begin Patch\n*** Add File: hello.txt\n+Hello from the CodeTether emulator.\n*** End Patch\n';

const ticket = z.object({
  title: z.string(),
  priority: z.number().int().min(1).max(5),
  reporter: z.object({ email: z.email(), team: z.string().nullable() }),
  labels: z.array(z.enum(['bug', 'feature'])),
  state: z.enum(['open', 'closed']),
});

describe.each([
  ['websocket', 'chatgpt'],
  ['http', 'chatgpt'],
  ['http', 'api-key'],
] as const)(
  'custom tools and structured output through the gateway (upstream %s, auth %s)',
  (transport, auth) => {
    const gateway = useSuiteGateway({ transport, auth });

    it(
      'a custom tool round trip: the call, its output by previous_response_id, the final answer',
      TIMEOUT,
      async () => {
        const first = await gateway.client.responses.create({
          model: 'gpt-5.4',
          input: '[scenario:tool-call] Add a hello file.',
          tools: [APPLY_PATCH],
        });
        const call = first.output.find((item) => item.type === 'custom_tool_call');
        if (call?.type !== 'custom_tool_call') throw new Error('no custom tool call');
        expect(call).toMatchObject({
          name: 'apply_patch',
          input: PATCH,
          call_id: expect.stringMatching(/^call_/),
        });
        expect(call.id).toMatch(/^ctc_/);

        const stream = await gateway.client.responses.create({
          model: 'gpt-5.4',
          previous_response_id: first.id,
          input: [
            { type: 'custom_tool_call_output', call_id: call.call_id, output: 'Success. Added hello.txt' },
          ],
          tools: [APPLY_PATCH],
          stream: true,
        });
        let text = '';
        let final: OpenAI.Responses.Response | undefined;
        for await (const event of stream) {
          if (event.type === 'response.output_text.delta') text += event.delta;
          if (event.type === 'response.completed') final = event.response;
        }
        expect(text).toBe('The tool returned: Success. Added hello.txt. That completes the request.');
        expect(final?.output).toEqual([expect.objectContaining({ type: 'message', status: 'completed' })]);
        const upstream = gateway.harness.emulator.requests
          .filter((request) => request.path.endsWith('/responses'))
          .at(-1);
        expect(JSON.stringify(upstream?.body)).toContain('"type":"custom_tool_call_output"');
      },
    );

    it(
      'streams the custom tool input as custom_tool_call_input events; the full history works too',
      TIMEOUT,
      async () => {
        const stream = gateway.client.responses.stream({
          model: 'gpt-5.4',
          input: '[scenario:tool-call] Add a hello file.',
          tools: [APPLY_PATCH],
          tool_choice: { type: 'custom', name: 'apply_patch' },
        });
        const deltas: string[] = [];
        let done: string | undefined;
        for await (const event of stream) {
          if (event.type === 'response.custom_tool_call_input.delta') deltas.push(event.delta);
          if (event.type === 'response.custom_tool_call_input.done') done = event.input;
        }
        expect(deltas.length).toBeGreaterThan(1);
        expect(deltas.join('')).toBe(PATCH);
        expect(done).toBe(PATCH);
        const response = await stream.finalResponse();
        const call = response.output.find((item) => item.type === 'custom_tool_call');
        if (call?.type !== 'custom_tool_call') throw new Error('no custom tool call');

        const answer = await gateway.client.responses.create({
          model: 'gpt-5.4',
          input: [
            { role: 'user', content: 'Add a hello file.' },
            { type: 'custom_tool_call', call_id: call.call_id, name: call.name, input: call.input },
            { type: 'custom_tool_call_output', call_id: call.call_id, output: 'Done' },
          ],
          tools: [APPLY_PATCH],
        });
        expect(answer.output_text).toBe('The tool returned: Done. That completes the request.');
      },
    );

    it('responses.parse with a zod text format parses a schema-valid object', TIMEOUT, async () => {
      const parsed = await gateway.client.responses.parse({
        model: 'gpt-5.4',
        input: 'File a ticket for the login bug.',
        text: { format: zodTextFormat(ticket, 'ticket') },
      });
      expect(parsed.output_parsed).toEqual({
        title: 'example-title',
        priority: 1,
        reporter: { email: 'user@example.com', team: 'example-team' },
        labels: [],
        state: 'open',
      });
      expect(ticket.parse(JSON.parse(parsed.output_text))).toEqual(parsed.output_parsed);
    });

    it(
      'a plain json_schema format answers JSON valid for it (ajv), streamed and as chat.completions.parse',
      TIMEOUT,
      async () => {
        const schema = {
          type: 'object',
          additionalProperties: false,
          required: ['city', 'days', 'when'],
          properties: {
            city: { type: 'string' },
            days: { type: 'integer', minimum: 3, maximum: 7 },
            when: { type: 'string', format: 'date' },
            stops: { type: 'array', minItems: 2, items: { $ref: '#/$defs/stop' } },
          },
          $defs: { stop: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } },
        };
        const stream = gateway.client.responses.stream({
          model: 'gpt-5.4',
          input: '[scenario:reasoning] Plan a trip.',
          text: { format: { type: 'json_schema', name: 'trip', schema, strict: false } },
        });
        let deltas = 0;
        for await (const event of stream) if (event.type === 'response.output_text.delta') deltas += 1;
        const response = await stream.finalResponse();
        expect(deltas).toBeGreaterThan(1);
        const value: unknown = JSON.parse(response.output_text);
        const validate = new Ajv2020({ validateFormats: false }).compile(schema);
        expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
        expect(value).toMatchObject({
          city: 'Paris',
          days: 3,
          stops: [{ name: 'example-name' }, { name: 'example-name' }],
        });

        const completion = await gateway.client.chat.completions.parse({
          model: 'gpt-5.4',
          messages: [{ role: 'user', content: 'File a ticket.' }],
          response_format: zodResponseFormat(ticket, 'ticket'),
        });
        expect(ticket.safeParse(completion.choices[0]?.message.parsed).success).toBe(true);
      },
    );

    it(
      'a custom tool round trip over chat completions: a custom call with its input, its result sent as custom_tool_call_output',
      TIMEOUT,
      async () => {
        gateway.harness.emulator.clearRequests();
        const tools = [
          {
            type: 'custom' as const,
            custom: { name: 'apply_patch', description: 'Use the `apply_patch` tool to edit files.' },
          },
        ];
        const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
          { role: 'user', content: '[scenario:tool-call] Add a hello file.' },
        ];
        const first = await gateway.client.chat.completions.create({ model: 'gpt-5.4', messages, tools });
        const call = first.choices[0]?.message.tool_calls?.[0];
        if (call?.type !== 'custom')
          throw new Error(`no custom tool call: ${JSON.stringify(first.choices[0])}`);
        expect(call.custom).toEqual({ name: 'apply_patch', input: PATCH });
        expect(first.choices[0]?.finish_reason).toBe('tool_calls');
        messages.push(first.choices[0]?.message as OpenAI.Chat.ChatCompletionMessageParam, {
          role: 'tool',
          tool_call_id: call.id,
          content: 'Done.',
        });
        const second = await gateway.client.chat.completions.create({ model: 'gpt-5.4', messages, tools });
        expect(second.choices[0]?.message.content).toContain('Done.');
        const sent = gateway.harness.emulator.requests
          .filter((request) => request.path.endsWith('/responses'))
          .flatMap((request) => (request.body as { input?: { type?: string }[] }).input ?? [])
          .map((item) => item.type);
        expect(sent).toContain('custom_tool_call_output');
        expect(sent).not.toContain('function_call_output');
      },
    );
  },
);
