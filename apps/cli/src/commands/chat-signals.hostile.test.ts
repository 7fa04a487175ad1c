import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI_PATH, startCli } from '../__fixtures__/cli-harness.js';
import { useEmulatorEnvironment } from '../__fixtures__/emulator-environment.js';
import { startTmuxSession, type TmuxSession } from '../__fixtures__/tmux-session.js';

const run = promisify(execFile);

// A slow answer: the first words come after a few seconds, the whole answer after much longer, so a
// signal sent once a marker is on the screen always lands while the answer is on its way.
const fixture = useEmulatorEnvironment({
  emulator: { scenario: 'slow', eventDelayMs: 600 },
  loggedIn: true,
  homeScope: 'file',
});

const posixOnly = process.platform === 'win32' ? describe.skip : describe;

let folder: string;
let session: TmuxSession | undefined;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'codetether-signals-'));
});

afterEach(async () => {
  await session?.close();
  session = undefined;
  await rm(folder, { recursive: true, force: true });
});

/** Polls for a file the pane's shell writes once the CLI has exited (the fixture's own wait, file-based). */
async function readWhenWritten(path: string): Promise<string> {
  for (;;) {
    const text = await readFile(path, 'utf8').catch(() => '');
    if (text.endsWith('\n')) return text;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Runs `codetether …args` in a tmux pane under a small shell that writes its own pid to `shell.pid`
 * and, once the CLI has exited, the terminal's modes to `stty.txt` and the CLI's exit status to
 * `status.txt`; the pane then stays alive, so its cursor can still be read.
 */
async function startInTerminal(args: string[]) {
  const quoted = [process.execPath, CLI_PATH, ...args].map((word) => `'${word}'`).join(' ');
  const script = `echo $$ > '${folder}/shell.pid'; ${quoted}; code=$?; stty -a > '${folder}/stty.txt'; echo $code > '${folder}/status.txt'; exec sleep 600`;
  const started = await startTmuxSession(['/bin/sh', '-c', script], {
    ...fixture.environment.env,
    TERM: 'xterm-256color',
  });
  session = started;
  return {
    session: started,
    async cliPid(): Promise<number> {
      const shell = (await readFile(join(folder, 'shell.pid'), 'utf8')).trim();
      const { stdout } = await run('pgrep', ['-P', shell]);
      return Number(stdout.trim().split('\n')[0]);
    },
    async exitStatus(): Promise<number> {
      return Number((await readWhenWritten(join(folder, 'status.txt'))).trim());
    },
  };
}

posixOnly('codetether chat stopped by SIGTERM or SIGHUP', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)(
    'a piped one-shot answer stopped by %s exits %i (not killed mid-write)',
    async (signal, code) => {
      const chat = startCli(['chat', 'Hi'], fixture.environment.env);
      await chat.waitFor(/Hello from/);
      chat.child.kill(signal);
      const result = await chat.exited;
      expect(result.code).toBe(code);
      expect(result.stderr).not.toContain('    at ');
    },
  );

  it('a one-shot answer on a terminal stopped by SIGTERM (`timeout`) while the spinner runs gives the cursor back', async () => {
    const terminal = await startInTerminal(['chat', 'Hi']);
    await terminal.session.waitFor((screen) => screen.includes('Waiting for gpt-5.4'), 'the spinner');
    expect(await terminal.session.cursorVisible()).toBe(false);
    process.kill(await terminal.cliPid(), 'SIGTERM');
    expect(await terminal.exitStatus()).toBe(143);
    expect(await terminal.session.cursorVisible()).toBe(true);
  });

  it.each([
    ['SIGHUP', 129],
    ['SIGTERM', 143],
  ] as const)(
    'the interactive session stopped by %s during an answer leaves the terminal in line mode (exit %i)',
    async (signal, code) => {
      const terminal = await startInTerminal(['chat']);
      await terminal.session.waitFor((screen) => /^› $/m.test(screen), 'the first prompt');
      await terminal.session.type('question');
      await terminal.session.press('Enter');
      await terminal.session.waitFor((screen) => screen.includes('Hello from'), 'the answer to start');
      process.kill(await terminal.cliPid(), signal);
      expect(await terminal.exitStatus()).toBe(code);
      const modes = await readFile(join(folder, 'stty.txt'), 'utf8');
      expect(modes).toMatch(/(^|\s)icanon(\s|$)/);
      expect(modes).toMatch(/(^|\s)echo(\s|$)/);
      expect(await terminal.session.cursorVisible()).toBe(true);
    },
  );
});
