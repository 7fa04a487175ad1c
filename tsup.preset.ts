import type { Options } from 'tsup';

/**
 * The one tsup configuration every package builds with: ESM only, declarations and source maps,
 * Node 22 (or, for `platform: 'neutral'`, plain ES2022 with no Node built-ins). A package's own
 * `tsup.config.ts` passes its entry points and whatever it needs on top.
 *
 * @param overrides - the package's entries and any option that differs from the preset
 */
export function packageBuildOptions(overrides: Options & { entry: Options['entry'] }): Options {
  const preset: Options = {
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: overrides.platform === 'neutral' ? 'es2022' : 'node22',
    platform: 'node',
  };
  return Object.assign(preset, overrides);
}
