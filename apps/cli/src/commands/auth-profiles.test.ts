import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, storeEmulatorLogin } from '../__fixtures__/cli-harness.js';
import { useEmulatorEnvironment } from '../__fixtures__/emulator-environment.js';

const fixture = useEmulatorEnvironment({
  emulator: { deviceCodeIntervalSeconds: 0, deviceCodePollsBeforeApproval: 1 },
});

const WORK_ACCOUNT = '0a0a0a0a-0000-4000-8000-00000000beef';

async function storeWorkLogin(): Promise<{ accessToken: string }> {
  return storeEmulatorLogin(fixture.emulator, fixture.environment.home, {
    profile: 'work',
    issue: { email: 'me@work.example', planType: 'pro', accountId: WORK_ACCOUNT },
  });
}

describe('login profiles in the CLI', () => {
  it('logs in to a named profile beside the default one', async () => {
    const result = await runCli(
      ['auth', 'login', '--device-code', '--profile', 'work'],
      fixture.environment.env,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Logged in as user@example.com (profile work, plan plus');
    const file = await stat(join(fixture.environment.home, 'profiles', 'work', 'auth.json'));
    expect(file.mode & 0o777).toBe(0o600);
    await expect(stat(join(fixture.environment.home, 'auth.json'))).rejects.toThrow();
  });

  it('refuses a hostile profile name with a usage error (exit 2)', async () => {
    const result = await runCli(['auth', 'status', '--profile', '../x'], fixture.environment.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: --profile: The profile name "../x" is not valid.');
    const fromEnvironment = await runCli(['auth', 'status'], {
      ...fixture.environment.env,
      CODETETHER_PROFILE: 'Bad/Name',
    });
    expect(fromEnvironment.code).toBe(2);
    expect(fromEnvironment.stderr).toContain('(from CODETETHER_PROFILE)');
  });

  it('auth status lists every profile with its plan and usage; --json keeps the old fields', async () => {
    await storeEmulatorLogin(fixture.emulator, fixture.environment.home);
    await storeWorkLogin();
    const apiKey = await runCli(
      ['auth', 'login', '--with-api-key', '--profile', 'keyed'],
      {
        ...fixture.environment.env,
      },
      'sk-keyed-0042\n',
    );
    expect(apiKey.code).toBe(0);
    const now = Date.now();
    const cache = {
      savedAt: now - 60_000,
      rateLimits: {
        primary: { usedPercent: 42, windowMinutes: 300, resetsAt: now + 3_600_000 },
        secondary: { usedPercent: 7, windowMinutes: 10_080 },
      },
    };
    await writeFile(
      join(fixture.environment.home, 'profiles', 'work', 'rate-limits.json'),
      JSON.stringify(cache),
    );

    const text = await runCli(['auth', 'status'], fixture.environment.env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Logged in with ChatGPT \(profile default\)[\s\S]*Plan\s+plus/);
    expect(text.stdout).toMatch(
      /Logged in with ChatGPT \(profile work\)[\s\S]*me@work\.example[\s\S]*Plan\s+pro/,
    );
    expect(text.stdout).toMatch(/Usage\s+5-hour 42% used, resets in (59m|1h)[^;]*; Weekly 7% used/);
    expect(text.stdout).toMatch(/API-key mode\) \(profile keyed\)[\s\S]*…0042/);

    const json = await runCli(['auth', 'status', '--json'], fixture.environment.env);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({
      loggedIn: true,
      mode: 'chatgpt',
      profile: 'default',
      planType: 'plus',
      credentialsPath: join(fixture.environment.home, 'auth.json'),
    });
    expect(report.profiles.map((entry: { profile: string }) => entry.profile)).toEqual([
      'default',
      'keyed',
      'work',
    ]);
    expect(report.profiles[2]).toMatchObject({
      profile: 'work',
      planType: 'pro',
      email: 'me@work.example',
      usage: { primary: { usedPercent: 42, windowMinutes: 300 }, secondary: { usedPercent: 7 } },
    });
    expect(report.profiles[1]).toMatchObject({ profile: 'keyed', mode: 'api-key', apiKeyLast4: '0042' });
    expect(json.stdout).not.toContain('sk-keyed');
  });

  it('--profile and CODETETHER_PROFILE show one profile; a named profile never uses OPENAI_API_KEY', async () => {
    await storeEmulatorLogin(fixture.emulator, fixture.environment.home);
    await storeWorkLogin();
    const one = await runCli(['auth', 'status', '--json'], {
      ...fixture.environment.env,
      CODETETHER_PROFILE: 'work',
    });
    expect(one.code).toBe(0);
    const report = JSON.parse(one.stdout);
    expect(report).toMatchObject({ profile: 'work', planType: 'pro' });
    expect(report.profiles).toBeUndefined();

    const empty = await runCli(['auth', 'status', '--profile', 'empty'], {
      ...fixture.environment.env,
      OPENAI_API_KEY: 'sk-environment',
    });
    expect(empty.code).toBe(3);
    expect(empty.stderr).toContain("The profile 'empty' is not logged in");
    expect(empty.stderr).toContain('codetether auth login --profile empty');
  });

  it("chat and models use the profile's login; logout removes only that profile", async () => {
    await storeEmulatorLogin(fixture.emulator, fixture.environment.home);
    await storeWorkLogin();
    const chat = await runCli(['chat', '--profile', 'work', 'hello'], fixture.environment.env);
    expect(chat.code).toBe(0);
    const accounts = fixture.emulator.requests
      .map((request) => request.headers['chatgpt-account-id'])
      .filter((account) => account !== undefined);
    expect(accounts.length).toBeGreaterThan(0);
    expect(new Set(accounts)).toEqual(new Set([WORK_ACCOUNT]));

    const models = await runCli(['models', '--json'], {
      ...fixture.environment.env,
      CODETETHER_PROFILE: 'work',
    });
    expect(models.code).toBe(0);

    const missing = await runCli(['chat', '--profile', 'nobody', 'hello'], fixture.environment.env);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('codetether auth login --profile nobody');

    const logout = await runCli(['auth', 'logout', '--profile', 'work'], fixture.environment.env);
    expect(logout.code).toBe(0);
    await expect(stat(join(fixture.environment.home, 'profiles', 'work', 'auth.json'))).rejects.toThrow();
    await expect(stat(join(fixture.environment.home, 'auth.json'))).resolves.toBeDefined();
  });

  it('skips folders under profiles/ that hold no login', async () => {
    await storeEmulatorLogin(fixture.emulator, fixture.environment.home);
    await mkdir(join(fixture.environment.home, 'profiles', 'empty'), { recursive: true });
    const json = await runCli(['auth', 'status', '--json'], fixture.environment.env);
    expect(JSON.parse(json.stdout).profiles).toBeUndefined();
  });
});
