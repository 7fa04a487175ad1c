// Published as the light subpath `@codetether/oauth-pkce/profile-name` (only the error class besides),
// so the provider's configuration module can validate `CODETETHER_PROFILE` without loading the stores.
import { OAuthError } from './errors.js';

/** The profile used when none is named: its login stays where it always was (`$CODETETHER_HOME/auth.json`). */
export const DEFAULT_PROFILE = 'default';

/**
 * What a profile name may look like: 1–64 characters, lower-case letters, digits, `-` and `_`, starting
 * with a letter or digit. Strict on purpose: a name becomes a folder name and part of a Redis key, so it
 * can never hold `/`, `.`, `:`, glob characters or anything two file systems would compare differently.
 */
export const PROFILE_NAME_PATTERN: RegExp = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/**
 * Tells whether a string is a valid profile name (see {@link PROFILE_NAME_PATTERN}).
 *
 * @param name - the candidate name
 */
export function isValidProfileName(name: string): boolean {
  return PROFILE_NAME_PATTERN.test(name);
}

/**
 * Checks a profile name and returns it without surrounding spaces; `undefined`, blank or `default` is the
 * default profile. Anything else that does not match {@link PROFILE_NAME_PATTERN} (such as `../x` or
 * `Work`) is an `OAuthError` with code `invalid-profile` whose message shows the rule.
 *
 * @param name - the name as given (`--profile`, `CODETETHER_PROFILE`, an option)
 */
export function parseProfileName(name: string | undefined): string {
  const trimmed = name?.trim() ?? '';
  if (trimmed === '') return DEFAULT_PROFILE;
  if (isValidProfileName(trimmed)) return trimmed;
  const shown = JSON.stringify(trimmed.length > 80 ? `${trimmed.slice(0, 80)}…` : trimmed);
  throw new OAuthError(
    'invalid-profile',
    `The profile name ${shown} is not valid. Use 1 to 64 lower-case letters, digits, '-' or '_', starting with a letter or digit (for example: work, personal-2).`,
  );
}
