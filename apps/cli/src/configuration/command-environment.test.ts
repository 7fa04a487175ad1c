import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../__fixtures__/cli-harness.js';
import { useEmulatorEnvironment } from '../__fixtures__/emulator-environment.js';

const fixture = useEmulatorEnvironment();

describe('config file and -c on the command line', () => {
  it('applies flag > -c > environment > config file > default to the model and the transport', async () => {
    const { env, home } = fixture.environment;
    const apiKeyEnv = { ...env, OPENAI_API_KEY: fixture.emulator.createApiKey() };
    await mkdir(home, { recursive: true });
    await writeFile(
      join(home, 'config.json'),
      JSON.stringify({ model: 'gpt-from-config', transport: 'http' }),
      { mode: 0o600 },
    );
    const sent = async (args: string[], extraEnv: Record<string, string> = {}) => {
      const result = await runCli(['chat', ...args, 'hi'], { ...apiKeyEnv, ...extraEnv });
      expect(result.stderr).not.toContain('error:');
      expect(result.code).toBe(0);
      const request = fixture.emulator.requests.at(-1);
      return {
        model: (request?.body as { model?: string } | undefined)?.model,
        transport: request?.transport,
      };
    };
    expect(await sent([])).toEqual({ model: 'gpt-from-config', transport: 'http' });
    expect(await sent([], { CODETETHER_MODEL: 'gpt-from-env', CODETETHER_TRANSPORT: 'websocket' })).toEqual({
      model: 'gpt-from-env',
      transport: 'websocket',
    });
    expect(
      await sent(['-c', 'model=gpt-from-c', '-c', 'transport=http'], {
        CODETETHER_MODEL: 'gpt-from-env',
        CODETETHER_TRANSPORT: 'websocket',
      }),
    ).toEqual({ model: 'gpt-from-c', transport: 'http' });
    expect(await sent(['-m', 'gpt-from-flag', '-t', 'websocket', '-c', 'model=gpt-from-c'])).toEqual({
      model: 'gpt-from-flag',
      transport: 'websocket',
    });
  });

  it('exits 2 with one clear message for a bad config file or -c, on every command', async () => {
    const { env, home } = fixture.environment;
    const unknown = await runCli(['models', '-c', 'colour=blue'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown setting 'colour' in -c colour=blue.");

    await mkdir(home, { recursive: true });
    await writeFile(join(home, 'config.json'), '{"transport": "pigeon"}');
    const invalid = await runCli(['auth', 'status'], env);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain(
      `Bad value "pigeon" for 'transport' in the config file ${join(home, 'config.json')}.`,
    );
    await chmod(join(home, 'config.json'), 0o666);
    const writable = await runCli(['auth', 'status'], env);
    expect(writable.code).toBe(2);
    expect(writable.stderr).toContain('can be changed by other users (mode 666)');
  });
});
