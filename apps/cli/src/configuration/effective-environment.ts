import type { SettingValues } from './setting-value.js';
import { SETTINGS } from './settings.js';

/** The environment commands see once the config file and the `-c` overrides are applied. */
export interface EffectiveEnvironmentInput {
  /** The process environment. */
  env: Readonly<Record<string, string | undefined>>;
  /** The config file's settings. */
  configFile: SettingValues;
  /** The `-c key=value` settings. */
  overrides: SettingValues;
}

function isSetIn(env: Readonly<Record<string, string | undefined>>, variables: readonly string[]): boolean {
  return variables.some((name) => (env[name]?.trim() ?? '') !== '');
}

/**
 * Applies the precedence `-c` > environment variable > config file by writing each setting into the
 * environment variable that holds it: a config file setting only fills a variable that is not set,
 * a `-c` setting replaces the variable (and its aliases). Command-line flags such as `-m` and `-t`
 * are applied later by the commands and win over all of these.
 *
 * @param input - the environment and the two layers of settings
 */
export function buildEffectiveEnvironment(
  input: EffectiveEnvironmentInput,
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...input.env };
  for (const [key, value] of Object.entries(input.configFile)) {
    const variables = SETTINGS[key]?.environmentVariables;
    if (variables !== undefined && !isSetIn(env, variables)) env[variables[0]] = value;
  }
  for (const [key, value] of Object.entries(input.overrides)) {
    const variables = SETTINGS[key]?.environmentVariables;
    if (variables === undefined) continue;
    for (const name of variables) delete env[name];
    env[variables[0]] = value;
  }
  return env;
}
