import { describe, expect, it } from 'vitest';
import { ESCAPE_CODE, runCli, storeEmulatorLogin } from '../__fixtures__/cli-harness.js';
import { useEmulatorEnvironment } from '../__fixtures__/emulator-environment.js';

const fixture = useEmulatorEnvironment({
  emulator: { rateLimit: { primaryUsedPercent: 42, secondaryUsedPercent: 7, incrementPerRequest: 0 } },
});

const responsesRequests = (): number =>
  fixture.emulator.requests.filter((request) => request.path.endsWith('/responses')).length;

describe('codetether usage', () => {
  it('exits 3 when not logged in', async () => {
    const result = await runCli(['usage'], fixture.environment.env);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('codetether auth login');
  });

  it('asks GET /usage (no model request) and draws the windows as bars', async () => {
    await storeEmulatorLogin(fixture.emulator, fixture.environment.home);
    const result = await runCli(['usage'], fixture.environment.env);
    expect(result.code).toBe(0);
    expect(responsesRequests()).toBe(0);
    expect(fixture.emulator.requests.some((request) => request.path.endsWith('/usage'))).toBe(true);
    expect(result.stdout).toContain('ChatGPT plus usage (just now)');
    expect(result.stdout).toMatch(
      // A reset after midnight names its day (`(Tue 00:04)`): the suite may run at 23:00 too.
      /^5-hour limit\s+█+░+\s+42% used {2}resets in (59m \d\ds|1h 00m) \((\w{3} )?\d\d:\d\d\)$/m,
    );
    expect(result.stdout).toMatch(/^Weekly limit\s+█*░+\s+7% used {2}resets in (3d 23h|4d) /m);
    expect(result.stdout).not.toMatch(ESCAPE_CODE);
  });

  it('reuses the headers of the last chat answer without a request, unless --refresh', async () => {
    await storeEmulatorLogin(fixture.emulator, fixture.environment.home);
    expect((await runCli(['chat', 'Hi'], fixture.environment.env)).code).toBe(0);
    fixture.emulator.clearRequests();
    const cached = await runCli(['usage'], fixture.environment.env);
    expect(cached.code).toBe(0);
    expect(cached.stdout).toContain('from your last answer');
    expect(responsesRequests()).toBe(0);

    fixture.emulator.setOptions({
      rateLimit: { primaryUsedPercent: 42, secondaryUsedPercent: 7, creditsBalance: 5 },
    });
    const refreshed = await runCli(['usage', '--refresh', '--json'], fixture.environment.env);
    expect(refreshed.code).toBe(0);
    expect(responsesRequests()).toBe(0);
    expect(JSON.parse(refreshed.stdout)).toMatchObject({
      mode: 'chatgpt',
      source: 'usage-endpoint',
      creditsBalance: 5,
      planType: 'plus',
      primary: { usedPercent: 42, windowMinutes: 300 },
      secondary: { usedPercent: 7, windowMinutes: 10_080 },
    });
  });

  it('keeps the exhausted window of a usage-limit rejection for the next `usage`', async () => {
    await storeEmulatorLogin(fixture.emulator, fixture.environment.home);
    fixture.emulator.setOptions({ scenario: 'rate-limited' });
    try {
      const chat = await runCli(['chat', 'Hi'], fixture.environment.env);
      expect(chat.code).toBe(1);
      expect(chat.stderr).toMatch(/^error: .*usage limit/im);
    } finally {
      fixture.emulator.setOptions({ scenario: 'text' });
    }
    fixture.emulator.clearRequests();
    const usage = await runCli(['usage'], fixture.environment.env);
    expect(usage.code).toBe(0);
    expect(usage.stdout).toMatch(/^5-hour limit\s+█{30}\s+100% used/m);
    expect(responsesRequests()).toBe(0);
  });

  it('falls back to a tiny request without GET /usage, and draws the windows when it hits the usage limit', async () => {
    await storeEmulatorLogin(fixture.emulator, fixture.environment.home);
    fixture.emulator.setOptions({ scenario: 'rate-limited', usageEndpoint: false });
    try {
      const usage = await runCli(['usage', '--refresh'], fixture.environment.env);
      expect(usage.code).toBe(0);
      expect(usage.stdout).toMatch(/^5-hour limit\s+█{30}\s+100% used/m);
      expect(usage.stderr).toMatch(/usage limit/i);
      expect(usage.stderr).not.toContain('error:');
    } finally {
      fixture.emulator.setOptions({ scenario: 'text' });
    }
  });

  it('explains that API-key mode has no usage windows', async () => {
    const result = await runCli(['usage'], { ...fixture.environment.env, OPENAI_API_KEY: 'sk-test' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('API-key mode has no subscription usage windows');
    expect(responsesRequests()).toBe(0);
  });
});
