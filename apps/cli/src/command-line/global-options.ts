import type { OptionDefinition } from './option-definition.js';

/** `--debug`: stack traces and details on errors (every command). */
export const DEBUG_OPTION: OptionDefinition = {
  long: 'debug',
  description: 'show stack traces and details on errors',
};

/** `--profile NAME`: the login profile of this run (every command; `$CODETETHER_PROFILE`). */
export const PROFILE_OPTION: OptionDefinition = {
  long: 'profile',
  valueName: 'name',
  description: 'use this login profile ($CODETETHER_PROFILE; default: the default profile)',
};

/** `-c key=value`: a config file setting for this run (every command, repeatable). */
export const CONFIG_OVERRIDE_OPTION: OptionDefinition = {
  long: 'config',
  short: 'c',
  valueName: 'key=value',
  description: 'set a config file setting for this run (repeatable), e.g. -c transport=http',
  repeatable: true,
};

/** The program's own options, in the order of the help. */
export const GLOBAL_OPTIONS: readonly OptionDefinition[] = [
  DEBUG_OPTION,
  PROFILE_OPTION,
  CONFIG_OVERRIDE_OPTION,
];
