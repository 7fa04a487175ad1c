import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const hooks = fileURLToPath(
  new URL('../../../../scripts/testing/typescript-source-hooks.mjs', import.meta.url),
);
// Node's compile cache (keyed by content, so never stale) roughly halves each child's start-up CPU.
const compileCache = join(tmpdir(), 'codetether-oauth-pkce-test-compile-cache');

/**
 * Spawns `node` on a fixture script that imports the package's TypeScript source (see
 * typescript-source-hooks.mjs), with piped stdio.
 *
 * @param script - file name inside `src/__fixtures__`
 * @param parameters - command-line arguments for the script
 */
export function spawnFixture(script: string, parameters: string[]): ChildProcessWithoutNullStreams {
  const path = fileURLToPath(new URL(`./${script}`, import.meta.url));
  return spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', '--import', hooks, path, ...parameters],
    { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NODE_COMPILE_CACHE: compileCache } },
  );
}

/**
 * Collects a child's stdout lines and resolves the first line matching `predicate`.
 *
 * @param child - the child process
 * @param predicate - which line to wait for
 */
export function waitForLine(
  child: ChildProcessWithoutNullStreams,
  predicate: (line: string) => boolean,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    let errors = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      const found = lines.find(predicate);
      if (found !== undefined) {
        cleanup();
        resolve(found);
      }
    };
    const onError = (chunk: Buffer) => {
      errors += chunk.toString('utf8');
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(
        new Error(`child exited (${code}) before the expected output; stderr: ${errors.slice(0, 2000)}`),
      );
    };
    const cleanup = () => {
      child.stdout.off('data', onData);
      child.stderr.off('data', onError);
      child.off('exit', onExit);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onError);
    child.once('exit', onExit);
  });
}
