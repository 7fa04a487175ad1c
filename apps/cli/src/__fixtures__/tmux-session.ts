import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The tmux binary used to give the CLI a real pseudo-terminal. */
export const TMUX_PATH = '/usr/bin/tmux';

/** A command running in a detached tmux pane on a private tmux server. */
export interface TmuxSession {
  /** Types literal text. */
  type(text: string): Promise<void>;
  /** Presses keys (`Enter`, `C-c`, `C-d`). */
  press(...keys: string[]): Promise<void>;
  /** The visible pane text (no escape codes). */
  capture(): Promise<string>;
  /** Polls the pane until `predicate` accepts its text; returns that text. */
  waitFor(predicate: (screen: string) => boolean, description: string): Promise<string>;
  /** Polls until the command has exited; returns its exit status. */
  waitForExit(): Promise<number>;
  /** Whether the pane shows its cursor (a program that hid it and died leaves it hidden). */
  cursorVisible(): Promise<boolean>;
  /** Kills the private tmux server. */
  close(): Promise<void>;
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

const POLL_INTERVAL_MS = 25;
const WAIT_LIMIT_MS = 45_000;

/**
 * Starts `argv` with exactly `env` in a 160×50 tmux pane on a private server (`tmux -L`), so the test
 * never touches the user's tmux. The pane stays after the command exits so its status can be read.
 *
 * @param argv - the command and its arguments
 * @param env - the complete environment of the command
 */
export async function startTmuxSession(argv: string[], env: Record<string, string>): Promise<TmuxSession> {
  const socket = `codetether-cli-test-${randomUUID()}`;
  const tmux = async (...args: string[]): Promise<string> =>
    (await run(TMUX_PATH, ['-L', socket, '-f', '/dev/null', ...args])).stdout;
  // tmux does not always reap the command (it can stay a zombie with no `pane_dead_status`), so a
  // small shell runs it and writes its exit status to a file. `trap : INT` keeps that shell alive on
  // Ctrl-C without passing an ignored SIGINT on to the command.
  const statusFile = join(tmpdir(), `${socket}.status`);
  const command = [
    'env',
    '-i',
    ...Object.entries(env).map(([name, value]) => shellQuote(`${name}=${value}`)),
    '/bin/sh',
    '-c',
    shellQuote(`trap : INT; "$@"; echo $? > ${shellQuote(statusFile)}`),
    'sh',
    ...argv.map(shellQuote),
  ].join(' ');
  await tmux(
    'new-session',
    '-d',
    '-s',
    'cli',
    '-x',
    '160',
    '-y',
    '50',
    command,
    ';',
    'set-option',
    '-t',
    'cli',
    'remain-on-exit',
    'on',
  );
  const capture = (): Promise<string> => tmux('capture-pane', '-p', '-J', '-t', 'cli', '-S', '-200');
  const poll = async <T>(read: () => Promise<T | undefined>, description: string): Promise<T> => {
    const deadline = Date.now() + WAIT_LIMIT_MS;
    for (;;) {
      const value = await read();
      if (value !== undefined) return value;
      if (Date.now() > deadline) {
        throw new Error(`Timed out waiting for ${description}. Screen:\n${await capture().catch(() => '')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  };
  return {
    async type(text) {
      await tmux('send-keys', '-t', 'cli', '-l', text);
    },
    async press(...keys) {
      await tmux('send-keys', '-t', 'cli', ...keys);
    },
    capture,
    waitFor(predicate, description) {
      return poll(async () => {
        const screen = await capture();
        return predicate(screen) ? screen : undefined;
      }, description);
    },
    waitForExit() {
      return poll(async () => {
        const status = await readFile(statusFile, 'utf8').catch(() => '');
        return status.trim() === '' ? undefined : Number(status.trim());
      }, 'the command to exit');
    },
    async cursorVisible() {
      return (await tmux('display-message', '-p', '-t', 'cli', '#{cursor_flag}')).trim() === '1';
    },
    async close() {
      await tmux('kill-server').catch(() => {});
      await rm(statusFile, { force: true });
    },
  };
}
