import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';
import { packageBuildOptions } from '../../tsup.preset.js';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
};

// `configuration` is the side-effect-free `@codetether/provider-codex/configuration` subpath. Code both
// entries use goes into a shared chunk, so there is one `CodexProviderError` class, not two.
export default defineConfig(
  packageBuildOptions({
    entry: ['src/index.ts', 'src/configuration.ts', 'src/credential-store-selection.ts'],
    splitting: true,
    // The User-Agent's version (src/user-agent.ts), written in at build time.
    define: { CODETETHER_PROVIDER_VERSION: JSON.stringify(version) },
  }),
);
