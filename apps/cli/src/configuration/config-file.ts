import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { join } from 'node:path';
import { describeByteLimit, readFileHandleAtMost } from '@codetether/oauth-pkce';
import { CliError } from '../cli-error.js';
import { normalizeSetting, type SettingValues } from './setting-value.js';

/** The config file's name under the CodeTether home folder. */
export const CONFIG_FILE_NAME = 'config.json';

/**
 * Where the config file is: `<home>/config.json`.
 *
 * @param home - the CodeTether home folder
 */
export function configFilePath(home: string): string {
  return join(home, CONFIG_FILE_NAME);
}

/** The most bytes the config file may hold: 1 MiB, far above the few settings it holds. */
export const CONFIG_FILE_MAX_BYTES = 1024 * 1024;

/** `O_NOFOLLOW` where the platform has it (not on Windows; there an `lstat` check is used instead). */
const NO_FOLLOW: number = constants.O_NOFOLLOW ?? 0;

/** `O_NONBLOCK` where the platform has it: opening a FIFO must never wait for a writer (a hang of every command). */
const NON_BLOCKING: number = constants.O_NONBLOCK ?? 0;

function unsafe(path: string, problem: string, fix: string): CliError {
  return new CliError('usage', `The config file ${path} ${problem}, so CodeTether will not read it.`, {
    hint: fix,
  });
}

/** Reads the file's text; `undefined` when it does not exist. Refuses files others could have changed. */
async function readTrustedText(path: string): Promise<string | undefined> {
  const symlinkProblem = (): CliError =>
    unsafe(
      path,
      'is a symbolic link',
      'Replace the link with the file itself (settings are read only from a regular file).',
    );
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    if (NO_FOLLOW === 0 && (await lstat(path)).isSymbolicLink()) throw symlinkProblem();
    handle = await open(path, constants.O_RDONLY | NO_FOLLOW | NON_BLOCKING);
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP' || code === 'EMLINK') throw symlinkProblem();
    throw new CliError('failed', `Could not read the config file ${path} (${code ?? 'I/O error'}).`, {
      hint: 'Check its permissions, or move it away.',
      cause: error,
    });
  }
  try {
    const info = await handle.stat();
    if (!info.isFile())
      throw unsafe(path, 'is not a regular file', 'Move it away and create a regular file instead.');
    if (process.platform !== 'win32') {
      const uid = process.getuid?.();
      if (uid !== undefined && info.uid !== uid && info.uid !== 0) {
        throw unsafe(path, `belongs to another user (uid ${info.uid})`, 'Use a config file you own.');
      }
      if ((info.mode & 0o022) !== 0) {
        throw unsafe(
          path,
          `can be changed by other users (mode ${(info.mode & 0o777).toString(8)})`,
          `Run \`chmod go-w ${path}\` (or \`chmod 600 ${path}\`) and try again.`,
        );
      }
    }
    // Read at most one byte past the limit, even from a file growing meanwhile.
    const bytes = await readFileHandleAtMost(handle, CONFIG_FILE_MAX_BYTES);
    if (bytes === undefined) {
      throw unsafe(
        path,
        `is too large (over the limit of ${describeByteLimit(CONFIG_FILE_MAX_BYTES)})`,
        'Move it away and write the settings you need into a new one (e.g. {"model": "gpt-5.4"}).',
      );
    }
    return bytes.toString('utf8');
  } finally {
    await handle.close().catch(() => {});
  }
}

/**
 * Reads and checks the config file: a JSON object of settings (`{"model": "gpt-5.4", "transport":
 * "http"}`). Missing file → no settings. A symbolic link, a non-regular file, a file of another user
 * or one that group/others can write is refused, and so is one over {@link CONFIG_FILE_MAX_BYTES} (1 MiB;
 * never read past it); invalid JSON, an unknown key or a bad value is a usage
 * error (exit 2) naming the file.
 *
 * @param path - the config file
 */
export async function readConfigFile(path: string): Promise<SettingValues> {
  const text = await readTrustedText(path);
  if (text === undefined) return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliError('usage', `The config file ${path} is not valid JSON (${(error as Error).message}).`, {
      hint: 'Fix it (it holds one JSON object, e.g. {"model": "gpt-5.4"}) or move it away.',
      cause: error,
    });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new CliError('usage', `The config file ${path} must hold one JSON object of settings.`, {
      hint: 'For example: {"model": "gpt-5.4", "transport": "auto"}.',
    });
  }
  const values: SettingValues = {};
  for (const [key, value] of Object.entries(json)) {
    values[key] = normalizeSetting(key, value, `the config file ${path}`);
  }
  return values;
}
