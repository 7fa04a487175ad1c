import { defineConfig } from 'tsup';
import { packageBuildOptions } from '../../tsup.preset.js';

// Two entries: `.` (the parsers, no zod) and `./schemas` (the zod event schemas).
export default defineConfig(
  packageBuildOptions({ entry: ['src/index.ts', 'src/schemas.ts'], platform: 'neutral' }),
);
