import OpenAI from 'openai';
import { expect } from 'vitest';

/** The `openai` SDK error a call rejects with (fails the test when it resolves or rejects otherwise). */
export async function apiErrorOf(call: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const outcome = await call.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(OpenAI.APIError);
  return outcome as InstanceType<typeof OpenAI.APIError>;
}
