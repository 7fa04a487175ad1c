import { defineConfig } from 'tsup';
import { packageBuildOptions } from '../../tsup.preset.js';

export default defineConfig(
  packageBuildOptions({ entry: ['src/index.ts', 'src/constants.ts', 'src/profile-name.ts'] }),
);
