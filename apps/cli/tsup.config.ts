import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';
import { packageBuildOptions } from '../../tsup.preset.js';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export default defineConfig(
  packageBuildOptions({
    // The only entry point is the `codetether` bin; every command module is loaded lazily and split
    // into its own chunk, so `--version` and `--help` never load the provider stack.
    entry: ['src/cli.ts'],
    splitting: true,
    dts: false,
    // Bundled so start-up resolves no packages for `--version`/`--help`.
    noExternal: ['commander', 'picocolors'],
    define: { CODETETHER_CLI_VERSION: JSON.stringify(version) },
  }),
);
