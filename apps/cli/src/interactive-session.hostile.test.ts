import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { CodexProvider } from '@codetether/provider-codex';
import type { StreamChunk } from '@codetether/responses-protocol';
import { describe, expect, it } from 'vitest';
import { createCapturedContext } from './__fixtures__/captured-context.js';
import type { ExitCode } from './exit-codes.js';
import { runInteractiveSession } from './interactive-session.js';
import { createTerminal } from './terminal.js';

/** How the fake backend answers: `finish` at once, `hold` until aborted, `ignore-abort` never ends. */
type AnswerMode = 'finish' | 'hold' | 'ignore-abort';

/**
 * A provider whose conversation answers `answer to <text>` and then behaves as `mode()` says; it
 * records every sent text and whether the signal reached it.
 */
function fakeProvider(mode: () => AnswerMode) {
  const sent: string[] = [];
  const aborted: string[] = [];
  let started = 0;
  const provider = {
    lastRateLimits: undefined,
    createConversation: () => ({
      async *send(text: string, options: { signal: AbortSignal }): AsyncGenerator<StreamChunk> {
        sent.push(text);
        started += 1;
        yield { type: 'text', text: `answer to ${text}` };
        const behaviour = mode();
        if (behaviour === 'hold' || behaviour === 'ignore-abort') {
          await new Promise<void>((resolve) => {
            if (behaviour === 'hold') {
              options.signal.addEventListener('abort', () => {
                aborted.push(text);
                resolve();
              });
            }
          });
          yield { type: 'error', message: 'Cancelled.', code: 'aborted' };
          return;
        }
        yield { type: 'text', text: '\n' };
        yield { type: 'done', finishReason: 'stop' };
      },
      close: async () => {},
    }),
  } as unknown as CodexProvider;
  return { provider, sent, aborted, started: () => started };
}

/**
 * A terminal: standard input and output (80 columns, resizable: emit 'resize'), and a session on it
 * that records forced exits.
 */
function startSession(mode: () => AnswerMode) {
  let written = '';
  const stdout = Object.assign(new EventEmitter(), {
    isTTY: true,
    columns: 80,
    rows: 24,
    write: (text: string) => {
      written += text;
      return true;
    },
  });
  const base = createCapturedContext({}).context;
  const terminal = createTerminal({ stdout, stderr: base.terminal.stderr }, { NO_COLOR: '1' });
  const captured = { stdout: () => written };
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  const backend = fakeProvider(mode);
  const forcedExits: ExitCode[] = [];
  const exited = runInteractiveSession({ ...base, terminal, stdin }, backend.provider, {
    model: 'gpt-5.4',
    showThinking: true,
    forceExit: (code) => forcedExits.push(code),
  });
  return { captured, stdout, stdin, backend, forcedExits, exited };
}

describe('the interactive session against hostile key presses', () => {
  it('leaves at once on a second Ctrl-C while a cancelled answer does not stop', async () => {
    const session = startSession(() => 'ignore-abort');
    session.stdin.write('question\r');
    await expect.poll(() => session.captured.stdout()).toContain('answer to question');
    session.stdin.write('\u0003');
    expect(session.forcedExits).toEqual([]);
    session.stdin.write('\u0003');
    await expect.poll(() => session.forcedExits).toEqual([130]);
  });

  it('leaves with exit 0 on Ctrl-C pressed twice on an empty line (the first one says so)', async () => {
    const session = startSession(() => 'finish');
    session.stdin.write('\u0003');
    await expect
      .poll(() => session.captured.stdout())
      .toContain('(Press Ctrl-D or type /exit to leave. Ctrl-C again leaves too.)');
    session.stdin.write('\u0003');
    await expect(session.exited).resolves.toBe(0);
  });

  it('does not leave on two Ctrl-C with a key typed in between', async () => {
    const session = startSession(() => 'finish');
    session.stdin.write('\u0003');
    await expect.poll(() => session.captured.stdout()).toContain('Ctrl-C again leaves too');
    session.stdin.write('x\u007f\u0003');
    await expect.poll(() => session.captured.stdout().split('Ctrl-C again leaves too').length).toBe(3);
    session.stdin.write('\u0004');
    await expect(session.exited).resolves.toBe(0);
  });

  it('cancels an answer with Ctrl-C upstream, and the next turn works', async () => {
    let mode: AnswerMode = 'hold';
    const session = startSession(() => mode);
    session.stdin.write('first\r');
    await expect.poll(() => session.captured.stdout()).toContain('answer to first');
    session.stdin.write('\u0003');
    await expect.poll(() => session.captured.stdout()).toContain('(cancelled)');
    expect(session.backend.aborted).toEqual(['first']);
    mode = 'finish';
    session.stdin.write('second\r');
    await expect.poll(() => session.captured.stdout()).toContain('answer to second');
    session.stdin.write('\u0004');
    await expect(session.exited).resolves.toBe(0);
    expect(session.backend.sent).toEqual(['first', 'second']);
  });

  it('keeps a line entered while an answer streams for the next prompt, without sending it or drawing it into the answer', async () => {
    let mode: AnswerMode = 'hold';
    const session = startSession(() => mode);
    session.stdin.write('first\r');
    await expect.poll(() => session.captured.stdout()).toContain('answer to first');
    session.stdin.write('typed during the answer\rmore');
    mode = 'finish';
    session.stdin.write('\u0003');
    await expect.poll(() => session.captured.stdout()).toContain('(cancelled)');
    // Nothing typed was drawn into the answer.
    expect(session.captured.stdout().split('(cancelled)')[0]).not.toMatch(/typed during|more/);
    await expect.poll(() => session.captured.stdout()).toContain('typed during the answer more');
    expect(session.backend.sent).toEqual(['first']);
    // Enter sends it now.
    session.stdin.write('\r');
    await expect.poll(() => session.backend.sent).toEqual(['first', 'typed during the answer more']);
    await expect.poll(() => session.captured.stdout()).toContain('answer to typed during the answer more');
    session.stdin.write('\u0004');
    await expect(session.exited).resolves.toBe(0);
  });

  it('does not redraw the prompt into an answer when the terminal is resized while it streams', async () => {
    let mode: AnswerMode = 'hold';
    const session = startSession(() => mode);
    session.stdin.write('first\r');
    await expect.poll(() => session.captured.stdout()).toContain('answer to first');
    const before = session.captured.stdout();
    session.stdout.columns = 40;
    session.stdout.emit('resize');
    expect(session.captured.stdout()).toBe(before);
    mode = 'finish';
    session.stdin.write('\u0003');
    await expect.poll(() => session.captured.stdout()).toContain('(cancelled)');
    session.stdin.write('\u0004');
    await expect(session.exited).resolves.toBe(0);
  });
});

describe('the interactive session with standard output redirected', () => {
  it('draws the banner, the prompt and the typed keys on standard error, so the file gets only the answers', async () => {
    let answers = '';
    let screen = '';
    const stderr = Object.assign(new EventEmitter(), {
      isTTY: true,
      columns: 80,
      write: (text: string) => {
        screen += text;
        return true;
      },
    });
    const stdout = {
      write: (text: string) => {
        answers += text;
        return true;
      },
    };
    const base = createCapturedContext({}).context;
    const terminal = createTerminal({ stdout, stderr }, { NO_COLOR: '1' });
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    const backend = fakeProvider(() => 'finish');
    const exited = runInteractiveSession({ ...base, terminal, stdin }, backend.provider, {
      model: 'gpt-5.4',
      showThinking: true,
    });
    stdin.write('hello there\r');
    await expect.poll(() => answers).toBe('answer to hello there\n');
    stdin.write('\u0004');
    await expect(exited).resolves.toBe(0);
    expect(screen).toContain('Chatting with gpt-5.4.');
    expect(screen.replace(/\u001b\[[\d;]*[A-Za-z]/g, '')).toContain('› hello there');
    expect(answers).toBe('answer to hello there\n');
  });
});

describe('the interactive session with pasted text', () => {
  it('sends lines pasted together (one read of the terminal) as one message, not one turn per line', async () => {
    const session = startSession(() => 'finish');
    session.stdin.write('Explain this:\rconst a = 1;\rconst b = 2;\r');
    await expect.poll(() => session.backend.sent).toEqual(['Explain this:\nconst a = 1;\nconst b = 2;']);
    await expect.poll(() => session.captured.stdout()).toContain('answer to Explain this:');
    session.stdin.write('next\r');
    await expect.poll(() => session.backend.sent).toHaveLength(2);
    session.stdin.write('\u0004');
    await expect(session.exited).resolves.toBe(0);
    expect(session.backend.sent[1]).toBe('next');
  });
});
