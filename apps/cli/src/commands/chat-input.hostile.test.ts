import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createCapturedContext } from '../__fixtures__/captured-context.js';
import { startCli } from '../__fixtures__/cli-harness.js';
import { useEmulatorEnvironment } from '../__fixtures__/emulator-environment.js';
import { runChat } from './chat.js';

const fixture = useEmulatorEnvironment({ emulator: { scenario: 'echo' }, loggedIn: true, homeScope: 'file' });

function responsesRequests() {
  return fixture.emulator.requests.filter((request) => request.path.endsWith('/responses'));
}

/**
 * Feeds the CLI's standard input `chunk` again and again (an endless `yes |`), up to `limitBytes`, and
 * resolves with how many bytes it managed to write before the CLI stopped reading (or the limit).
 */
function feedEndlessly(stdin: NodeJS.WritableStream, chunk: Buffer, limitBytes: number): Promise<number> {
  return new Promise((resolve) => {
    let written = 0;
    const finish = (): void => resolve(written);
    stdin.once('error', finish);
    stdin.once('close', finish);
    const pump = (): void => {
      while (written < limitBytes) {
        written += chunk.byteLength;
        if (!stdin.write(chunk)) {
          stdin.once('drain', pump);
          return;
        }
      }
      stdin.end();
    };
    pump();
  });
}

describe('codetether chat with hostile standard input', () => {
  it('stops reading an endless stdin past 16 MiB with exit 2, sending nothing (no memory blow-up)', async () => {
    const chat = startCli(['chat'], fixture.environment.env);
    const fed = feedEndlessly(chat.child.stdin, Buffer.alloc(1024 * 1024, 'y\n'), 256 * 1024 * 1024);
    const result = await chat.exited;
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: Standard input is larger than 16 MiB');
    expect(result.stdout).toBe('');
    // It stopped reading long before the 256 MiB were written.
    expect(await fed).toBeLessThan(64 * 1024 * 1024);
    expect(responsesRequests()).toEqual([]);
  });

  it.each([
    [
      'a binary file (NUL bytes)',
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]),
    ],
    ['Latin-1 text', Buffer.from('caf\u00e9 cr\u00e8me', 'latin1')],
  ])('refuses %s on stdin with exit 2 instead of sending U+FFFD', async (_name, bytes) => {
    const chat = startCli(['chat'], fixture.environment.env);
    chat.child.stdin.end(bytes);
    const result = await chat.exited;
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: Standard input (is not UTF-8 text|holds a NUL byte)/m);
    expect(result.stderr).toContain('→ Pipe text only.');
    expect(responsesRequests()).toEqual([]);
  });

  it('sends UTF-16 text with a byte order mark as text', async () => {
    const chat = startCli(['chat'], fixture.environment.env);
    chat.child.stdin.end(
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Grüße aus UTF-16', 'utf16le')]),
    );
    const result = await chat.exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('Grüße aus UTF-16\n');
  });

  it('answers the prompt argument without reading piped stdin, even one that never ends (a `while read` loop)', async () => {
    const chat = startCli(['chat', 'the argument'], fixture.environment.env);
    // Standard input stays open and unread: the answer must not wait for it.
    chat.child.stdin.write('the loop input\n');
    const result = await chat.exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('the argument\n');
  });

  it('refuses a blank prompt argument on a terminal (exit 2) instead of opening an interactive session', async () => {
    const captured = createCapturedContext(fixture.environment.env);
    const terminalInput = Object.assign(new PassThrough(), { isTTY: true });
    const context = { ...captured.context, stdin: terminalInput };
    const error = await runChat(context, ['  '], { model: 'gpt-5.4' }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      name: 'CliError',
      code: 'usage',
      message: 'The prompt argument is empty.',
    });
    expect(captured.stdout()).toBe('');
  });

  it.each([
    [['--model=', 'Hi'], /^error: The model name is empty\.$/m],
    [['-m', '  ', 'Hi'], /^error: The model name is empty\.$/m],
    [
      ['-m', 'gpt-5.4:banana', 'Hi'],
      /^error: 'banana' after ':' in 'gpt-5\.4:banana' is not a reasoning effort\. Use one of: /m,
    ],
  ])('refuses a bad model value %j with exit 2 and what is wrong with it', async (args, message) => {
    const chat = startCli(['chat', ...args], fixture.environment.env);
    chat.child.stdin.end();
    const result = await chat.exited;
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(responsesRequests()).toEqual([]);
  });
});
