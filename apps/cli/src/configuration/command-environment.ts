import { resolveCodetetherHome } from '@codetether/oauth-pkce';
import { refusePseudoFilesystemHome } from '../home-filesystem.js';
import { parseProfileOption } from '../profile-option.js';
import { configFilePath, readConfigFile } from './config-file.js';
import { buildEffectiveEnvironment } from './effective-environment.js';
import { parseSettingOverrides, type SettingValues } from './setting-value.js';

/** Options of {@link loadCommandEnvironment}. */
export interface CommandEnvironmentOptions {
  /**
   * Use no config file settings when the file is refused or invalid, and accept a home on a kernel
   * pseudo-filesystem (`doctor` reports both instead).
   */
  tolerateConfigFileErrors?: boolean;
  /** The global `--profile` value: checked (a usage error when invalid) and set as `CODETETHER_PROFILE`. */
  profile?: string | undefined;
}

/**
 * The environment a command runs with: the process environment with the config file
 * (`$CODETETHER_HOME/config.json`) below it, the `-c key=value` overrides above it, and `--profile`
 * above all. Throws a usage error (exit 2) for a bad override, a bad profile name or, unless
 * tolerated, a bad config file or a home on a kernel pseudo-filesystem (`/proc/x`: see
 * `refusePseudoFilesystemHome`).
 *
 * @param env - the process environment
 * @param overrides - the `-c` values
 * @param options - error tolerance and the `--profile` value
 */
export async function loadCommandEnvironment(
  env: Record<string, string | undefined>,
  overrides: readonly string[],
  options: CommandEnvironmentOptions = {},
): Promise<Record<string, string | undefined>> {
  const parsedOverrides = parseSettingOverrides(overrides);
  const home = resolveCodetetherHome(env);
  if (options.tolerateConfigFileErrors !== true) await refusePseudoFilesystemHome(home);
  let configFile: SettingValues = {};
  try {
    configFile = await readConfigFile(configFilePath(home));
  } catch (error) {
    if (options.tolerateConfigFileErrors !== true) throw error;
  }
  const environment = buildEffectiveEnvironment({ env, configFile, overrides: parsedOverrides });
  if (options.profile === undefined) return environment;
  return { ...environment, CODETETHER_PROFILE: parseProfileOption(options.profile) };
}

/**
 * The model the environment asks for (`CODETETHER_MODEL`, which the config file's `model` and
 * `-c model=…` feed): what a `--model` left at its default becomes.
 *
 * @param environment - the command environment ({@link loadCommandEnvironment})
 */
export function configuredModel(environment: Record<string, string | undefined>): string | undefined {
  const model = environment.CODETETHER_MODEL?.trim();
  return model === '' ? undefined : model;
}
