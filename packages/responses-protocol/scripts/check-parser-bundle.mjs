// Bundles the parser entry (`dist/index.js`, the package's `.` export) the way a browser app would
// (esbuild --bundle --minify --format=esm --platform=neutral) and fails if zod is in the bundle:
// the event schemas live in `./schemas` so that the parsers stay small. Prints the bundle's size.
// Usage: node scripts/check-parser-bundle.mjs [entry]   (run `pnpm build` first)
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const entry = process.argv[2] ?? 'dist/index.js';
const result = await build({
  entryPoints: [entry],
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'neutral',
  write: false,
  metafile: true,
  logLevel: 'silent',
});

const code = result.outputFiles[0].contents;
const forbidden = Object.keys(result.metafile.inputs).filter((path) =>
  /(^|[\\/])node_modules[\\/]zod[\\/]/.test(path),
);
const kilobytes = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;
console.log(
  `${entry} bundled: ${kilobytes(code.length)} minified, ${kilobytes(gzipSync(code, { level: 9 }).length)} gzip`,
);
if (forbidden.length > 0) {
  console.error(
    `zod is bundled into ${entry} (${forbidden.length} files, e.g. ${forbidden[0]}): the parser entry must not import the event schemas at run time. Import them with \`import type\`, or from the ./schemas entry.`,
  );
  process.exit(1);
}
console.log(`no zod in ${entry}`);
