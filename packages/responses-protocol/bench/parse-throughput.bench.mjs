// Throughput of the parsers against a baseline measured in the same run, on the realistic streams of
// ./stream-generator.mjs, each stream fed with ids no stream before it had (as responses come; see
// `withResponseNumber`). SSE: bytes → StreamChunks (createResponsesSseParser) against TextDecoder +
// eventsource-parser + JSON.parse of each data line (nothing else); fed in 16 KiB, 1 KiB and 64 B
// chunks, synchronously and over a ReadableStream. WebSocket: one JSON event per text frame →
// StreamChunks (createResponsesEventParser) against JSON.parse of each frame. Prints one table of
// throughput ratios (parser ÷ baseline, higher is better) and a linearity check on tool arguments.
// Usage: pnpm bench [-- --megabytes 8 --rounds 15 --dist ./dist]   (reads ./dist: run `pnpm build` first)
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createParser } from 'eventsource-parser';
import {
  generateMixedEvents,
  generateTextOnlyEvents,
  generateToolCallEvents,
  renumberResponse,
  responseNumberOffsets,
  splitIntoChunks,
  toSseText,
  toWebSocketFrames,
  withResponseNumber,
} from './stream-generator.mjs';

function readArgument(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1] : fallback;
}

const megabytesPerSample = Number(readArgument('megabytes', '8'));
const rounds = Number(readArgument('rounds', '15'));
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

/** How many streams of `byteLength` bytes make a sample of about `--megabytes` (at least one). */
function streamsPerSample(byteLength) {
  return Math.max(1, Math.round((megabytesPerSample * 1024 * 1024) / byteLength));
}

/** The number of the last response a stream was made (every SSE stream fed is a new response). */
let lastResponseNumber = 0;

/**
 * A way to make samples of one input: `repeats` streams of the stream's text, as SSE chunks of
 * `chunkBytes` or as WebSocket frames (`chunkBytes` 0). SSE: each time, every stream gets the ids
 * of a new response (`renumberResponse`, rewritten in place: no new buffers, whose garbage
 * collection would fall into the timed runs). Frames: each stream has ids of its own, but the same
 * frames are fed every time (strings cannot be rewritten in place, and making new ones each time
 * put their collection into the timed runs); the SSE rows show the cost of new ids. Samples are
 * made before each timed run, never timed.
 */
function sampleMaker(sseText, frames, repeats, chunkBytes, renumber = true) {
  if (chunkBytes === 0) {
    const sample = [];
    for (let repeat = 0; repeat < repeats; repeat += 1) {
      lastResponseNumber += 1;
      sample.push(frames.map((frame) => withResponseNumber(frame, lastResponseNumber)));
    }
    return () => sample;
  }
  const offsets = responseNumberOffsets(sseText);
  const encoded = encoder.encode(sseText);
  const buffers = Array.from({ length: repeats }, () => encoded.slice());
  const sample = buffers.map((buffer) => splitIntoChunks(buffer, chunkBytes));
  return () => {
    for (const buffer of buffers) {
      lastResponseNumber += 1;
      if (renumber) renumberResponse(buffer, offsets, lastResponseNumber);
    }
    return sample;
  };
}

/** Feeds each stream of `sample` (its pieces) to a new consumer, synchronously. */
function runSync(createConsumer, sample) {
  let count = 0;
  for (const pieces of sample) {
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

/** Feeds each stream of `sample` to a new consumer, one awaited ReadableStream read per piece. */
async function runReadableStream(createConsumer, sample) {
  let count = 0;
  for (const pieces of sample) {
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
 * CPU time (user + system) of one run on a sample made for it, in milliseconds: on a machine shared
 * with other work it moves less than wall time, and both sides are measured the same way.
 */
async function time(makeSample, run) {
  const sample = makeSample();
  const start = process.cpuUsage();
  await run(sample);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Runs `first` and `second` (each a `run` of samples its `makeSample` makes) in alternating rounds
 * (which goes first alternates too, so drift and noise hit both alike), each on a new sample, after
 * one unmeasured run of each; returns their median times and the median of the per-round ratios
 * (first ÷ second).
 */
async function alternateRounds(first, second) {
  await first.run(first.makeSample());
  await second.run(second.makeSample());
  const firstTimes = [];
  const secondTimes = [];
  const ratios = [];
  for (let round = 0; round < rounds; round += 1) {
    let firstTime;
    let secondTime;
    if (round % 2 === 0) {
      firstTime = await time(first.makeSample, first.run);
      secondTime = await time(second.makeSample, second.run);
    } else {
      secondTime = await time(second.makeSample, second.run);
      firstTime = await time(first.makeSample, first.run);
    }
    firstTimes.push(firstTime);
    secondTimes.push(secondTime);
    ratios.push(firstTime / secondTime);
  }
  return { first: median(firstTimes), second: median(secondTimes), ratio: median(ratios) };
}

/**
 * Baseline and parser in alternating rounds on samples of `makeSample`: their median times and the
 * median ratio baseline ÷ parser.
 */
async function compare(makeSample, runBaseline, runParser) {
  const measured = await alternateRounds({ makeSample, run: runBaseline }, { makeSample, run: runParser });
  return { baseline: measured.first, parser: measured.second, ratio: measured.ratio };
}

// ---- the table ---------------------------------------------------------------------------------

const streams = [
  { name: 'mixed', events: generateMixedEvents() },
  { name: 'text-only', events: generateTextOnlyEvents() },
];

/** How many samples each side of each input runs, unmeasured, before any is measured (see below). */
const WARM_UP_SAMPLES = 3;

/** Every input of `stream`: SSE in each chunk size, and WebSocket frames. */
function inputsOf(stream) {
  const sseText = toSseText(stream.events);
  const bytes = encoder.encode(sseText);
  const frames = toWebSocketFrames(stream.events);
  const repeats = streamsPerSample(bytes.length);
  return [
    ...CHUNK_SIZES.map((size) => ({ label: `SSE ${size.label}`, chunkBytes: size.bytes, sse: true })),
    { label: 'WebSocket frames', chunkBytes: 0, sse: false },
  ].map((input) => ({
    ...input,
    bytes: bytes.length * repeats,
    makeSample: sampleMaker(sseText, frames, repeats, input.chunkBytes),
    consumers: input.sse ? [createBaselineSse, createParserSse] : [createBaselineFrames, createParserFrames],
  }));
}

// The parser's code takes V8 ~50 streams to optimise (the first are ~8× slower), JSON.parse none:
// every input is run first on both sides, so that no row measures the parser still warming up.
for (const stream of streams) {
  for (const input of inputsOf(stream)) {
    for (let sample = 0; sample < WARM_UP_SAMPLES; sample += 1) {
      for (const createConsumer of input.consumers) {
        runSync(createConsumer, input.makeSample());
        await runReadableStream(createConsumer, input.makeSample());
      }
    }
  }
}

const rows = [];
for (const stream of streams) {
  for (const input of inputsOf(stream)) {
    const [createBaseline, createParser] = input.consumers;
    for (const mode of ['sync', 'ReadableStream']) {
      const run = mode === 'sync' ? runSync : runReadableStream;
      const result = await compare(
        input.makeSample,
        (sample) => run(createBaseline, sample),
        (sample) => run(createParser, sample),
      );
      rows.push({ stream: stream.name, input: input.label, mode, bytes: input.bytes, ...result });
    }
  }
}

// What new ids cost the parser: the mixed stream in 16 KiB chunks as new responses each time
// against the same response fed again (with the same ids, anything built per id would be reused).
const mixedText = toSseText(streams[0].events);
const mixedRepeats = streamsPerSample(encoder.encode(mixedText).length);
const runParserSse = (sample) => runSync(createParserSse, sample);
const newIds = await alternateRounds(
  { makeSample: sampleMaker(mixedText, [], mixedRepeats, 16 * 1024), run: runParserSse },
  { makeSample: sampleMaker(mixedText, [], mixedRepeats, 16 * 1024, false), run: runParserSse },
);

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
// The same statistic as the table's column (the target's): the median of per-round ratios.
const worst = rows.reduce((lowest, row) => (row.ratio < lowest.ratio ? row : lowest));
console.log(
  `lowest ratio: ${worst.ratio.toFixed(2)} (${worst.stream}, ${worst.input}, ${worst.mode}; target ≥ 1.5)`,
);

console.log(
  `new responses (new ids each time) vs the same response again, parser, mixed SSE 16 KiB: ${newIds.ratio.toFixed(2)}× the time`,
);

// ---- linearity: cost per argument byte, 10 kB in 100 deltas vs 1 MB in 10,000 deltas -----------

/** Which events of the tool-call stream are fed: all, the argument deltas only, or all but them. */
const EVENT_SELECTIONS = {
  all: () => true,
  deltas: (event) => event.type.endsWith('.delta'),
  fullCopies: (event) => !event.type.endsWith('.delta'),
};

/**
 * One size of the tool-call stream, ready to feed: a maker of samples of its 16 KiB SSE chunks or its
 * WebSocket frames (each stream with new ids), and its size.
 */
function toolCallSample(argumentLength, deltas, selection, input) {
  const events = generateToolCallEvents(argumentLength, deltas).filter(EVENT_SELECTIONS[selection]);
  const sseText = toSseText(events);
  const bytes = encoder.encode(sseText);
  const repeats = streamsPerSample(bytes.length);
  return {
    makeSample: sampleMaker(sseText, toWebSocketFrames(events), repeats, input === 'frames' ? 0 : 16 * 1024),
    bytes: bytes.length * repeats,
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
  const run = (sample) => runSync(createConsumer, sample);
  const measured = await alternateRounds(
    { makeSample: large.makeSample, run },
    { makeSample: small.makeSample, run },
  );
  return {
    small: (measured.second * 1e6) / small.bytes,
    large: (measured.first * 1e6) / large.bytes,
    ratio: (measured.ratio * small.bytes) / large.bytes,
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
