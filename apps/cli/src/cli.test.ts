import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLI_PATH, ESCAPE_CODE, runCli } from './__fixtures__/cli-harness.js';

const TRACE_HOOK = fileURLToPath(new URL('./__fixtures__/trace-imports.mjs', import.meta.url));
const env = { PATH: process.env.PATH ?? '', HOME: '/nonexistent' };

/** Runs the CLI with the import tracer; returns the resolved module URLs. */
function tracedRun(args: string[]): Promise<{ code: number | null; stdout: string; modules: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TRACE_HOOK, CLI_PATH, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      const modules = stderr
        .split('\n')
        .filter((line) => line.startsWith('[resolved] '))
        .map((line) => line.slice('[resolved] '.length));
      resolve({ code, stdout, modules });
    });
  });
}

describe('codetether', () => {
  it('prints the version and exits 0', async () => {
    const packageJson = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const result = await runCli(['--version'], env);
    expect(result).toEqual({ code: 0, stdout: `${packageJson.version}\n`, stderr: '' });
  });

  it('prints help with every command, the exit codes and no escape codes when piped', async () => {
    const result = await runCli(['--help'], env);
    expect(result.code).toBe(0);
    for (const command of ['auth', 'models', 'chat', 'usage', 'demo'])
      expect(result.stdout).toContain(command);
    expect(result.stdout).toContain('3 not logged in');
    expect(result.stdout).not.toMatch(ESCAPE_CODE);
  });

  it.each([['--version'], ['--help'], ['chat', '--help'], ['auth', 'login', '--help']])(
    '%# (%s …) loads no provider, OAuth or emulator code',
    async (...args: string[]) => {
      const result = await tracedRun(args);
      expect(result.code).toBe(0);
      expect(result.modules.length).toBeGreaterThan(0);
      const loaded = result.modules.filter((url) => /@codetether|\/packages\/|node_modules/.test(url));
      expect(loaded).toEqual([]);
      // No command module was imported.
      const commandModules = /\/dist\/(auth-|models-|chat-|usage-|demo-)/;
      expect(result.modules.filter((url) => commandModules.test(url))).toEqual([]);
    },
  );

  it('exits 2 with a one-line message on a usage error', async () => {
    const unknownOption = await runCli(['chat', '--bogus'], env);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain("unknown option '--bogus'");
    expect(unknownOption.stdout).toBe('');

    const unknownCommand = await runCli(['frobnicate'], env);
    expect(unknownCommand.code).toBe(2);

    const badTransport = await runCli(['chat', '--transport', 'carrier-pigeon', 'hi'], env);
    expect(badTransport.code).toBe(2);
    expect(badTransport.stderr).toContain('carrier-pigeon');

    const badPort = await runCli(['auth', 'login', '--port', 'abc'], env);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('0 to 65535');

    const conflicting = await runCli(['auth', 'login', '--device-code', '--no-browser'], env);
    expect(conflicting.code).toBe(2);

    const bareAuth = await runCli(['auth'], env);
    expect(bareAuth.code).toBe(2);
    expect(bareAuth.stderr).toContain('login');
  });
});
