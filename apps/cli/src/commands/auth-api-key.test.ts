import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, storeEmulatorLogin } from '../__fixtures__/cli-harness.js';
import { useEmulatorEnvironment } from '../__fixtures__/emulator-environment.js';

const fixture = useEmulatorEnvironment({
  emulator: { deviceCodeIntervalSeconds: 0, deviceCodePollsBeforeApproval: 1 },
});

describe('codetether auth login --with-api-key', () => {
  it('stores the key from stdin (0600, never printed), uses it, shows only its last 4 characters, logs out', async () => {
    const { env, home } = fixture.environment;
    const apiKey = fixture.emulator.createApiKey();
    const login = await runCli(['auth', 'login', '--with-api-key'], env, `${apiKey}\n`);
    expect(login.code).toBe(0);
    expect(login.stdout).toContain(`Saved your OpenAI API key to ${join(home, 'api-key.json')}`);
    expect(`${login.stdout}${login.stderr}`).not.toContain(apiKey);
    expect(`${login.stdout}${login.stderr}`).not.toContain(apiKey.slice(-4));
    expect((await stat(join(home, 'api-key.json'))).mode & 0o777).toBe(0o600);

    const status = await runCli(['auth', 'status'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`API key\\s+\\(stored\\) …${apiKey.slice(-4)}`));
    expect(status.stdout).not.toContain(apiKey);
    const json = await runCli(['auth', 'status', '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({
      loggedIn: true,
      mode: 'api-key',
      apiKeySource: 'stored',
      apiKeyLast4: apiKey.slice(-4),
      apiKeyPath: join(home, 'api-key.json'),
    });
    expect(json.stdout).not.toContain(apiKey);

    // The stored key is used like OPENAI_API_KEY, and it wins over the variable.
    const chat = await runCli(['chat', '--transport', 'http', 'hello'], {
      ...env,
      OPENAI_API_KEY: 'sk-not-accepted-by-the-emulator',
    });
    expect(chat.code).toBe(0);
    expect(chat.stdout).toContain('hello');
    expect(fixture.emulator.requests.at(-1)?.path).toBe('/v1/responses');

    const logout = await runCli(['auth', 'logout'], env);
    expect(logout.code).toBe(0);
    expect(logout.stdout).toContain(`Removed the stored API key ${join(home, 'api-key.json')}`);
    await expect(stat(join(home, 'api-key.json'))).rejects.toThrow();
    expect((await runCli(['auth', 'status'], env)).code).toBe(3);
  });

  it('replaces a stored ChatGPT login, and a ChatGPT login replaces a stored key', async () => {
    const { env, home } = fixture.environment;
    await storeEmulatorLogin(fixture.emulator, home);
    const login = await runCli(['auth', 'login', '--with-api-key'], env, fixture.emulator.createApiKey());
    expect(login.code).toBe(0);
    expect(login.stdout).toContain('It replaces the ChatGPT login');
    await expect(stat(join(home, 'auth.json'))).rejects.toThrow();

    const device = await runCli(['auth', 'login', '--device-auth'], env);
    expect(device.code).toBe(0);
    expect(device.stdout).toContain('Logged in as user@example.com');
    expect(device.stdout).toContain('It replaces the API key');
    await expect(stat(join(home, 'api-key.json'))).rejects.toThrow();
  });

  it('refuses an empty key or one with spaces (exit 2) and conflicting flags', async () => {
    const { env, home } = fixture.environment;
    const empty = await runCli(['auth', 'login', '--with-api-key'], env, '\n');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('No API key was given');
    const spaced = await runCli(['auth', 'login', '--with-api-key'], env, 'sk-one two\n');
    expect(spaced.code).toBe(2);
    expect(spaced.stderr).not.toContain('sk-one');
    await expect(stat(join(home, 'api-key.json'))).rejects.toThrow();
    const conflicting = await runCli(['auth', 'login', '--with-api-key', '--device-auth'], env, 'sk-x');
    expect(conflicting.code).toBe(2);
  });
});
