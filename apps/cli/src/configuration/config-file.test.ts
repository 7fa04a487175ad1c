import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliError } from '../cli-error.js';
import { configFilePath, readConfigFile } from './config-file.js';

let folder: string;
let path: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'codetether-config-'));
  path = configFilePath(folder);
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** Writes the config file with a mode, returning what reading it throws (or `undefined`). */
async function failureOf(content: string, mode = 0o600): Promise<CliError | undefined> {
  await writeFile(path, content);
  await chmod(path, mode);
  return readConfigFile(path).then(
    () => undefined,
    (error: unknown) => error as CliError,
  );
}

describe('readConfigFile', () => {
  it('reads no settings from a missing file, and normalised settings from a valid one', async () => {
    expect(await readConfigFile(path)).toEqual({});
    await writeFile(
      path,
      JSON.stringify({
        model: ' gpt-5.5 ',
        transport: 'WS',
        reasoningEffort: 'High',
        openaiBaseUrl: 'http://127.0.0.1:1/v1/',
      }),
    );
    expect(await readConfigFile(path)).toEqual({
      model: 'gpt-5.5',
      transport: 'websocket',
      reasoningEffort: 'high',
      openaiBaseUrl: 'http://127.0.0.1:1/v1',
    });
  });

  it.each([
    ['an unknown key', '{"modle": "gpt-5.4"}', /Unknown setting 'modle'/, /Known settings: model, transport/],
    [
      'a bad transport',
      '{"transport": "pigeon"}',
      /Bad value "pigeon" for 'transport'/,
      /auto, websocket or http/,
    ],
    ['a bad effort', '{"reasoningEffort": "max"}', /'reasoningEffort'/, /none, low, medium, high or xhigh/],
    ['a bad URL', '{"authIssuer": "ftp://x"}', /'authIssuer'/, /http\(s\) URL/],
    ['a number', '{"model": 5}', /Bad value 5 for 'model'/, /as a JSON string/],
    ['invalid JSON', '{"model": ', /is not valid JSON/, /move it away/],
    ['an array', '["model"]', /must hold one JSON object/, /For example/],
  ])('refuses %s with a usage error naming the file', async (_name, content, message, hint) => {
    const error = await failureOf(content);
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ code: 'usage', exitCode: 2 });
    expect(error?.message).toContain(path);
    expect(error?.message).toMatch(message);
    expect(error?.hint).toMatch(hint);
  });

  it('refuses a file group or others can write, a symbolic link and a folder', async () => {
    for (const mode of [0o620, 0o602, 0o666, 0o777]) {
      const error = await failureOf('{}', mode);
      expect(error?.message).toContain(`can be changed by other users (mode ${mode.toString(8)})`);
      expect(error?.hint).toContain(`chmod go-w ${path}`);
    }
    expect(await failureOf('{}', 0o644)).toBeUndefined();
    await rm(path);

    const real = join(folder, 'real.json');
    await writeFile(real, '{}', { mode: 0o600 });
    await symlink(real, path);
    await expect(readConfigFile(path)).rejects.toThrow(/is a symbolic link/);
    await rm(path);

    await mkdir(path);
    await expect(readConfigFile(path)).rejects.toThrow(/is not a regular file/);
  });
});
