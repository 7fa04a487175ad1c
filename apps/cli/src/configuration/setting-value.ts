import { CliError } from '../cli-error.js';
import { SETTING_KEYS, SETTINGS } from './settings.js';

/** Settings by key, normalised (see {@link SETTINGS}). */
export type SettingValues = Record<string, string>;

/**
 * Checks one setting and returns its normalised value. An unknown key or a bad value is a usage
 * error (exit 2) naming where it came from and what is accepted.
 *
 * @param key - the setting key
 * @param value - its value
 * @param where - where it was written, for messages (`the config file /x/config.json`, `-c model=…`)
 */
export function normalizeSetting(key: string, value: unknown, where: string): string {
  const setting = Object.hasOwn(SETTINGS, key) ? SETTINGS[key] : undefined;
  if (setting === undefined) {
    throw new CliError('usage', `Unknown setting '${key}' in ${where}.`, {
      hint: `Known settings: ${SETTING_KEYS.join(', ')}.`,
    });
  }
  const normalized = typeof value === 'string' ? setting.normalize(value.trim()) : undefined;
  if (normalized === undefined) {
    throw new CliError('usage', `Bad value ${JSON.stringify(value)} for '${key}' in ${where}.`, {
      hint: `'${key}' accepts ${setting.accepts}${typeof value === 'string' ? '' : ' (as a JSON string)'}.`,
    });
  }
  return normalized;
}

/**
 * Parses the `-c key=value` overrides of the command line (a value in double quotes is read as a
 * JSON string, as the Codex CLI accepts `-c model="gpt-5.4"`).
 *
 * @param overrides - the raw `key=value` texts, in order (a later one wins)
 */
export function parseSettingOverrides(overrides: readonly string[]): SettingValues {
  const values: SettingValues = {};
  for (const override of overrides) {
    const equals = override.indexOf('=');
    if (equals <= 0) {
      throw new CliError('usage', `-c needs key=value, but got '${override}'.`, {
        hint: `For example: -c model=gpt-5.4. Known settings: ${SETTING_KEYS.join(', ')}.`,
      });
    }
    const key = override.slice(0, equals).trim();
    let value = override.slice(equals + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      try {
        value = String(JSON.parse(value));
      } catch {
        // Not a JSON string after all: keep the text as it is.
      }
    }
    values[key] = normalizeSetting(key, value, `-c ${override}`);
  }
  return values;
}
