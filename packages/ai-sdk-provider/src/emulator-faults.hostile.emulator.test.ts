import { APICallError } from '@ai-sdk/provider';
import type { Emulator } from '@codetether/emulator';
import { generateText, streamText } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codetetherFor, startTestEmulator } from './__fixtures__/emulator-provider.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(async () => {
  await emulator.close();
});

/** The emulator's scenarios that end a response in failure, and the transports they apply to. */
const FAULTS = [
  ['failed', 'websocket'],
  ['failed', 'http'],
  ['error-nested', 'websocket'],
  ['error-nested', 'http'],
  ['disconnect', 'websocket'],
  ['disconnect', 'http'],
  ['ws-close-1006', 'websocket'],
  ['ws-close-1011', 'websocket'],
] as const;

describe('the AI SDK over the emulator’s fault scenarios', () => {
  it.each(FAULTS)(
    '%s over %s: one APICallError part in streamText; generateText rejects with it',
    async (scenario, transport) => {
      const provider = codetetherFor(emulator, 'chatgpt', transport);
      const prompt = `[scenario:${scenario}] hi`;
      try {
        const result = streamText({ model: provider('gpt-5.4'), prompt, maxRetries: 0, onError: () => {} });
        const errors: unknown[] = [];
        for await (const part of result.fullStream) if (part.type === 'error') errors.push(part.error);
        expect(errors).toHaveLength(1);
        expect(APICallError.isInstance(errors[0])).toBe(true);
        // A failure after output started finishes with `error`; one before any output has no finish at all.
        const finishReason = await Promise.resolve(result.finishReason).catch(() => 'no output');
        expect(['error', 'no output']).toContain(finishReason);
        const generated = await generateText({ model: provider('gpt-5.4'), prompt, maxRetries: 0 }).catch(
          (caught: unknown) => caught,
        );
        expect(APICallError.isInstance(generated)).toBe(true);
      } finally {
        await provider.close();
      }
    },
  );
});
