import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CliError } from './cli-error.js';
import { readAll, readLine } from './read-input.js';

/** A standard input whose peer went away: a reset socket, or a terminal gone after an SSH disconnect. */
function brokenInputError(code: 'ECONNRESET' | 'EIO'): NodeJS.ErrnoException {
  return Object.assign(new Error(`read ${code}`), { code, syscall: 'read' });
}

function capturedOutput(): { write(text: string): boolean; text(): string } {
  let written = '';
  return {
    write(text: string) {
      written += text;
      return true;
    },
    text: () => written,
  };
}

describe('reading standard input that fails', () => {
  it.each(['ECONNRESET', 'EIO'] as const)(
    'readLine rejects with a CliError instead of crashing on an unhandled readline error (%s)',
    async (code) => {
      const stdin = new PassThrough();
      const output = capturedOutput();
      const answer = readLine(stdin, output, 'Redirect URL or code: ');
      // Wait until the question is asked, so readline is listening to the stream.
      await expect.poll(() => output.text()).toContain('Redirect URL or code: ');
      stdin.destroy(brokenInputError(code));
      const error = await answer.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(CliError);
      expect(error).toMatchObject({ code: 'failed' });
      expect((error as CliError).message).toContain(`Could not read standard input (${code})`);
      expect((error as CliError).hint).toBeDefined();
    },
  );

  it('readLine with hidden input rejects the same way', async () => {
    const stdin = new PassThrough();
    const output = capturedOutput();
    const answer = readLine(stdin, output, 'OpenAI API key (input hidden): ', undefined, { hideInput: true });
    await expect.poll(() => output.text()).toContain('OpenAI API key');
    stdin.destroy(brokenInputError('EIO'));
    await expect(answer).rejects.toMatchObject({ name: 'CliError', code: 'failed' });
  });

  it('readAll says standard input could not be read, not only the bare system error', async () => {
    const stdin = new PassThrough();
    stdin.write('partial');
    const text = readAll(stdin);
    stdin.destroy(brokenInputError('ECONNRESET'));
    const error = await text.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ code: 'failed' });
    expect((error as CliError).message).toContain('Could not read standard input (ECONNRESET)');
    expect((error as CliError).cause).toMatchObject({ code: 'ECONNRESET' });
  });

  it('readLine still answers the first line, and undefined when the input just ends', async () => {
    const stdin = new PassThrough();
    const answer = readLine(stdin, capturedOutput(), 'q: ');
    stdin.end('http://localhost:1455/auth/callback?code=c\n');
    await expect(answer).resolves.toBe('http://localhost:1455/auth/callback?code=c');
    const empty = new PassThrough();
    const none = readLine(empty, capturedOutput(), 'q: ');
    empty.end();
    await expect(none).resolves.toBeUndefined();
  });

  it('readLine rejects at once for a signal that fired while it was loading readline (Ctrl-C right away)', async () => {
    const stdin = new PassThrough();
    const controller = new AbortController();
    const answer = readLine(stdin, capturedOutput(), 'q: ', controller.signal);
    controller.abort(new CliError('interrupted', 'Cancelled.'));
    await expect(answer).rejects.toMatchObject({ code: 'interrupted' });
  });
});
