// Throughput of the parsers against a baseline measured in the same run, on the realistic streams of
// ./stream-generator.mjs. SSE: bytes → StreamChunks (createResponsesSseParser) against TextDecoder +
// eventsource-parser + JSON.parse of each data line (nothing else); fed in 16 KiB, 1 KiB and 64 B
// chunks, synchronously and over a ReadableStream. WebSocket: one JSON event per text frame →
// StreamChunks (createResponsesEventParser) against JSON.parse of each frame. Prints one table of
// throughput ratios (parser ÷ baseline, higher is better) and a linearity check on tool arguments.
// Usage: pnpm bench [-- --megabytes 8 --rounds 9 --dist ./dist]   (reads ./dist: run `pnpm build` first)
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createParser } from 'eventsource-parser';
import {
  generateMixedEvents,
  generateTextOnlyEvents,
  generateToolCallEvents,
  splitIntoChunks,
  toSseText,
  toWebSocketFrames,
} from './stream-generator.mjs';

function readArgument(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1] : fallback;
}

const megabytesPerSample = Number(readArgument('megabytes', '8'));
const rounds = Number(readArgument('rounds', '9'));
const distDirectory = resolve(readArgument('dist', new URL('../dist', import.meta.url).pathname));
const { createResponsesSseParser, createResponsesEventParser } = await import(
  pathToFileURL(`${distDirectory}/index.js`).href
);

const encoder = new TextEncoder();
const CHUNK_SIZES = [
  { label: '16 KiB', bytes: 16 * 1024 },
  { label: '1 KiB', bytes: 1024 },
  { label: '64 B', bytes: 64 },
];

// ---- the two sides ---------------------------------------------------------------------------

/** Baseline SSE consumer: decode, frame with eventsource-parser, JSON.parse each event's data. */
function createBaselineSse() {
  const decoder = new TextDecoder();
  let parsed = 0;
  const parser = createParser({
    onEvent(message) {
      JSON.parse(message.data);
      parsed += 1;
    },
  });
  return {
    feed(chunk) {
      parser.feed(decoder.decode(chunk, { stream: true }));
    },
    end() {
      parser.feed(decoder.decode());
      parser.reset({ consume: true });
      return parsed;
    },
  };
}

/**
 * The parser under test, counting the chunks it produces and checking the stream ended with `done`
 * (unless it is fed only part of a stream: `checkEnd` false).
 */
function createParserSse(checkEnd = true) {
  const parser = createResponsesSseParser();
  let produced = 0;
  return {
    feed(chunk) {
      produced += parser.feed(chunk).length;
    },
    end() {
      const last = parser.end();
      if (checkEnd && last.length !== 0)
        throw new Error(`the stream did not end with done: ${JSON.stringify(last)}`);
      return produced + last.length;
    },
  };
}

function createBaselineFrames() {
  let parsed = 0;
  return {
    feed(frame) {
      JSON.parse(frame);
      parsed += 1;
    },
    end: () => parsed,
  };
}

function createParserFrames() {
  const parser = createResponsesEventParser();
  let produced = 0;
  // Older builds had no text entry point: then each frame is JSON.parse'd first.
  const feedFrame =
    typeof parser.feedJson === 'function'
      ? (frame) => parser.feedJson(frame)
      : (frame) => parser.feed(JSON.parse(frame));
  return {
    feed(frame) {
      produced += feedFrame(frame).length;
    },
    end() {
      const last = parser.end();
      if (last.length !== 0) throw new Error(`the stream did not end with done: ${JSON.stringify(last)}`);
      return produced;
    },
  };
}

// ---- feeding: synchronously, or one awaited ReadableStream read per chunk ----------------------

function runSync(createConsumer, pieces, repeats) {
  let count = 0;
  for (let repeat = 0; repeat < repeats; repeat += 1) {
    const consumer = createConsumer();
    for (const piece of pieces) consumer.feed(piece);
    count += consumer.end();
  }
  return count;
}

function readableStreamOf(pieces) {
  let index = 0;
  return new ReadableStream({
    pull(controller) {
      if (index < pieces.length) controller.enqueue(pieces[index++]);
      else controller.close();
    },
  });
}

async function runReadableStream(createConsumer, pieces, repeats) {
  let count = 0;
  for (let repeat = 0; repeat < repeats; repeat += 1) {
    const consumer = createConsumer();
    const reader = readableStreamOf(pieces).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      consumer.feed(value);
    }
    count += consumer.end();
  }
  return count;
}

/**
 * CPU time (user + system) of one run, in milliseconds: on a machine shared with other work it
 * moves less than wall time, and both sides are measured the same way.
 */
async function time(run) {
  const start = process.cpuUsage();
  await run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Runs `runFirst` and `runSecond` in alternating rounds (which goes first alternates too, so drift
 * and noise hit both alike), after one unmeasured run of each; returns their median times and the
 * median of the per-round ratios (first ÷ second).
 */
async function alternateRounds(runFirst, runSecond) {
  await runFirst();
  await runSecond();
  const firstTimes = [];
  const secondTimes = [];
  const ratios = [];
  for (let round = 0; round < rounds; round += 1) {
    let first;
    let second;
    if (round % 2 === 0) {
      first = await time(runFirst);
      second = await time(runSecond);
    } else {
      second = await time(runSecond);
      first = await time(runFirst);
    }
    firstTimes.push(first);
    secondTimes.push(second);
    ratios.push(first / second);
  }
  return { first: median(firstTimes), second: median(secondTimes), ratio: median(ratios) };
}

/** Baseline and parser in alternating rounds: their median times and the median ratio baseline ÷ parser. */
async function compare(runBaseline, runParser) {
  const measured = await alternateRounds(runBaseline, runParser);
  return { baseline: measured.first, parser: measured.second, ratio: measured.ratio };
}

// ---- the table ---------------------------------------------------------------------------------

const streams = [
  { name: 'mixed', events: generateMixedEvents() },
  { name: 'text-only', events: generateTextOnlyEvents() },
];

const rows = [];
for (const stream of streams) {
  const bytes = encoder.encode(toSseText(stream.events));
  const repeats = Math.max(1, Math.round((megabytesPerSample * 1024 * 1024) / bytes.length));
  for (const size of CHUNK_SIZES) {
    const chunks = splitIntoChunks(bytes, size.bytes);
    for (const mode of ['sync', 'ReadableStream']) {
      const run = mode === 'sync' ? runSync : runReadableStream;
      const result = await compare(
        () => run(createBaselineSse, chunks, repeats),
        () => run(createParserSse, chunks, repeats),
      );
      rows.push({
        stream: stream.name,
        input: `SSE ${size.label}`,
        mode,
        bytes: bytes.length * repeats,
        ...result,
      });
    }
  }
  const frames = toWebSocketFrames(stream.events);
  for (const mode of ['sync', 'ReadableStream']) {
    const run = mode === 'sync' ? runSync : runReadableStream;
    const result = await compare(
      () => run(createBaselineFrames, frames, repeats),
      () => run(createParserFrames, frames, repeats),
    );
    rows.push({
      stream: stream.name,
      input: 'WebSocket frames',
      mode,
      bytes: bytes.length * repeats,
      ...result,
    });
  }
}

const mibPerSecond = (bytes, milliseconds) => (bytes / (1024 * 1024) / (milliseconds / 1000)).toFixed(1);
console.log(
  `${megabytesPerSample} MiB per sample, ${rounds} rounds, CPU time; MiB/s from median times; ratio = median of per-round baseline time ÷ parser time (target ≥ 1.5)`,
);
console.log(
  `${'stream'.padEnd(10)} ${'input'.padEnd(17)} ${'mode'.padEnd(15)} ${'baseline MiB/s'.padStart(14)} ${'parser MiB/s'.padStart(12)} ${'ratio'.padStart(6)}`,
);
for (const row of rows) {
  console.log(
    `${row.stream.padEnd(10)} ${row.input.padEnd(17)} ${row.mode.padEnd(15)} ${mibPerSecond(row.bytes, row.baseline).padStart(14)} ${mibPerSecond(row.bytes, row.parser).padStart(12)} ${row.ratio.toFixed(2).padStart(6)}`,
  );
}
const worst = rows.reduce(
  (lowest, row) => Math.min(lowest, row.baseline / row.parser),
  Number.POSITIVE_INFINITY,
);
console.log(`lowest ratio: ${worst.toFixed(2)}`);

// ---- linearity: cost per argument byte, 10 kB in 100 deltas vs 1 MB in 10,000 deltas -----------

/** Which events of the tool-call stream are fed: all, the argument deltas only, or all but them. */
const EVENT_SELECTIONS = {
  all: () => true,
  deltas: (event) => event.type.endsWith('.delta'),
  fullCopies: (event) => !event.type.endsWith('.delta'),
};

/**
 * One size of the tool-call stream, ready to feed: its 16 KiB SSE chunks or its WebSocket frames, and
 * how many streams make a sample.
 */
function toolCallSample(argumentLength, deltas, selection, input) {
  const events = generateToolCallEvents(argumentLength, deltas).filter(EVENT_SELECTIONS[selection]);
  const bytes = encoder.encode(toSseText(events));
  return {
    chunks: input === 'frames' ? toWebSocketFrames(events) : splitIntoChunks(bytes, 16 * 1024),
    repeats: Math.max(1, Math.round((megabytesPerSample * 1024 * 1024) / bytes.length)),
    bytes: bytes.length,
  };
}

/**
 * Cost per byte of the 10 kB and the 1 MB tool call, measured in alternating rounds (see
 * `alternateRounds`: the one unmeasured run of each also lets the heap grow to what the large one
 * needs, a one-time cost the first measured rounds would otherwise carry), so that the machine
 * slowing down or speeding up meanwhile hits both alike: the median ns/byte of each, and the median
 * of the per-round ratios (1 MB ÷ 10 kB, per byte).
 */
async function costPerByte(selection = 'all', side = 'parser', input = 'sse') {
  const small = toolCallSample(10 * 1024, 100, selection, input);
  const large = toolCallSample(1024 * 1024, 10_000, selection, input);
  // A part of the stream does not end with its terminal event: its end is not checked.
  const createConsumer =
    input === 'frames'
      ? createParserFrames
      : side === 'baseline'
        ? createBaselineSse
        : () => createParserSse(selection === 'all');
  const measured = await alternateRounds(
    () => runSync(createConsumer, large.chunks, large.repeats),
    () => runSync(createConsumer, small.chunks, small.repeats),
  );
  const smallBytes = small.bytes * small.repeats;
  const largeBytes = large.bytes * large.repeats;
  return {
    small: (measured.second * 1e6) / smallBytes,
    large: (measured.first * 1e6) / largeBytes,
    ratio: (measured.ratio * smallBytes) / largeBytes,
  };
}

const linearity = await costPerByte();
console.log(
  `tool arguments: ${linearity.small.toFixed(2)} ns/byte at 10 kB (100 deltas), ${linearity.large.toFixed(2)} ns/byte at 1 MB (10,000 deltas): ${linearity.ratio.toFixed(2)}× (target ≤ 2; median of per-round ratios)`,
);
const framesLinearity = await costPerByte('all', 'parser', 'frames');
console.log(
  `  as WebSocket frames: ${framesLinearity.small.toFixed(2)} → ${framesLinearity.large.toFixed(2)} ns/byte: ${framesLinearity.ratio.toFixed(2)}×`,
);
// Where a gap comes from: the argument deltas alone (the parser's own per-delta work), and the events
// that repeat the whole arguments (.done, output_item.done, response.completed: one large string
// each, decoded, joined and JSON.parse'd — what any parser pays, and what the machine's memory makes
// cost more per byte for large strings).
for (const [selection, side, label] of [
  ['deltas', 'parser', 'argument deltas only'],
  ['fullCopies', 'parser', 'the three full copies only'],
  ['fullCopies', 'baseline', 'the three full copies only, baseline'],
]) {
  const part = await costPerByte(selection, side);
  console.log(
    `  ${label}: ${part.small.toFixed(2)} → ${part.large.toFixed(2)} ns/byte: ${part.ratio.toFixed(2)}×`,
  );
}
