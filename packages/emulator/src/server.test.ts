import { describe, expect, it } from 'vitest';
import { EmulatorError } from './errors.js';
import { startEmulator } from './server.js';
import type { ScenarioName } from './types.js';

describe('startEmulator', () => {
  it('listens on 127.0.0.1 with a random port and exposes the base URLs', async () => {
    const emulator = await startEmulator();
    try {
      expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(emulator.issuerUrl).toBe(emulator.url);
      expect(emulator.chatgptBaseUrl).toBe(`${emulator.url}/backend-api/codex`);
      expect(emulator.openaiBaseUrl).toBe(`${emulator.url}/v1`);
      const models = (await (await fetch(`${emulator.openaiBaseUrl}/models`)).json()) as { data: unknown[] };
      expect(models.data.length).toBeGreaterThan(0);
      expect((await fetch(`${emulator.url}/nowhere`)).status).toBe(404);
      expect((await fetch(`${emulator.chatgptBaseUrl}/responses`)).status).toBe(405);
    } finally {
      await emulator.close();
      await emulator.close();
    }
  });

  it('fails with listen-failed when the port is taken', async () => {
    const first = await startEmulator();
    try {
      const port = Number(new URL(first.url).port);
      await expect(startEmulator({ port })).rejects.toMatchObject({ code: 'listen-failed' });
    } finally {
      await first.close();
    }
  });

  it('rejects unknown scenarios with invalid-option, at start and in setOptions', async () => {
    await expect(startEmulator({ scenario: 'nope' as ScenarioName })).rejects.toBeInstanceOf(EmulatorError);
    const emulator = await startEmulator();
    try {
      expect(() => emulator.setOptions({ scenario: 'nope' as ScenarioName })).toThrow(/Unknown scenario/);
    } finally {
      await emulator.close();
    }
  });

  it('issues tokens whose claims carry the account and expiry', async () => {
    const emulator = await startEmulator({ account: { accountId: 'acct-1', planType: 'pro' } });
    try {
      const tokens = emulator.issueTokens({ expiresInSeconds: 60 });
      expect(tokens).toMatchObject({ accountId: 'acct-1', planType: 'pro', expiresIn: 60 });
      const claims = JSON.parse(
        Buffer.from(tokens.accessToken.split('.')[1] ?? '', 'base64url').toString(),
      ) as Record<string, unknown>;
      expect(claims['https://api.openai.com/auth']).toMatchObject({
        chatgpt_account_id: 'acct-1',
        chatgpt_plan_type: 'pro',
      });
      expect(tokens.expiresAt).toBe(Number(claims.exp) * 1000);
    } finally {
      await emulator.close();
    }
  });
});
