import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PROFILES_FOLDER } from './codetether-home.js';
import { DEFAULT_PROFILE, isValidProfileName } from './profile-name.js';

async function holdsFile(path: string): Promise<boolean> {
  // Anything there counts (even a damaged or refused file): the user has to know about that profile.
  return lstat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Lists the profiles whose folder holds `fileName` (e.g. `auth.json`): `default` first when the home
 * folder holds it, then the named profiles of `<home>/profiles/` in alphabetical order. Folders whose
 * name is not a valid profile name are skipped; a missing folder lists nothing.
 *
 * @param home - the CodeTether home folder
 * @param fileName - the file a profile must hold to be listed
 */
export async function listProfilesHoldingFile(home: string, fileName: string): Promise<string[]> {
  const profiles: string[] = [];
  if (await holdsFile(join(home, fileName))) profiles.push(DEFAULT_PROFILE);
  let entries: string[];
  try {
    entries = await readdir(join(home, PROFILES_FOLDER));
  } catch {
    return profiles;
  }
  for (const name of entries.sort()) {
    if (name === DEFAULT_PROFILE || !isValidProfileName(name)) continue;
    if (await holdsFile(join(home, PROFILES_FOLDER, name, fileName))) profiles.push(name);
  }
  return profiles;
}
