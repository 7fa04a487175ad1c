import { DEFAULT_MODEL_CATALOGUE } from '@codetether/emulator';
import { describe, expect, it } from 'vitest';
import { ESCAPE_CODE, runCli, storeEmulatorLogin } from '../__fixtures__/cli-harness.js';
import { useEmulatorEnvironment } from '../__fixtures__/emulator-environment.js';

const fixture = useEmulatorEnvironment();

describe('codetether models', () => {
  it('exits 3 when not logged in', async () => {
    const result = await runCli(['models'], fixture.environment.env);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('codetether auth login');
  });

  it('prints the ChatGPT catalogue as a table', async () => {
    await storeEmulatorLogin(fixture.emulator, fixture.environment.home);
    const result = await runCli(['models'], fixture.environment.env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Models on your ChatGPT subscription');
    expect(result.stdout).toMatch(/^MODEL\s+NAME\s+CONTEXT\s+EFFORTS\s+FAST$/m);
    expect(result.stdout).toMatch(/^gpt-5\.4\s+GPT-5\.4\s+272k\s+low medium\* high xhigh\s+yes$/m);
    expect(result.stdout).toMatch(/^gpt-5\.4-mini\s+GPT-5\.4 Mini\s+272k\s+low medium\* high\s+—$/m);
    expect(result.stdout).not.toContain('gpt-5.4-pro');
    expect(result.stdout).not.toContain('o3');
    expect(result.stdout).not.toMatch(ESCAPE_CODE);
  });

  it('prints JSON with --json, and the API catalogue in API-key mode', async () => {
    const result = await runCli(['models', '--json'], {
      ...fixture.environment.env,
      OPENAI_API_KEY: 'sk-test',
    });
    expect(result.code).toBe(0);
    const models = JSON.parse(result.stdout) as { id: string; backends: string[] }[];
    expect(models.map((model) => model.id)).toContain('gpt-5.4-pro');

    const table = await runCli(['models'], { ...fixture.environment.env, OPENAI_API_KEY: 'sk-test' });
    expect(table.stdout).toContain('API-key mode');
  });

  it('shows a model added to the backend at once with --refresh, and lets chat use it without one', async () => {
    await storeEmulatorLogin(fixture.emulator, fixture.environment.home);
    expect((await runCli(['models'], fixture.environment.env)).stdout).not.toContain('gpt-6');
    fixture.emulator.setOptions({
      models: [{ slug: 'gpt-6', display_name: 'GPT-6', context_window: 1_000_000 }, { slug: 'gpt-5.4' }],
    });
    expect((await runCli(['models'], fixture.environment.env)).stdout).not.toContain('gpt-6');
    const chat = await runCli(['chat', '--model', 'gpt-6', 'Hi'], fixture.environment.env);
    expect(chat.code).toBe(0);
    const refreshed = await runCli(['models', '--refresh', '--json'], fixture.environment.env);
    expect((JSON.parse(refreshed.stdout) as { id: string }[]).map((model) => model.id)).toEqual([
      'gpt-6',
      'gpt-5.4',
    ]);
  });

  it('exits 2 with the plan and its models for a plan-gated model', async () => {
    fixture.emulator.setOptions({ account: { planType: 'free' }, models: [...DEFAULT_MODEL_CATALOGUE] });
    await storeEmulatorLogin(fixture.emulator, fixture.environment.home);
    const chat = await runCli(['chat', '--model', 'gpt-5.4', 'Hi'], fixture.environment.env);
    expect(chat.code).toBe(2);
    expect(chat.stderr).toContain(
      'ChatGPT free plan. Supported models: gpt-5.4-mini, gpt-5.1-codex-mini, gpt-5-mini.',
    );
  });
});
