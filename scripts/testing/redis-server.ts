// A throw-away `redis-server` for tests and benchmarks (Redis tests of every package and app). Imported
// as TypeScript by Node's type stripping too (apps/server/bench/store-bench.mjs): nothing Node cannot strip.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throw-away `redis-server` child process on a free loopback port. */
export interface TestRedisServer {
  /** `redis://127.0.0.1:<port>/0`. */
  readonly url: string;
  /** The port it listens on (kept across restarts). */
  readonly port: number;
  /** Stops the server (SIGKILL: nothing is persisted anyway). */
  stop(): Promise<void>;
  /** Starts it again on the same port: empty, or with what it held when `persistent`. */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  close(): Promise<void>;
}

/** True when `redis-server` is installed (the Redis tests are skipped otherwise). */
export const hasRedisServer: boolean = (() => {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

function waitForReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('Ready to accept connections')) {
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output.slice(-2000)}`)));
  });
}

/**
 * Starts `redis-server --port N --save '' --appendonly no --dir <temp folder>` (nothing persisted, no
 * system service), optionally with a password, or persistent (`--appendonly yes --appendfsync always`:
 * every write is on disk before Redis answers, so a restart, even after SIGKILL, keeps everything).
 *
 * @param options - `password` for `--requirepass`; `persistent` to keep the data across restarts
 */
export async function startTestRedisServer(
  options: { password?: string; persistent?: boolean } = {},
): Promise<TestRedisServer> {
  const folder = await mkdtemp(join(tmpdir(), 'codetether-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    const persistence = options.persistent === true ? ['yes', '--appendfsync', 'always'] : ['no'];
    const parameters = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      ...persistence,
    ];
    parameters.push('--dir', folder);
    if (options.password !== undefined) parameters.push('--requirepass', options.password);
    child = spawn('redis-server', parameters, { stdio: ['ignore', 'pipe', 'pipe'] });
    await waitForReady(child);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}/0`,
    port,
    stop,
    start,
    async close() {
      await stop();
      await rm(folder, { recursive: true, force: true });
    },
  };
}
