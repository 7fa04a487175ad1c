import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Whether a `python3` is on the PATH (the Python SDK tests need it, and its `openai` package). */
export const PYTHON_AVAILABLE = await run('python3', ['--version']).then(
  () => true,
  () => false,
);

/**
 * Runs a Python script (its source) with `args` from a temporary folder, removed afterwards;
 * resolves its standard output (rejects when it fails).
 */
export async function runPythonScript(source: string, args: readonly string[]): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'codetether-python-sdk-'));
  try {
    const script = join(folder, 'script.py');
    await writeFile(script, source);
    const { stdout } = await run('python3', [script, ...args]);
    return stdout;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
