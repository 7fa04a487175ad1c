import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createCapturedContext } from '../__fixtures__/captured-context.js';
import { startCli } from '../__fixtures__/cli-harness.js';
import { useEmulatorEnvironment } from '../__fixtures__/emulator-environment.js';
import { createManualScheduler } from '../__fixtures__/manual-scheduler.js';
import { runLogin } from './auth-login.js';

const fixture = useEmulatorEnvironment();

const WAITING_NOTICE = /^Reading the API key from standard input… End it with Ctrl-D/m;

describe('codetether auth login --with-api-key waiting on a silent standard input', () => {
  it('says on stderr what it waits for, never echoing the key, then saves it once it arrives', async () => {
    const captured = createCapturedContext(fixture.environment.env);
    const scheduler = createManualScheduler();
    const stdin = new PassThrough();
    const login = runLogin(
      { ...captured.context, stdin, schedule: scheduler.schedule },
      { withApiKey: true },
    );
    await scheduler.scheduled;
    expect(scheduler.pending.map((entry) => entry.delayMs)).toEqual([1000]);
    scheduler.fireAll();
    expect(captured.stderr()).toMatch(WAITING_NOTICE);
    expect(captured.stdout()).toBe('');
    const apiKey = fixture.emulator.createApiKey();
    stdin.end(`${apiKey}\n`);
    expect(await login).toBe(0);
    expect(`${captured.stdout()}${captured.stderr()}`).not.toContain(apiKey);
  });

  it('prints the notice from the real CLI on an open pipe that sends nothing', async () => {
    const login = startCli(['auth', 'login', '--with-api-key'], fixture.environment.env);
    await login.waitFor(WAITING_NOTICE);
    login.child.stdin.end(`${fixture.emulator.createApiKey()}\n`);
    expect((await login.exited).code).toBe(0);
  });
});
