import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';
import { packageBuildOptions } from '../../tsup.preset.js';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/**
 * Start-up: commander (bundled) imports `node:process` and `node:child_process` as ES modules.
 * Importing `node:process` that way makes Node build `process.allowedNodeEnvironmentFlags` (~5 ms on
 * every run, `--help` included), and `node:child_process` is only used for external subcommands,
 * which this CLI has none of; `node:util` (~2 ms the same way) only for `stripVTControlCharacters`.
 * Inside the bundle they are replaced by shims: the global `process`, a `child_process` whose
 * functions say why they are missing, and a `util` with a `stripVTControlCharacters` for the escape
 * sequences help text can hold (colour and style codes).
 */
const builtinShims: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'codetether-builtin-shims',
  setup(build) {
    build.onResolve({ filter: /^(node:)?(process|child_process|util)$/ }, (args) =>
      /[\\/]commander[\\/]/.test(args.importer)
        ? { path: args.path.replace(/^node:/, ''), namespace: 'codetether-builtin-shim' }
        : { path: args.path, external: true },
    );
    build.onLoad({ filter: /.*/, namespace: 'codetether-builtin-shim' }, (args) => ({
      loader: 'js',
      contents:
        args.path === 'process'
          ? 'export default globalThis.process;'
          : args.path === 'util'
            ? 'export const stripVTControlCharacters = (text) => text.replace(/\\u001b\\[[0-9;?]*[ -\\/]*[@-~]/g, "");'
            : `const missing = () => { throw new Error('codetether does not run external subcommands.'); };
export const spawn = missing, execFile = missing, exec = missing, fork = missing;
export default { spawn, execFile, exec, fork };`,
    }));
  },
};

/**
 * Start-up: `codetether --help` printed to a pipe (or file) is always the same text, so the build
 * writes it to `dist/help.txt` and `cli.ts` prints that file without loading commander (see there).
 * On a terminal commander renders it (it wraps to the terminal's width).
 */
async function writeHelpText(): Promise<void> {
  const cli = new URL('./dist/cli.js', import.meta.url);
  const helpFile = new URL('./dist/help.txt', import.meta.url);
  // Without the old file, so commander renders the text (a watch rebuild does not clean dist/).
  rmSync(helpFile, { force: true });
  const result = spawnSync(process.execPath, [cli.pathname, '--help'], {
    env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent' },
    encoding: 'utf8',
  });
  if (result.status !== 0 || result.stdout === '') {
    throw new Error(`Could not render the help text for dist/help.txt: ${result.stderr}`);
  }
  writeFileSync(helpFile, result.stdout);
}

export default defineConfig(
  packageBuildOptions({
    // The only entry point is the `codetether` bin; every command module is loaded lazily and split
    // into its own chunk, so `--version` and `--help` never load the provider stack.
    entry: ['src/cli.ts'],
    splitting: true,
    dts: false,
    // Bundled so start-up resolves no packages for `--version`/`--help` (the two built-ins are the
    // shims above: listed here so tsup leaves them to the plugin instead of marking them external).
    noExternal: ['commander', 'picocolors', /^(node:)?(process|child_process|util)$/],
    esbuildPlugins: [builtinShims],
    // Keep `node:` specifiers as they are, so the shims above see them (tsup would mark them external).
    removeNodeProtocol: false,
    define: { CODETETHER_CLI_VERSION: JSON.stringify(version) },
    onSuccess: writeHelpText,
  }),
);
