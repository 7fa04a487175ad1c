import { closeSync, openSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createCapturedContext } from '../__fixtures__/captured-context.js';
import { runCliWithInputDescriptor, startCli } from '../__fixtures__/cli-harness.js';
import { useEmulatorEnvironment } from '../__fixtures__/emulator-environment.js';
import { createManualScheduler } from '../__fixtures__/manual-scheduler.js';
import { runChat } from './chat.js';

const fixture = useEmulatorEnvironment({ emulator: { scenario: 'echo' }, loggedIn: true, homeScope: 'file' });

const WAITING_NOTICE = /^Reading the message from standard input… End it with Ctrl-D/m;

function responsesRequests() {
  return fixture.emulator.requests.filter((request) => request.path.endsWith('/responses'));
}

describe('codetether chat waiting on a silent standard input', () => {
  it('says on stderr, after a second without a byte, that it reads the message from stdin and how to end it', async () => {
    const captured = createCapturedContext(fixture.environment.env);
    const scheduler = createManualScheduler();
    const stdin = new PassThrough();
    const context = { ...captured.context, stdin, schedule: scheduler.schedule };
    const answered = runChat(context, [], { model: 'gpt-5.4', json: true });
    await scheduler.scheduled;
    expect(scheduler.pending.map((entry) => entry.delayMs)).toEqual([1000]);
    expect(captured.stderr()).toBe('');
    scheduler.fireAll();
    expect(captured.stderr()).toMatch(WAITING_NOTICE);
    expect(captured.stderr()).toContain('codetether chat "Hello"');
    expect(captured.stderr().trim().split('\n')).toHaveLength(1);
    // Nothing on stdout: `--json` output stays clean.
    expect(captured.stdout()).toBe('');
    stdin.end('Hello from the pipe');
    expect(await answered).toBe(0);
    for (const line of captured.stdout().trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    expect(captured.stdout()).toContain('Hello from the pipe');
  });

  it('says nothing when the input arrives first', async () => {
    const captured = createCapturedContext(fixture.environment.env);
    const scheduler = createManualScheduler();
    const stdin = new PassThrough();
    const context = { ...captured.context, stdin, schedule: scheduler.schedule };
    const answered = runChat(context, [], { model: 'gpt-5.4' });
    await scheduler.scheduled;
    stdin.end('quick prompt');
    expect(await answered).toBe(0);
    expect(scheduler.pending.every((entry) => entry.cancelled)).toBe(true);
    scheduler.fireAll();
    expect(captured.stderr()).not.toMatch(WAITING_NOTICE);
    expect(captured.stdout()).toBe('quick prompt\n');
  });

  it('waits for no timer when the prompt is an argument', async () => {
    const captured = createCapturedContext(fixture.environment.env);
    const scheduler = createManualScheduler();
    const context = { ...captured.context, stdin: new PassThrough(), schedule: scheduler.schedule };
    expect(await runChat(context, ['the argument'], { model: 'gpt-5.4' })).toBe(0);
    expect(scheduler.pending).toEqual([]);
  });

  it('prints the notice from the real CLI on an open pipe that sends nothing, then answers once it ends', async () => {
    const chat = startCli(['chat'], fixture.environment.env);
    await chat.waitFor(WAITING_NOTICE);
    expect(chat.stdout()).toBe('');
    chat.child.stdin.end('late prompt');
    const result = await chat.exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('late prompt\n');
  });
});

describe('codetether chat with standard input that is not a stream of text', () => {
  const descriptors: number[] = [];
  afterEach(() => {
    for (const descriptor of descriptors.splice(0)) closeSync(descriptor);
  });

  it('says standard input is a directory (EISDIR) with exit 2, not that it was empty', async () => {
    const directory = openSync(fixture.environment.folder, 'r');
    descriptors.push(directory);
    const result = await runCliWithInputDescriptor(['chat'], fixture.environment.env, directory);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^error: Standard input is a directory \(EISDIR\), not text; nothing was sent\.$/m,
    );
    expect(result.stdout).toBe('');
    expect(responsesRequests()).toEqual([]);
  });

  it('says the same for a directory stream in-process (auth login --with-api-key reads the same way)', async () => {
    const directory = openSync(fixture.environment.folder, 'r');
    descriptors.push(directory);
    const captured = createCapturedContext(fixture.environment.env);
    const stdin = Object.assign(Readable.from([]), { fd: directory });
    const error = await runChat({ ...captured.context, stdin }, [], { model: 'gpt-5.4' }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ name: 'CliError', code: 'usage' });
    expect((error as Error).message).toContain('is a directory (EISDIR)');
  });

  it('says standard input is not open for reading (EBADF) with exit 2 for a write-only descriptor', async () => {
    const writeOnly = openSync(`${fixture.environment.folder}/write-only.txt`, 'w');
    descriptors.push(writeOnly);
    const result = await runCliWithInputDescriptor(['chat'], fixture.environment.env, writeOnly);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^error: Standard input is not open for reading \(EBADF\); nothing was sent\.$/m,
    );
    expect(responsesRequests()).toEqual([]);
  });

  it('keeps "standard input was empty" for /dev/null', async () => {
    const devNull = openSync('/dev/null', 'r');
    descriptors.push(devNull);
    const result = await runCliWithInputDescriptor(['chat'], fixture.environment.env, devNull);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('standard input was empty');
  });
});
