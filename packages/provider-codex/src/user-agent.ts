import { arch, platform, release } from 'node:os';

/** Replaced at build time by tsup (`define`) with the version in this package's package.json. */
declare const CODETETHER_PROVIDER_VERSION: string | undefined;

/**
 * This package's version. Written into the build (see tsup.config.ts) rather than read from
 * package.json at run time: reading it cost every process that loads the provider a CommonJS loader
 * and a file read before its first request. Running from source (tests), it is `0.0.0-development`.
 */
export const PROVIDER_VERSION: string =
  typeof CODETETHER_PROVIDER_VERSION === 'string' ? CODETETHER_PROVIDER_VERSION : '0.0.0-development';

/**
 * The default `User-Agent`: `codetether/<version> (<os> <release>; <arch>) node/<version>`.
 */
export function buildDefaultUserAgent(): string {
  return `codetether/${PROVIDER_VERSION} (${platform()} ${release()}; ${arch()}) node/${process.versions.node}`;
}
