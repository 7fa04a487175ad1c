import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postResponses, userInput } from '../__fixtures__/emulator-client.js';
import { startEmulator } from '../server.js';
import type { Emulator } from '../types.js';

let emulator: Emulator;
let clock: number;

beforeEach(async () => {
  clock = 1_800_000_000_000;
  emulator = await startEmulator({ now: () => clock });
});

afterEach(async () => {
  await emulator.close();
});

function ask(accountId: string) {
  const tokens = emulator.issueTokens({ accountId });
  return postResponses(
    `${emulator.chatgptBaseUrl}/responses`,
    { authorization: `Bearer ${tokens.accessToken}`, 'chatgpt-account-id': accountId },
    { model: 'gpt-5.4', stream: true, store: false, input: userInput('hello') },
  );
}

describe('usageLimitedAccounts', () => {
  it('answers only the listed accounts with the usage-limit 429, until the option is lifted', async () => {
    emulator.setOptions({ usageLimitedAccounts: ['account-limited'] });
    const limited = await ask('account-limited');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-codex-primary-used-percent')).toBe('100');
    expect(limited.json).toMatchObject({
      error: {
        type: 'usage_limit_reached',
        resets_at: expect.any(Number),
        resets_in_seconds: expect.any(Number),
      },
    });
    const resetsAt = (limited.json as { error: { resets_at: number } }).error.resets_at;
    expect(resetsAt * 1000).toBeGreaterThan(clock);
    expect(emulator.requests.at(-1)?.scenario).toBe('rate-limited');

    expect((await ask('account-free')).status).toBe(200);

    emulator.setOptions({ usageLimitedAccounts: [] });
    expect((await ask('account-limited')).status).toBe(200);
  });
});
