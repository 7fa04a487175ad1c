import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export default defineConfig({
  // The only entry point is the `codetether` bin; every command module is loaded lazily and split
  // into its own chunk, so `--version` and `--help` never load the provider stack.
  entry: ['src/cli.ts'],
  format: ['esm'],
  splitting: true,
  dts: false,
  sourcemap: true,
  clean: true,
  target: 'node22',
  platform: 'node',
  // Bundled so start-up resolves no packages for `--version`/`--help`.
  noExternal: ['commander', 'picocolors'],
  define: { CODETETHER_CLI_VERSION: JSON.stringify(version) },
});
