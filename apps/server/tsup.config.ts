import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';
import { packageBuildOptions } from '../../tsup.preset.js';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export default defineConfig(
  packageBuildOptions({
    entry: ['src/index.ts', 'src/cli.ts'],
    define: { CODETETHER_SERVER_VERSION: JSON.stringify(version) },
    // An optional dependency (tsup only leaves `dependencies` out): imported at run time, where installed.
    external: ['koffi'],
  }),
);
