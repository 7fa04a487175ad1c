// Imported both by the tests and, as TypeScript that Node runs by stripping the types, by
// bench/store-bench.mjs: so this file has type-only imports and nothing Node cannot strip.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built `codetether-server` command (`apps/server/dist/cli.js`). */
export const SERVER_CLI_PATH: string = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** A `codetether-server` child process listening on a free loopback port. */
export interface GatewayProcess {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The child process. */
  readonly child: ChildProcess;
  /** What it wrote to stderr so far (banners, messages). */
  stderr(): string;
  /** SIGKILL, resolved once it exited. */
  kill(): Promise<void>;
}

/** The environment of a gateway child: the test's own, without settings that would change what it uses. */
export function gatewayEnvironment(settings: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith('CODETETHER_') && name !== 'OPENAI_API_KEY')
      env[name] = value;
  }
  return { ...env, ...settings };
}

/**
 * Runs `node apps/server/dist/cli.js --port 0 [args]` with `env` (see {@link gatewayEnvironment}) and
 * resolves once it printed its address.
 *
 * @param env - the child's whole environment
 * @param args - more command-line arguments
 */
export function startGatewayProcess(
  env: Record<string, string>,
  args: readonly string[] = [],
): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [SERVER_CLI_PATH, '--port', '0', ...args], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`codetether-server exited (${code}) before listening: ${stderr.slice(-2000)}`));
    child.once('exit', onExit);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match?.[1] === undefined) return;
      child.off('exit', onExit);
      resolve({
        url: match[1],
        child,
        stderr: () => stderr,
        async kill() {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = new Promise((done) => child.once('exit', done));
          child.kill('SIGKILL');
          await exited;
        },
      });
    });
  });
}

/**
 * Runs `node apps/server/dist/cli.js <args>` to completion (e.g. `keys create NAME`).
 *
 * @param env - the child's whole environment
 * @param args - the arguments
 */
export function runServerCli(
  env: Record<string, string>,
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [SERVER_CLI_PATH, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = collectOutput(child);
  return new Promise((resolve) =>
    child.once('close', (code) => resolve({ code, stdout: output.stdout(), stderr: output.stderr() })),
  );
}

/**
 * Collects a child's stdout and stderr (spawned with both piped) as UTF-8 text.
 *
 * @param child - the child process
 * @returns readers of what each stream has written so far
 */
export function collectOutput(child: ChildProcess): { stdout: () => string; stderr: () => string } {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return { stdout: () => stdout, stderr: () => stderr };
}
