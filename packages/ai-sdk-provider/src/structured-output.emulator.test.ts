import type { Emulator } from '@codetether/emulator';
import { generateObject, generateText, Output, streamObject } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AUTH_AND_TRANSPORTS,
  codetetherFor,
  responsesRequests,
  startTestEmulator,
} from './__fixtures__/emulator-provider.js';

const person = z.object({ name: z.string(), age: z.number() });
// The emulator's echo scenario answers the prompt: a JSON prompt makes a JSON answer.
const PERSON_JSON = '{"name":"Ada","age":36}';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(async () => {
  await emulator.close();
});

describe.each(AUTH_AND_TRANSPORTS)('structured output, auth %s over %s', (mode, transport) => {
  it('generateObject sends the zod schema as text.format and parses the answer', async () => {
    const provider = codetetherFor(emulator, mode, transport);
    emulator.clearRequests();
    try {
      const result = await generateObject({
        model: provider('gpt-5.4'),
        schema: person,
        prompt: PERSON_JSON,
      });
      expect(result.object).toEqual({ name: 'Ada', age: 36 });
      const body = responsesRequests(emulator)[0]?.body as { text?: { format?: Record<string, unknown> } };
      expect(body.text?.format).toMatchObject({
        type: 'json_schema',
        name: 'response',
        strict: false,
        schema: { type: 'object', required: ['name', 'age'] },
      });
    } finally {
      await provider.close();
    }
  });

  it('streamObject streams partial objects to the whole object', async () => {
    const provider = codetetherFor(emulator, mode, transport);
    try {
      const result = streamObject({ model: provider('gpt-5.4'), schema: person, prompt: PERSON_JSON });
      const partials: unknown[] = [];
      for await (const partial of result.partialObjectStream) partials.push(partial);
      expect(partials.length).toBeGreaterThan(1);
      expect(await result.object).toEqual({ name: 'Ada', age: 36 });
    } finally {
      await provider.close();
    }
  });
});

describe('structured output options', () => {
  it('generateText with Output.object and strictJsonSchema sends a strict named schema', async () => {
    const provider = codetetherFor(emulator, 'api-key', 'http');
    emulator.clearRequests();
    try {
      const result = await generateText({
        model: provider('gpt-5.4'),
        output: Output.object({ schema: person, name: 'person card' }),
        prompt: PERSON_JSON,
        providerOptions: { codetether: { strictJsonSchema: true } },
      });
      expect(result.output).toEqual({ name: 'Ada', age: 36 });
      const body = responsesRequests(emulator)[0]?.body as { text?: { format?: Record<string, unknown> } };
      expect(body.text?.format).toMatchObject({ type: 'json_schema', name: 'person_card', strict: true });
    } finally {
      await provider.close();
    }
  });
});
