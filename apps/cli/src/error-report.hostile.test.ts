import { describe, expect, it } from 'vitest';
import { reportError } from './error-report.js';
import { createTerminal } from './terminal.js';

describe('reportError with a message quoting a hostile server', () => {
  it('prints the message without control sequences or bidi overrides', () => {
    let stderr = '';
    const terminal = createTerminal(
      {
        stdout: { write: () => undefined },
        stderr: { write: (text: string) => (stderr += text), isTTY: true },
      },
      { NO_COLOR: '1' },
    );
    const error = Object.assign(
      new Error('The backend answered 400: bad\u001b]52;c;eA==\u0007 model \u202egpt\u009b2J\u001b[1A.'),
      { code: 'invalid-request' },
    );
    expect(reportError(terminal, error, false)).toBe(2);
    expect(stderr).toBe('error: The backend answered 400: bad model gpt.\n');
  });
});
