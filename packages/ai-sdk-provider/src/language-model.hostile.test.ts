import { getEventListeners } from 'node:events';
import { inspect } from 'node:util';
import { APICallError } from '@ai-sdk/provider';
import { generateText, jsonSchema, streamText, tool } from 'ai';
import { afterEach, describe, expect, it } from 'vitest';
import {
  completedEvent,
  createdEvent,
  SCRIPTED_UPSTREAM_KEY,
  type ScriptedUpstream,
  startScriptedUpstream,
  textDeltaEvents,
} from './__fixtures__/scripted-upstream.js';

const lookup = tool({
  description: 'Looks a city up',
  inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } } }),
  execute: async ({ city }) => `${city}: found`,
});

/** A function call item: added, one arguments delta, done. */
function functionCallEvents(
  id: string,
  outputIndex: number,
  argumentsText: string,
): Record<string, unknown>[] {
  const item = { id, type: 'function_call', call_id: `call_${id}`, name: 'lookup' };
  return [
    { type: 'response.output_item.added', output_index: outputIndex, item: { ...item, arguments: '' } },
    {
      type: 'response.function_call_arguments.delta',
      item_id: id,
      output_index: outputIndex,
      delta: argumentsText,
    },
    {
      type: 'response.output_item.done',
      output_index: outputIndex,
      item: { ...item, arguments: argumentsText, status: 'completed' },
    },
  ];
}

let upstream: ScriptedUpstream | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

/** Every continuation mode: over a session conversation (the default) and a plain completion stream. */
const MODES = [
  ['a session conversation', {}],
  ['a plain completion stream', { codetether: { continuation: false } }],
] as const;

describe.each(MODES)('the AI SDK over a hostile upstream, through %s', (_name, providerOptions) => {
  it('cancelling the model stream while the upstream is silent closes the upstream request', async () => {
    upstream = await startScriptedUpstream((answer) => {
      answer.send(createdEvent());
      for (const event of textDeltaEvents('first words')) answer.send(event);
      // …and then nothing: the upstream keeps the answer open.
    });
    const provider = upstream.provider();
    try {
      const { stream } = await provider('gpt-5.4').doStream({
        prompt: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
        providerOptions,
      });
      const reader = stream.getReader();
      for (;;) {
        const { value } = await reader.read();
        if (value?.type === 'text-delta') break;
      }
      // A read now waits for the silent upstream; the consumer gives up.
      const waiting = reader.read();
      await reader.cancel();
      expect(await waiting).toEqual({ done: true, value: undefined });
      // Without the fix the request stayed open until the upstream sent something more (here: never).
      await upstream.answers[0]?.clientLeft;
    } finally {
      await provider.close();
    }
  });

  it('an abort while the upstream is silent ends the stream with the AbortError and closes the upstream', async () => {
    upstream = await startScriptedUpstream((answer) => {
      answer.send(createdEvent());
      for (const event of textDeltaEvents('first words')) answer.send(event);
    });
    const provider = upstream.provider();
    const controller = new AbortController();
    try {
      const result = streamText({
        model: provider('gpt-5.4'),
        prompt: 'hi',
        providerOptions,
        abortSignal: controller.signal,
        onError: () => {},
      });
      const types: string[] = [];
      for await (const part of result.fullStream) {
        types.push(part.type);
        if (part.type === 'text-delta') controller.abort();
      }
      expect(types.at(-1)).toBe('abort');
      await upstream.answers[0]?.clientLeft;
      await expect(
        generateText({
          model: provider('gpt-5.4'),
          prompt: 'hi',
          providerOptions,
          abortSignal: controller.signal,
        }),
      ).rejects.toMatchObject({ name: 'AbortError' });
    } finally {
      await provider.close();
    }
  });

  it('calls under one long-lived abort signal leave no listener on it', async () => {
    upstream = await startScriptedUpstream((answer) => {
      answer.send(createdEvent());
      for (const event of textDeltaEvents('ok')) answer.send(event);
      answer.send(completedEvent());
      answer.end();
    });
    const provider = upstream.provider();
    const shutdown = new AbortController();
    try {
      const before = getEventListeners(shutdown.signal, 'abort').length;
      for (let call = 0; call < 3; call += 1) {
        const result = await generateText({
          model: provider('gpt-5.4'),
          prompt: 'hi',
          providerOptions,
          abortSignal: shutdown.signal,
        });
        expect(result.text).toBe('ok');
      }
      expect(getEventListeners(shutdown.signal, 'abort').length).toBe(before);
    } finally {
      await provider.close();
    }
  });

  it('a stream that ends without response.completed is an error, never a clean stop', async () => {
    upstream = await startScriptedUpstream((answer) => {
      answer.send(createdEvent());
      for (const event of textDeltaEvents('half an answer')) answer.send(event);
      answer.end();
    });
    const provider = upstream.provider();
    try {
      const result = streamText({
        model: provider('gpt-5.4'),
        prompt: 'hi',
        providerOptions,
        onError: () => {},
      });
      const errors: unknown[] = [];
      for await (const part of result.fullStream) if (part.type === 'error') errors.push(part.error);
      expect(await result.finishReason).toBe('error');
      expect(errors).toHaveLength(1);
      expect(APICallError.isInstance(errors[0])).toBe(true);
      await expect(
        generateText({ model: provider('gpt-5.4'), prompt: 'hi', providerOptions, maxRetries: 0 }),
      ).rejects.toSatisfy((error) => APICallError.isInstance(error));
    } finally {
      await provider.close();
    }
  });

  it('an error event echoing the API key after output started: an APICallError without the key', async () => {
    upstream = await startScriptedUpstream((answer) => {
      answer.send(createdEvent());
      for (const event of textDeltaEvents('half')) answer.send(event);
      answer.send({ type: 'error', code: 'server_error', message: `Key ${SCRIPTED_UPSTREAM_KEY} broke it` });
      answer.end();
    });
    const provider = upstream.provider();
    try {
      const error = await generateText({
        model: provider('gpt-5.4'),
        prompt: 'hi',
        providerOptions,
        maxRetries: 0,
      }).catch((caught: unknown) => caught);
      expect(APICallError.isInstance(error)).toBe(true);
      expect(JSON.stringify(error)).not.toContain(SCRIPTED_UPSTREAM_KEY);
      expect(inspect(error, { depth: 10 })).not.toContain(SCRIPTED_UPSTREAM_KEY);
    } finally {
      await provider.close();
    }
  });

  it('a 401 whose body echoes the API key: an APICallError (status 401) without the key', async () => {
    upstream = await startScriptedUpstream((answer) => {
      answer.reject(401, {
        error: { code: 'invalid_api_key', message: `Incorrect API key provided: ${SCRIPTED_UPSTREAM_KEY}.` },
      });
    });
    const provider = upstream.provider();
    try {
      const error = await generateText({
        model: provider('gpt-5.4'),
        prompt: 'hi',
        providerOptions,
        maxRetries: 0,
      }).catch((caught: unknown) => caught);
      expect(APICallError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ statusCode: 401, isRetryable: false });
      expect(JSON.stringify(error)).not.toContain(SCRIPTED_UPSTREAM_KEY);
      expect(inspect(error, { depth: 10 })).not.toContain(SCRIPTED_UPSTREAM_KEY);
    } finally {
      await provider.close();
    }
  });

  it('tool arguments that are not JSON, an unannounced call, unknown events and 2,000 tool calls: tool errors, no crash', async () => {
    upstream = await startScriptedUpstream((answer) => {
      answer.send(createdEvent());
      for (const event of functionCallEvents('fc_bad', 0, '{"city": "Par')) answer.send(event);
      answer.send({ type: 'response.something_new', payload: { nested: [1, 2, 3] } });
      answer.send({ type: 'response.function_call_arguments.delta', item_id: 'ghost', delta: '{"x":' });
      for (let index = 1; index <= 2000; index += 1) {
        for (const event of functionCallEvents(`fc_${index}`, index, '{"city":"Paris"}')) answer.send(event);
      }
      answer.send(completedEvent());
      answer.end();
    });
    const provider = upstream.provider();
    try {
      const result = await generateText({
        model: provider('gpt-5.4'),
        prompt: 'hi',
        providerOptions,
        tools: { lookup },
      });
      expect(result.finishReason).toBe('tool-calls');
      // The 2,000 good calls, the one with broken arguments, and the arguments of an item never announced
      // (a call without a name): the SDK reports the last two as invalid tool calls.
      expect(result.toolCalls).toHaveLength(2002);
      const toolErrors = result.content.filter((part) => part.type === 'tool-error');
      expect(toolErrors.map((part) => part.toolCallId).sort()).toEqual(['call_fc_bad', 'ghost']);
    } finally {
      await provider.close();
    }
  });

  it('a usage object with more reasoning than output, huge and fractional counts: no negative counts', async () => {
    upstream = await startScriptedUpstream((answer) => {
      answer.send(createdEvent());
      for (const event of textDeltaEvents('ok')) answer.send(event);
      answer.send(
        completedEvent({
          input_tokens: -5,
          output_tokens: 10.7,
          total_tokens: 1e300,
          input_tokens_details: { cached_tokens: 1e308 },
          output_tokens_details: { reasoning_tokens: 1e308 },
        }),
      );
      answer.end();
    });
    const provider = upstream.provider();
    try {
      const { usage } = await generateText({ model: provider('gpt-5.4'), prompt: 'hi', providerOptions });
      const counts = [
        usage.inputTokens,
        usage.inputTokenDetails.noCacheTokens,
        usage.inputTokenDetails.cacheReadTokens,
        usage.outputTokens,
        usage.outputTokenDetails.textTokens,
        usage.outputTokenDetails.reasoningTokens,
        usage.totalTokens,
      ];
      for (const count of counts) {
        // The SDK adds input and output up itself: integers, finite, never negative.
        expect(Number.isInteger(count), String(count)).toBe(true);
        expect(count).toBeGreaterThanOrEqual(0);
      }
      expect(usage.outputTokens).toBe(10);
      expect(usage.outputTokenDetails.reasoningTokens).toBe(10);
      expect(usage.outputTokenDetails.textTokens).toBe(0);
    } finally {
      await provider.close();
    }
  });
});
