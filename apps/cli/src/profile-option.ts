import { parseProfileName } from '@codetether/oauth-pkce/profile-name';
import { CliError } from './cli-error.js';

/**
 * Checks the global `--profile` option: the valid name (`default` for a blank one), or a usage error
 * (exit code 2) that names the option and shows the rule.
 *
 * @param value - the option's value
 */
export function parseProfileOption(value: string): string {
  try {
    return parseProfileName(value);
  } catch (error) {
    throw new CliError('usage', `--profile: ${(error as Error).message}`, { cause: error });
  }
}
