import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Emulator, IssuedTokens, IssueTokensOptions } from '@codetether/emulator';
import { createFileCredentialStore, type StoredChatGptCredentials } from '@codetether/oauth-pkce';

/** The built CLI (`pnpm build` runs before `pnpm test`). */
export const CLI_PATH = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** The finished run of a CLI subprocess. */
export interface CliResult {
  /** Exit code (null when killed by a signal). */
  code: number | null;
  /** Everything written to standard output. */
  stdout: string;
  /** Everything written to standard error. */
  stderr: string;
}

/** A running CLI subprocess. */
export interface RunningCli {
  /** The child process. */
  child: ChildProcessWithoutNullStreams;
  /** Standard output so far. */
  stdout(): string;
  /** Standard error so far. */
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout + stderr (checked on every output). */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  /** Resolves when the process has exited. */
  exited: Promise<CliResult>;
}

/**
 * Starts `node dist/cli.js ...args` with exactly `env` (plus nothing from the test process).
 *
 * @param args - the CLI arguments
 * @param env - the environment
 */
export function startCli(args: string[], env: Record<string, string>): RunningCli {
  if (!existsSync(CLI_PATH)) throw new Error(`Build the CLI first: ${CLI_PATH} is missing.`);
  const child = spawn(process.execPath, [CLI_PATH, ...args], { env, stdio: 'pipe' });
  // A command that never reads standard input (`--version`) may exit before the test writes or closes
  // it; the write then fails with EPIPE, which says nothing about the CLI.
  child.stdin.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  const notify = (): void => {
    for (const waiter of [...waiters]) waiter();
  };
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (text: string) => {
    stdout += text;
    notify();
  });
  child.stderr.on('data', (text: string) => {
    stderr += text;
    notify();
  });
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      notify();
      resolve({ code, stdout, stderr });
    });
  });
  let closed = false;
  void exited.then(
    () => {
      closed = true;
      notify();
    },
    () => {},
  );
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitFor(pattern) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const match = `${stdout}\n${stderr}`.match(pattern);
          if (match !== null) {
            waiters.delete(check);
            resolve(match);
          } else if (closed) {
            waiters.delete(check);
            reject(
              new Error(`The CLI exited before printing ${pattern}.\nstdout: ${stdout}\nstderr: ${stderr}`),
            );
          }
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/**
 * Runs the CLI to completion, writing `stdin` (when given) and closing it.
 *
 * @param args - the CLI arguments
 * @param env - the environment
 * @param stdin - text for standard input (closed right away when undefined)
 */
export async function runCli(
  args: string[],
  env: Record<string, string>,
  stdin?: string,
): Promise<CliResult> {
  const running = startCli(args, env);
  running.child.stdin.end(stdin ?? '');
  return running.exited;
}

/** A temporary `CODETETHER_HOME` and an environment pointing the CLI at an emulator. */
export interface TestEnvironment {
  /** The temporary folder (also `HOME`). */
  folder: string;
  /** `CODETETHER_HOME`. */
  home: string;
  /** The subprocess environment. */
  env: Record<string, string>;
  /** Removes the folder. */
  cleanup(): Promise<void>;
}

/**
 * Creates a temporary home and the environment for a CLI subprocess talking to `emulator`. Nothing is
 * inherited from the test process except `PATH` (so no real `OPENAI_API_KEY` or home leaks in).
 *
 * @param emulator - the running emulator
 */
export async function createTestEnvironment(emulator: Emulator): Promise<TestEnvironment> {
  const folder = await mkdtemp(join(tmpdir(), 'codetether-cli-'));
  const home = join(folder, 'codetether');
  return {
    folder,
    home,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: folder,
      CODETETHER_HOME: home,
      CODETETHER_AUTH_ISSUER: emulator.issuerUrl,
      CODETETHER_CHATGPT_BASE_URL: emulator.chatgptBaseUrl,
      CODETETHER_OPENAI_BASE_URL: emulator.openaiBaseUrl,
    },
    cleanup: () => rm(folder, { recursive: true, force: true }),
  };
}

/**
 * The ChatGPT login `codetether auth login` stores for tokens the emulator issued.
 *
 * @param issued - what `emulator.issueTokens()` returned
 * @param lastRefreshAt - when the tokens were last refreshed, epoch ms (default now)
 */
export function emulatorLogin(issued: IssuedTokens, lastRefreshAt = Date.now()): StoredChatGptCredentials {
  return {
    type: 'chatgpt',
    tokens: {
      accessToken: issued.accessToken,
      refreshToken: issued.refreshToken,
      idToken: issued.idToken,
      expiresAt: issued.expiresAt,
    },
    accountId: issued.accountId,
    lastRefreshAt,
    source: 'login',
  };
}

/**
 * Stores a ChatGPT login issued by the emulator in `home`, as `codetether auth login` would.
 *
 * @param emulator - the emulator issuing the tokens
 * @param home - `CODETETHER_HOME`
 * @param options - the profile to store it in (default the default profile) and the claims to issue
 */
export async function storeEmulatorLogin(
  emulator: Emulator,
  home: string,
  options: { profile?: string; issue?: IssueTokensOptions } = {},
): Promise<{ accessToken: string }> {
  const issued = emulator.issueTokens(options.issue);
  const store = createFileCredentialStore({ home, profile: options.profile });
  await store.write(emulatorLogin(issued));
  return { accessToken: issued.accessToken };
}

/** Matches any ANSI escape sequence. */
export const ESCAPE_CODE = /\u001b\[/;

/**
 * Runs the CLI to completion with standard input set to an open file descriptor (a directory, a file
 * opened write-only) instead of a pipe.
 *
 * @param args - the CLI arguments
 * @param env - the environment
 * @param stdinDescriptor - the descriptor the child gets as its standard input
 */
export function runCliWithInputDescriptor(
  args: string[],
  env: Record<string, string>,
  stdinDescriptor: number,
): Promise<CliResult> {
  if (!existsSync(CLI_PATH)) throw new Error(`Build the CLI first: ${CLI_PATH} is missing.`);
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    env,
    stdio: [stdinDescriptor, 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
