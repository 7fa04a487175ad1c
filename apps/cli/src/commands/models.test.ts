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
    expect(result.stdout).toMatch(/^MODEL\s+NAME\s+CONTEXT\s+MAX OUTPUT\s+REASONING\s+VISION$/m);
    expect(result.stdout).toMatch(/^gpt-5\.4\s+GPT-5\.4\s+272k\s+128k\s+yes\s+—$/m);
    expect(result.stdout).not.toContain('gpt-5.4-pro');
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
    expect(models.map((model) => model.id)).not.toContain('gpt-5.5');

    const table = await runCli(['models'], { ...fixture.environment.env, OPENAI_API_KEY: 'sk-test' });
    expect(table.stdout).toContain('API-key mode');
  });
});
