import { defineConfig } from 'tsup';
import { packageBuildOptions } from '../../tsup.preset.js';

// `configuration` is the side-effect-free `@codetether/provider-codex/configuration` subpath. Code both
// entries use goes into a shared chunk, so there is one `CodexProviderError` class, not two.
export default defineConfig(
  packageBuildOptions({
    entry: ['src/index.ts', 'src/configuration.ts', 'src/credential-store-selection.ts'],
    splitting: true,
  }),
);
