import { describe, expect, it } from 'vitest';
import { createTerminal } from '../terminal.js';
import { createChunkPrinter } from './chunk-printer.js';
import { toPlainTerminalText, toSafeJson, toTerminalText } from './terminal-text.js';

const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('toTerminalText', () => {
  it.each([
    ['OSC 52 clipboard', 'a\u001b]52;c;cm0gLXJm\u0007b', 'ab'],
    ['OSC 8 link with ST', '\u001b]8;;https://evil.example\u001b\\docs\u001b]8;;\u001b\\', 'docs'],
    ['OSC 0 title', '\u001b]0;pwned\u0007ok', 'ok'],
    ['CSI erase and cursor', 'x\u001b[2K\u001b[1A\u001b[31mred\u001b[0m', 'xred'],
    ['8-bit CSI', 'x\u009b2Jy', 'xy'],
    ['DCS', 'x\u001bP1$qm\u001b\\y', 'xy'],
    ['8-bit OSC with 8-bit ST', 'x\u009d0;t\u009cy', 'xy'],
    ['carriage return and backspace', 'safe\rrm -rf\b\r\nnext', 'saferm -rf\nnext'],
    ['a lone ESC', 'a\u001b', 'a'],
  ])('removes %s', (_, hostile, expected) => {
    expect(toTerminalText(hostile)).toBe(expected);
  });

  it('keeps newlines, tabs and ordinary Unicode, including right-to-left text', () => {
    const text = 'Zeile 1\n\tgrüße 👋 שלום \u202eok';
    expect(toTerminalText(text)).toBe(text);
    expect(toPlainTerminalText(text)).toBe('Zeile 1\n\tgrüße 👋 שלום ok');
  });
});

describe('toSafeJson', () => {
  it('escapes C1 controls, DEL, U+2028/U+2029 and lone surrogates and parses back to the same value', () => {
    const value = { text: 'a\u009b2J\u007f\u2028\u2029\ud800\u001b]52;c;x\u0007' };
    const json = toSafeJson(value);
    expect(json).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\ud800-\udfff]/);
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('createChunkPrinter on a terminal', () => {
  function capture(isTTY: boolean): {
    stdout: string;
    stderr: string;
    terminal: ReturnType<typeof createTerminal>;
  } {
    const output = { stdout: '', stderr: '' };
    const terminal = createTerminal(
      {
        stdout: { write: (text: string) => (output.stdout += text), isTTY },
        stderr: { write: (text: string) => (output.stderr += text), isTTY },
      },
      { FORCE_COLOR: '1' },
    );
    return Object.assign(output, { terminal });
  }

  it('drops control sequences the model wrote in answers, reasoning and tool calls but keeps its own colours', () => {
    const output = capture(true);
    const printer = createChunkPrinter(output.terminal, { showThinking: true, json: false });
    printer.print({ type: 'thinking', text: 'plan\u001b]52;c;eA==\u0007' });
    printer.print({ type: 'text', text: 'line 1\n\tline\u001b[2K\u009b1A 2\u001b' });
    printer.print({ type: 'text', text: ']0;title\u0007 end' });
    printer.print({ type: 'tool-call-start', id: 'c1', name: 'run\u001b[8m' });
    printer.print({ type: 'tool-call-delta', id: 'c1', argumentsDelta: '{"cmd":"\u001b]8;;x\u0007ls"}' });
    printer.print({ type: 'tool-call-end', id: 'c1' });
    const answer = printer.finish();
    expect(output.stdout).toBe('line 1\n\tline 2]0;title end\n');
    expect(output.stderr.replace(/\u001b\[\d+m/g, '')).toBe('plan\n\n⚙ run({"cmd":"ls"})\n');
    expect(output.stderr.replace(/\u001b\[\d+m/g, '')).not.toMatch(TERMINAL_CONTROL);
    expect(answer.text).toBe('line 1\n\tline\u001b[2K\u009b1A 2\u001b]0;title\u0007 end');
  });

  it('writes a piped answer exactly as streamed', () => {
    const output = capture(false);
    const printer = createChunkPrinter(output.terminal, { showThinking: false, json: false });
    printer.print({ type: 'text', text: 'exact\u001b[31m data\u009b' });
    printer.finish();
    expect(output.stdout).toBe('exact\u001b[31m data\u009b\n');
  });
});
