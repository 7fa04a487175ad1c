/// <reference types="node" />
// A parser's state must die young. V8 keeps an object literal's accessor (`get x() {}`) in a map,
// and maps live in the old generation: a getter closing over a parser's state kept all of it —
// buffers, the reducer, the output items it holds until the end — alive through every
// young-generation collection until the next full one, so every stream's state was copied into the
// old generation (~130 kB per stream of the mixed benchmark stream) and the parser spent ~10 % of
// its time in the garbage collector. This runs streams through the parser (the package entry
// bundled from source) in a child process with `--expose-gc`, forces two young-generation
// collections after each, and checks how much the old generation grew per stream. The repository's
// lint forbids accessors in object literals (`tooling/biome-plugins`) for the same reason.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const directory = mkdtempSync(join(tmpdir(), 'parser-retention-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Old-generation growth per stream above this means the stream's state outlived it. */
const MAX_OLD_GENERATION_GROWTH_PER_STREAM_BYTES = 64 * 1024;

const MEASURE = `
import v8 from 'node:v8';
import { createResponsesEventParser, createResponsesSseParser } from './parser.mjs';
import { generateMixedEvents, splitIntoChunks, toSseText, toWebSocketFrames } from './stream-generator.mjs';

const events = generateMixedEvents();
const chunks = splitIntoChunks(new TextEncoder().encode(toSseText(events)), 1024);
const frames = toWebSocketFrames(events);
const oldGeneration = () => v8.getHeapSpaceStatistics().find((space) => space.space_name === 'old_space').space_used_size;
function sseStream() {
  const parser = createResponsesSseParser();
  for (const chunk of chunks) parser.feed(chunk);
  parser.end();
}
function webSocketStream() {
  // Fresh frame strings, as a socket would deliver them (not the old-generation ones above).
  const parser = createResponsesEventParser();
  for (const frame of frames) parser.feedJson((' ' + frame).slice(1));
  parser.end();
}
const result = {};
for (const [name, stream] of [['sse', sseStream], ['webSocket', webSocketStream]]) {
  for (let index = 0; index < 20; index += 1) stream();
  gc();
  const start = oldGeneration();
  const streams = 40;
  for (let index = 0; index < streams; index += 1) {
    stream();
    gc({ type: 'minor' });
    gc({ type: 'minor' });
  }
  result[name] = (oldGeneration() - start) / streams;
}
process.stdout.write(JSON.stringify(result));
`;

/**
 * The heap a started tool call keeps while it streams 2 MB more of arguments in 2,000 deltas (each
 * frame a fresh string, as a socket delivers them), measured after full collections with the parser
 * still in use.
 */
const MEASURE_STREAMED_ARGUMENTS = `
import { createResponsesEventParser } from './parser.mjs';

const parser = createResponsesEventParser();
parser.feedJson(JSON.stringify({
  type: 'response.output_item.added',
  output_index: 0,
  item: { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'write', arguments: '' },
}));
const frame = (index) =>
  JSON.stringify({
    type: 'response.function_call_arguments.delta',
    item_id: 'fc_1',
    output_index: 0,
    delta: String(index).padStart(8, '0') + 'x'.repeat(992),
  });
let emitted = 0;
const stream = (from) => {
  for (let index = from; index < from + 2000; index += 1) {
    for (const chunk of parser.feedJson(frame(index))) emitted += chunk.argumentsDelta?.length ?? 0;
  }
};
// The first 2 MB warm the code up (its compiled code counts in the heap too), the next are measured.
stream(0);
gc();
const start = process.memoryUsage().heapUsed;
stream(2000);
gc();
const growth = process.memoryUsage().heapUsed - start;
parser.end();
process.stdout.write(JSON.stringify({ growth, emitted }));
`;

/** Bundles a module (relative to this file) into the temporary directory as `name`. */
async function bundle(entry: string, name: string): Promise<void> {
  await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    outfile: join(directory, name),
    logLevel: 'silent',
  });
}

/** Runs `script` (saved as `name` beside the bundled parser) in a child with `--expose-gc`; its printed JSON. */
async function measureInChild<Result>(name: string, script: string): Promise<Result> {
  await bundle('./index.ts', 'parser.mjs');
  writeFileSync(join(directory, name), script);
  const child = spawnSync(process.execPath, ['--expose-gc', join(directory, name)], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(child.stderr).toBe('');
  return JSON.parse(child.stdout) as Result;
}

describe('parser state and the young generation', () => {
  it('a finished stream leaves (almost) nothing in the old generation', async () => {
    await bundle('../bench/stream-generator.mjs', 'stream-generator.mjs');
    const growth = await measureInChild<{ sse: number; webSocket: number }>('measure.mjs', MEASURE);
    expect(growth.sse).toBeLessThan(MAX_OLD_GENERATION_GROWTH_PER_STREAM_BYTES);
    expect(growth.webSocket).toBeLessThan(MAX_OLD_GENERATION_GROWTH_PER_STREAM_BYTES);
  });

  it('a started tool call keeps none of the arguments it streamed', async () => {
    const measured = await measureInChild<{ growth: number; emitted: number }>(
      'streamed-arguments.mjs',
      MEASURE_STREAMED_ARGUMENTS,
    );
    expect(measured.emitted).toBe(4_000_000);
    // 2 MB of arguments (4 MB as two-byte text would be more): kept, they would show here.
    expect(measured.growth).toBeLessThan(256 * 1024);
  });
});
