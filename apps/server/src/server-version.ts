declare const CODETETHER_SERVER_VERSION: string | undefined;

/** The version of `@codetether/server` (set at build time from package.json). */
export const SERVER_VERSION: string =
  typeof CODETETHER_SERVER_VERSION === 'string' ? CODETETHER_SERVER_VERSION : '0.0.0-development';
