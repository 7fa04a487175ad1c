import { execFileSync } from 'node:child_process';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { growFileAfterFstat } from '../__fixtures__/file-growth.js';
import { CliError } from '../cli-error.js';
import { CONFIG_FILE_MAX_BYTES, configFilePath, readConfigFile } from './config-file.js';

let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'codetether-config-hostile-'));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

const posixOnly = process.platform === 'win32' ? it.skip : it;

describe('readConfigFile with a config.json that is not a plain file', () => {
  posixOnly(
    'refuses a named pipe (FIFO) at once instead of every command waiting forever for a writer',
    async () => {
      const path = configFilePath(folder);
      execFileSync('mkfifo', [path]);
      const error = await readConfigFile(path).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(CliError);
      expect(error).toMatchObject({ code: 'usage' });
      expect((error as CliError).message).toBe(
        `The config file ${path} is not a regular file, so CodeTether will not read it.`,
      );
    },
  );
});

describe('readConfigFile with a config.json over 1 MiB', () => {
  const tooLargeMessage = (path: string): string =>
    `The config file ${path} is too large (over the limit of 1 MiB (1048576 bytes)), so CodeTether will not read it.`;

  it('refuses a huge (sparse, 8 GiB) file without reading it (usage error, like any unsafe file)', async () => {
    expect(CONFIG_FILE_MAX_BYTES).toBe(1024 * 1024);
    const path = configFilePath(folder);
    const handle = await open(path, 'w', 0o600);
    await handle.truncate(8 * 1024 ** 3);
    await handle.close();
    const error = await readConfigFile(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ code: 'usage', message: tooLargeMessage(path) });
    expect((error as CliError).hint).toContain('Move it away');
  });

  it('reads a file of exactly 1 MiB', async () => {
    const path = configFilePath(folder);
    const settings = '{"model": "gpt-5.4"}';
    await writeFile(path, settings + ' '.repeat(CONFIG_FILE_MAX_BYTES - settings.length), { mode: 0o600 });
    await expect(readConfigFile(path)).resolves.toEqual({ model: 'gpt-5.4' });
  });

  it('refuses a file that grows over the limit after it was checked', async () => {
    const path = configFilePath(folder);
    await writeFile(path, '{"model": "gpt-5.4"}', { mode: 0o600 });
    const restore = await growFileAfterFstat(path, 64 * 1024 * 1024);
    const error = await readConfigFile(path)
      .catch((caught: unknown) => caught)
      .finally(restore);
    expect(error).toMatchObject({ code: 'usage', message: tooLargeMessage(path) });
  });
});
