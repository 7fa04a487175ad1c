/** Replaced at build time by tsup (`define`) with the version in package.json. */
declare const CODETETHER_CLI_VERSION: string | undefined;

/** The version `codetether --version` prints. */
export const CLI_VERSION: string =
  typeof CODETETHER_CLI_VERSION === 'string' ? CODETETHER_CLI_VERSION : '0.0.0-development';
