import { createRequire } from 'node:module';
import { arch, platform, release } from 'node:os';

function readPackageVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    const manifest = require('../package.json') as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** This package's version, read from its package.json (works from `src/` and `dist/`). */
export const PROVIDER_VERSION: string = readPackageVersion();

/**
 * The default `User-Agent`: `codetether/<version> (<os> <release>; <arch>) node/<version>`.
 */
export function buildDefaultUserAgent(): string {
  return `codetether/${PROVIDER_VERSION} (${platform()} ${release()}; ${arch()}) node/${process.versions.node}`;
}
