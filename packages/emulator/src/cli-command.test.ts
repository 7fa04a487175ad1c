import { describe, expect, it } from 'vitest';
import { runEmulatorCommand } from './cli-command.js';
import type { Emulator } from './types.js';

function fakeEnvironment() {
  let output = '';
  let errors = '';
  let stop: (signal: string) => void = () => {};
  let started: (emulator: Emulator) => void = () => {};
  const startedPromise = new Promise<Emulator>((resolve) => {
    started = resolve;
  });
  return {
    environment: {
      writeOutput: (text: string) => {
        output += text;
      },
      writeError: (text: string) => {
        errors += text;
      },
      waitForStopSignal: () =>
        new Promise<string>((resolve) => {
          stop = resolve;
        }),
      onStarted: (emulator: Emulator) => started(emulator),
    },
    output: () => output,
    errors: () => errors,
    stop: (signal: string) => stop(signal),
    started: startedPromise,
  };
}

describe('runEmulatorCommand', () => {
  it('prints the URL and export lines, serves requests, and stops cleanly on a signal', async () => {
    const fake = fakeEnvironment();
    const status = runEmulatorCommand(['--port', '0', '--scenario', 'text'], fake.environment);
    const emulator = await fake.started;
    expect(fake.output()).toContain(`listening on ${emulator.url}`);
    expect(fake.output()).toContain(`export CODETETHER_CHATGPT_BASE_URL=${emulator.url}/backend-api/codex`);
    expect((await fetch(`${emulator.url}/health`)).status).toBe(200);
    fake.stop('SIGTERM');
    expect(await status).toBe(0);
    expect(fake.errors()).toContain('SIGTERM');
    await expect(fetch(`${emulator.url}/health`)).rejects.toThrow();
  });

  it('exits with 2 and a message for bad arguments, 0 for --help', async () => {
    const bad = fakeEnvironment();
    expect(await runEmulatorCommand(['--scenario', 'nope'], bad.environment)).toBe(2);
    expect(bad.errors()).toContain('Unknown scenario');
    const help = fakeEnvironment();
    expect(await runEmulatorCommand(['--help'], help.environment)).toBe(0);
    expect(help.output()).toContain('Usage: codetether-emulator');
  });
});
