import { describe, expect, it } from 'vitest';
import { createTerminal, isInteractiveStream, shouldUseColor } from './terminal.js';

const tty = { write: () => true, isTTY: true };
const pipe = { write: () => true, isTTY: false };

describe('shouldUseColor', () => {
  it('colours terminals only', () => {
    expect(shouldUseColor(tty, {})).toBe(true);
    expect(shouldUseColor(pipe, {})).toBe(false);
    expect(shouldUseColor(tty, { TERM: 'dumb' })).toBe(false);
  });

  it('respects NO_COLOR over FORCE_COLOR, and FORCE_COLOR for pipes', () => {
    expect(shouldUseColor(tty, { NO_COLOR: '1' })).toBe(false);
    expect(shouldUseColor(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(shouldUseColor(pipe, { FORCE_COLOR: '0' })).toBe(false);
    expect(shouldUseColor(pipe, { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(false);
    expect(shouldUseColor(tty, { NO_COLOR: '' })).toBe(true);
  });
});

describe('createTerminal', () => {
  it('decides colour and interactivity per stream', () => {
    const terminal = createTerminal({ stdout: pipe, stderr: tty }, {});
    expect(terminal.stdoutColors.red('x')).toBe('x');
    expect(terminal.stderrColors.red('x')).not.toBe('x');
    expect(terminal.stderrIsInteractive).toBe(true);
    expect(isInteractiveStream(tty, { CI: 'true' })).toBe(false);
  });
});
