import { describe, expect, it } from 'vitest';
import { createTerminal } from '../terminal.js';
import { createChunkPrinter } from './chunk-printer.js';

function capture(): { stdout: string; stderr: string; terminal: ReturnType<typeof createTerminal> } {
  const output = { stdout: '', stderr: '' };
  const terminal = createTerminal(
    {
      stdout: { write: (text: string) => (output.stdout += text), isTTY: false },
      stderr: { write: (text: string) => (output.stderr += text), isTTY: false },
    },
    {},
  );
  return Object.assign(output, { terminal });
}

describe('createChunkPrinter', () => {
  it('shows reasoning on stderr without Markdown bold markers, even split across chunks', () => {
    const output = capture();
    const printer = createChunkPrinter(output.terminal, { showThinking: true, json: false });
    for (const text of ['**Plan', 'ning*', '*\n\nShort *reply* then **done', '*']) {
      printer.print({ type: 'thinking', text });
    }
    printer.print({ type: 'text', text: 'Answer' });
    const answer = printer.finish();
    expect(output.stderr).toBe('Planning\n\nShort *reply* then done*\n\n');
    expect(output.stdout).toBe('Answer\n');
    expect(answer.text).toBe('Answer');
  });

  it('prints every chunk unchanged as one JSON line in JSON mode', () => {
    const output = capture();
    const printer = createChunkPrinter(output.terminal, { showThinking: true, json: true });
    printer.print({ type: 'thinking', text: '**Plan**' });
    printer.print({ type: 'done', finishReason: 'stop' });
    printer.finish();
    expect(output.stdout).toBe(
      '{"type":"thinking","text":"**Plan**"}\n{"type":"done","finishReason":"stop"}\n',
    );
    expect(output.stderr).toBe('');
  });
});
