// Bundles the package the way a browser app would (esbuild --bundle --minify --format=esm
// --platform=neutral) and checks what it weighs and costs:
// - the parser entry — `createResponsesSseParser`, `createResponsesEventParser` and the chunk types,
//   imported from `.` — must be at most 12 kB gzip;
// - the whole `.` entry (`dist/index.js`) must not contain zod (the event schemas live in
//   `./schemas`); its size is printed;
// - importing `.` in Node must take at most 15 ms (the fastest of 9 fresh processes: what the import
//   itself costs, not what other work running on the machine meanwhile — turbo runs tasks side by
//   side — adds to some of them; wall time, as CPU time counts V8's compiler threads too).
// Usage: node scripts/check-parser-bundle.mjs   (run `pnpm build` first)
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const PARSER_ENTRY_LIMIT_GZIP_BYTES = 12 * 1024;
const IMPORT_LIMIT_MS = 15;
const packageDirectory = fileURLToPath(new URL('..', import.meta.url));
const kilobytes = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;
let failed = false;

async function bundle(options) {
  const result = await build({
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: packageDirectory,
    ...options,
  });
  const code = result.outputFiles[0].contents;
  return { code, gzip: gzipSync(code, { level: 9 }).length, inputs: Object.keys(result.metafile.inputs) };
}

const parserEntry = await bundle({
  stdin: {
    contents:
      "export { createResponsesSseParser, createResponsesEventParser } from './dist/index.js';\n" +
      "export type { StreamChunk, TextChunk, ThinkingChunk, ToolCallStartChunk, ToolCallDeltaChunk, ToolCallEndChunk, DoneChunk, ErrorChunk, Usage, FinishReason } from './dist/index.js';\n",
    loader: 'ts',
    resolveDir: packageDirectory,
  },
});
console.log(
  `parser entry (createResponsesSseParser, createResponsesEventParser, chunk types) bundled: ${kilobytes(parserEntry.code.length)} minified, ${kilobytes(parserEntry.gzip)} gzip (limit ${kilobytes(PARSER_ENTRY_LIMIT_GZIP_BYTES)})`,
);
if (parserEntry.gzip > PARSER_ENTRY_LIMIT_GZIP_BYTES) {
  console.error(
    `The parser entry weighs ${kilobytes(parserEntry.gzip)} gzip, over the ${kilobytes(PARSER_ENTRY_LIMIT_GZIP_BYTES)} limit: find what grew (esbuild --metafile) and keep it out of the parsers' import graph.`,
  );
  failed = true;
}

const wholeEntry = await bundle({ entryPoints: ['dist/index.js'] });
console.log(
  `dist/index.js (all of '.') bundled: ${kilobytes(wholeEntry.code.length)} minified, ${kilobytes(wholeEntry.gzip)} gzip`,
);
const zodFiles = wholeEntry.inputs.filter((path) => /(^|[\\/])node_modules[\\/]zod[\\/]/.test(path));
if (zodFiles.length > 0) {
  console.error(
    `zod is bundled into dist/index.js (${zodFiles.length} files, e.g. ${zodFiles[0]}): the parser entry must not import the event schemas at run time. Import them with \`import type\`, or from the ./schemas entry.`,
  );
  failed = true;
} else {
  console.log('no zod in dist/index.js');
}

const IMPORT_RUNS = 9;
const importTimes = [];
for (let run = 0; run < IMPORT_RUNS; run += 1) {
  const output = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "const start = performance.now(); await import('@codetether/responses-protocol'); console.log(performance.now() - start);",
    ],
    { cwd: packageDirectory, encoding: 'utf8' },
  );
  importTimes.push(Number(output.trim()));
}
const fastestImportMs = Math.min(...importTimes);
console.log(
  `import '@codetether/responses-protocol' in Node: ${fastestImportMs.toFixed(1)} ms (fastest of ${IMPORT_RUNS}: ${importTimes.map((time) => time.toFixed(1)).join(', ')}; limit ${IMPORT_LIMIT_MS} ms)`,
);
if (!(fastestImportMs <= IMPORT_LIMIT_MS)) {
  console.error(
    `Importing the package takes ${fastestImportMs.toFixed(1)} ms, over ${IMPORT_LIMIT_MS} ms: something heavy runs at import time.`,
  );
  failed = true;
}

if (failed) process.exit(1);
