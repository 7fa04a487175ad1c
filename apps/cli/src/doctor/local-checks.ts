import { lstat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { resolveProfileFolder } from '@codetether/oauth-pkce';
import { CliError } from '../cli-error.js';
import { configFilePath, readConfigFile } from '../configuration/config-file.js';
import {
  describePseudoFilesystemHome,
  findPseudoFilesystem,
  PSEUDO_FILESYSTEM_HOME_HINT,
} from '../home-filesystem.js';
import { type DoctorCheck, failed, messageOf, passed } from './doctor-check.js';

const MINIMUM_NODE_MAJOR = 22;

const modeOf = (mode: number): string => (mode & 0o777).toString(8).padStart(3, '0');

/**
 * Node.js is new enough.
 *
 * @param version - `process.versions.node`
 */
export function checkNodeVersion(version: string): DoctorCheck {
  const major = Number(version.split('.')[0]);
  return major >= MINIMUM_NODE_MAJOR
    ? passed('Node.js', `${version} (${MINIMUM_NODE_MAJOR} or newer needed)`)
    : failed(
        'Node.js',
        `${version} is too old (${MINIMUM_NODE_MAJOR} or newer needed)`,
        `Install Node.js ${MINIMUM_NODE_MAJOR} or newer (nvm install ${MINIMUM_NODE_MAJOR}, fnm install ${MINIMUM_NODE_MAJOR}, or https://nodejs.org).`,
      );
}

/**
 * The home folder is a folder only its owner can use (0700), or does not exist yet, on a regular
 * filesystem (not `/proc`).
 *
 * @param home - the CodeTether home folder
 */
export async function checkHomeFolder(home: string): Promise<DoctorCheck> {
  const name = 'Home folder';
  const pseudoFilesystem = await findPseudoFilesystem(home);
  if (pseudoFilesystem !== undefined) {
    return failed(name, describePseudoFilesystemHome(home, pseudoFilesystem), PSEUDO_FILESYSTEM_HOME_HINT);
  }
  let info: Awaited<ReturnType<typeof lstat>>;
  try {
    info = await lstat(home);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return passed(name, `${home} does not exist yet (it is created, mode 700, when you log in)`);
    }
    return failed(
      name,
      `${home} cannot be checked: ${messageOf(error)}`,
      `Check the permissions of ${home}.`,
    );
  }
  if (!info.isDirectory()) {
    return failed(
      name,
      `${home} is not a folder`,
      `Move it away, or set CODETETHER_HOME to a folder you own.`,
    );
  }
  if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
    return failed(
      name,
      `${home} is open to other users (mode ${modeOf(info.mode)}, should be 700)`,
      `chmod 700 ${home}`,
    );
  }
  return passed(name, `${home} (mode ${modeOf(info.mode)})`);
}

/**
 * The stored login files (`auth.json`, `api-key.json`) of the profile are regular files only their
 * owner can read (0600).
 *
 * @param home - the CodeTether home folder
 * @param profile - the login profile (its files are in `profiles/NAME/` unless it is `default`)
 */
export async function checkCredentialFiles(home: string, profile: string): Promise<DoctorCheck> {
  const name = 'Credential files';
  const found: string[] = [];
  const folder = resolveProfileFolder(home, profile);
  for (const file of ['auth.json', 'api-key.json']) {
    const path = join(folder, file);
    let info: Awaited<ReturnType<typeof lstat>>;
    try {
      info = await lstat(path);
    } catch {
      continue;
    }
    if (!info.isFile()) {
      return failed(
        name,
        `${path} is not a regular file`,
        `Move ${path} away, then run \`codetether auth login\`.`,
      );
    }
    if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
      return failed(
        name,
        `${path} is readable by other users (mode ${modeOf(info.mode)})`,
        `chmod 600 ${path}`,
      );
    }
    found.push(`${relative(home, path)} (mode ${modeOf(info.mode)})`);
  }
  const none = folder === home ? 'none stored' : `none stored for profile ${profile}`;
  return passed(name, found.length === 0 ? none : found.join(', '));
}

/**
 * The config file is absent or valid, and safe to read.
 *
 * @param home - the CodeTether home folder
 */
export async function checkConfigFile(home: string): Promise<DoctorCheck> {
  const path = configFilePath(home);
  try {
    const settings = Object.keys(await readConfigFile(path));
    return passed(
      'Config file',
      settings.length === 0 ? `no settings (${path})` : `${settings.join(', ')} (${path})`,
    );
  } catch (error) {
    return failed(
      'Config file',
      messageOf(error),
      error instanceof CliError && error.hint !== undefined ? error.hint : `Fix or move away ${path}.`,
    );
  }
}
