import { describe, expect, it } from 'vitest';
import { CliError } from './cli-error.js';
import { describeError, reportError } from './error-report.js';
import { EXIT_CODES } from './exit-codes.js';
import { createTerminal } from './terminal.js';

function codedError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('describeError', () => {
  it('maps not-logged-in errors to exit 3 with the login command', () => {
    const report = describeError(codedError('not-logged-in', 'No login was found.'));
    expect(report).toEqual({
      message: 'No login was found.',
      hint: 'Run `codetether auth login` to sign in.',
      exitCode: EXIT_CODES.notLoggedIn,
    });
    expect(
      describeError(codedError('unauthorized', 'Run `codetether auth login` again.')).hint,
    ).toBeUndefined();
  });

  it('maps bad requests to exit 2, cancellations to 130 and everything else to 1', () => {
    expect(describeError(codedError('unsupported-model', 'Model x is not supported.')).exitCode).toBe(2);
    expect(describeError(codedError('aborted', 'aborted')).exitCode).toBe(130);
    expect(describeError(codedError('upstream-error', 'The server failed.')).exitCode).toBe(1);
    expect(describeError(new Error('boom')).exitCode).toBe(1);
    expect(describeError('text').hint).toContain('--debug');
  });

  it('turns an unreachable backend into one sentence with the address, the reason and the setting', () => {
    const nested = codedError(
      'network-error',
      'Could not reach the OpenAI API: Could not reach http://127.0.0.1:9 (connect ECONNREFUSED 127.0.0.1:9) [ECONNREFUSED]. Check the network connection and the base URL, then try again.. Check your network connection and the base URL, then try again.',
    );
    expect(describeError(nested)).toEqual({
      message:
        'Could not reach the OpenAI API at http://127.0.0.1:9 (connection refused: nothing is listening there).',
      hint: 'Check your network connection and CODETETHER_OPENAI_BASE_URL, then try again.',
      exitCode: EXIT_CODES.failure,
    });
    const webSocket = Object.assign(
      codedError(
        'network-error',
        'Could not reach the ChatGPT backend: the WebSocket to example.com:443 failed.',
      ),
      { cause: codedError('ENOTFOUND', 'getaddrinfo ENOTFOUND') },
    );
    expect(describeError(webSocket).message).toBe(
      'Could not reach the ChatGPT backend at example.com:443 (the host name does not resolve).',
    );
    // Other messages only lose doubled full stops; an ellipsis stays.
    expect(
      describeError(codedError('network-error', 'Login server down.. Try again... later.')).message,
    ).toBe('Login server down. Try again... later.');
  });

  it('keeps the exit code and hint of a CliError', () => {
    expect(describeError(new CliError('usage', 'No prompt.', { hint: 'Pass one.' }))).toEqual({
      message: 'No prompt.',
      hint: 'Pass one.',
      exitCode: EXIT_CODES.usage,
    });
  });
});

describe('reportError', () => {
  it('prints one line and a hint, and the stack only with debug', () => {
    let output = '';
    const stream = { write: (text: string) => (output += text), isTTY: false };
    const terminal = createTerminal({ stdout: stream, stderr: stream }, {});
    const error = new CliError('failed', 'It broke.', { hint: 'Try again.' });
    expect(reportError(terminal, error, false)).toBe(1);
    expect(output).toBe('error: It broke.\n→ Try again.\n');
    output = '';
    reportError(terminal, error, true);
    expect(output).toContain('    at ');
  });
});
