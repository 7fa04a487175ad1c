import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../__fixtures__/cli-harness.js';

const env = { PATH: process.env.PATH ?? '', HOME: '/nonexistent' };
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'codetether-completion-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** Writes the script of `shell` to a file and returns its path. */
async function scriptFile(shell: string): Promise<string> {
  const result = await runCli(['completion', shell], env);
  expect(result.code).toBe(0);
  expect(result.stderr).toBe('');
  const path = join(folder, `codetether.${shell}`);
  await writeFile(path, result.stdout);
  return path;
}

const hasShell = (shell: string): boolean => spawnSync(shell, ['-c', 'exit 0']).status === 0;

/** What bash completes for the words typed so far (the last one is being typed). */
function completeInBash(script: string, typed: string[]): string[] {
  const words = ['codetether', ...typed].map((word) => `'${word}'`).join(' ');
  const result = spawnSync(
    'bash',
    [
      '-c',
      `source '${script}'; COMP_WORDS=(${words}); COMP_CWORD=${typed.length}; _codetether; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { encoding: 'utf8' },
  );
  expect(result.stderr).toBe('');
  return result.stdout.split('\n').filter((line) => line !== '');
}

describe('codetether completion', () => {
  it('prints a bash script that parses and completes commands, subcommands, options and values', async () => {
    const script = await scriptFile('bash');
    expect(spawnSync('bash', ['-n', script]).status).toBe(0);
    expect(completeInBash(script, [''])).toEqual([
      'auth',
      'models',
      'chat',
      'usage',
      'demo',
      'doctor',
      'completion',
    ]);
    expect(completeInBash(script, ['au'])).toEqual(['auth']);
    expect(completeInBash(script, ['auth', ''])).toEqual(['login', 'status', 'logout', 'import-codex']);
    expect(completeInBash(script, ['auth', 'login', '--w'])).toEqual(['--with-api-key']);
    expect(completeInBash(script, ['--debug', 'chat', '-m', 'gpt-5.4', '--t'])).toEqual(['--transport']);
    expect(completeInBash(script, ['chat', '--transport', ''])).toEqual(['auto', 'websocket', 'http']);
    expect(completeInBash(script, ['chat', '-m', ''])).toEqual([]);
    expect(completeInBash(script, ['completion', ''])).toEqual(['bash', 'zsh', 'fish']);
    expect(completeInBash(script, ['-c', 'model=x', 'mo'])).toEqual(['models']);
    expect(completeInBash(script, ['doctor', '--j'])).toEqual(['--json']);
  });

  it('prints zsh and fish scripts naming every command', async () => {
    for (const shell of ['zsh', 'fish']) {
      const result = await runCli(['completion', shell], env);
      expect(result.code).toBe(0);
      for (const command of [
        'auth',
        'login',
        'chat',
        'models',
        'usage',
        'doctor',
        'completion',
        'with-api-key',
      ]) {
        expect(result.stdout).toContain(command);
      }
    }
  });

  it.runIf(hasShell('zsh'))('prints a zsh script that zsh parses', async () => {
    expect(spawnSync('zsh', ['-n', await scriptFile('zsh')]).status).toBe(0);
  });

  it.runIf(hasShell('fish'))('prints a fish script that fish parses', async () => {
    expect(spawnSync('fish', ['--no-execute', await scriptFile('fish')]).status).toBe(0);
  });

  it('exits 2 for an unknown shell', async () => {
    const result = await runCli(['completion', 'powershell'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('bash, zsh, fish');
  });
});
