import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliError } from '../cli-error.js';
import { configFilePath, readConfigFile } from './config-file.js';

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
