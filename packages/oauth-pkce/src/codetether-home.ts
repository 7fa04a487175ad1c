import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_PROFILE } from './profile-name.js';

/**
 * Resolves CodeTether's home folder: `CODETETHER_HOME` when set (and not empty), else `~/.codetether`.
 *
 * @param env - environment variables. Default `process.env`.
 */
export function resolveCodetetherHome(env: Record<string, string | undefined> = process.env): string {
  const configured = env.CODETETHER_HOME?.trim();
  return configured ? resolve(configured) : join(homedir(), '.codetether');
}

/**
 * Resolves the official Codex CLI's home folder: `CODEX_HOME` when set, else `~/.codex`.
 *
 * @param env - environment variables. Default `process.env`.
 */
export function resolveCodexHome(env: Record<string, string | undefined> = process.env): string {
  const configured = env.CODEX_HOME?.trim();
  return configured ? resolve(configured) : join(homedir(), '.codex');
}

/** The folder, under the home folder, that holds one folder per named profile. */
export const PROFILES_FOLDER = 'profiles';

/**
 * The folder of a profile's files: the home folder itself for the default profile (so a login stored
 * before profiles existed stays where it is), else `<home>/profiles/<name>`. The name must already be
 * valid (see `parseProfileName`).
 *
 * @param home - the CodeTether home folder
 * @param profile - a valid profile name
 */
export function resolveProfileFolder(home: string, profile: string): string {
  return profile === DEFAULT_PROFILE ? home : join(home, PROFILES_FOLDER, profile);
}

/**
 * The folders above a named profile's folder that must be as private as the folder itself (the home
 * folder and `<home>/profiles`); none for the default profile, whose folder is the home folder.
 *
 * @param home - the CodeTether home folder
 * @param profile - a valid profile name
 */
export function resolveProfileParentFolders(home: string, profile: string): string[] {
  return profile === DEFAULT_PROFILE ? [] : [home, join(home, PROFILES_FOLDER)];
}
