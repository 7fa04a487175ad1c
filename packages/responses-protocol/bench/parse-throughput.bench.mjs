// Throughput of bytes → StreamChunks (createResponsesSseParser) against a baseline measured in the
// same run: TextDecoder + eventsource-parser + JSON.parse of each data line, nothing else.
// Usage: pnpm bench [-- --megabytes 50 --rounds 5]   (reads ./dist: run `pnpm build` first)
import { createParser } from 'eventsource-parser';
import { createResponsesSseParser } from '../dist/index.js';

const CHUNK_BYTES = 16 * 1024;
const PERIOD_CHUNKS = 256; // a 4 MiB block of delta events, repeated to reach the stream length

function readArgument(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] !== undefined ? Number(process.argv[index + 1]) : fallback;
}

const encoder = new TextEncoder();
const words = [
  'the',
  'stream',
  'parser',
  'reduces',
  'events',
  'into',
  'chunks',
  'naïve',
  'café',
  'déjà',
  'vu',
  '—',
  '日本語',
  'テキスト',
  '🙂',
  'résumé',
  'function',
  'argument',
  'token',
  'usage',
];

/** Text of ~`length` characters built deterministically from `seed`, JSON-escaped specials included. */
function deltaText(seed, length) {
  let text = '';
  let state = seed;
  while (text.length < length) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const word = words[state % words.length];
    text += state % 17 === 0 ? `${word}\n` : state % 29 === 0 ? `"${word}" ` : `${word} `;
  }
  return text;
}

function sseEvent(event) {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** Pads `text` with an SSE comment so its UTF-8 length is a multiple of CHUNK_BYTES. */
function padToChunks(text) {
  const length = encoder.encode(text).length;
  const missing = (CHUNK_BYTES - ((length + 3) % CHUNK_BYTES)) % CHUNK_BYTES;
  return `${text}:${' '.repeat(missing)}\n\n`;
}

function splitIntoChunks(bytes) {
  const chunks = [];
  for (let offset = 0; offset < bytes.length; offset += CHUNK_BYTES)
    chunks.push(bytes.subarray(offset, offset + CHUNK_BYTES));
  return chunks;
}

const itemId = 'msg_0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const responseId = 'resp_0a1b2c3d4e5f60718293a4b5c6d7e8f9';

function buildHeader() {
  const response = {
    id: responseId,
    object: 'response',
    status: 'in_progress',
    model: 'gpt-5.4',
    output: [],
  };
  let text = '';
  text += sseEvent({ type: 'response.created', sequence_number: 0, response });
  text += sseEvent({ type: 'response.in_progress', sequence_number: 1, response });
  text += sseEvent({
    type: 'response.output_item.added',
    sequence_number: 2,
    output_index: 0,
    item: { id: itemId, type: 'message', status: 'in_progress', role: 'assistant', content: [] },
  });
  text += sseEvent({
    type: 'response.content_part.added',
    sequence_number: 3,
    item_id: itemId,
    output_index: 0,
    content_index: 0,
    part: { type: 'output_text', text: '', annotations: [] },
  });
  return { chunks: splitIntoChunks(encoder.encode(padToChunks(text))), events: 4 };
}

/** One period: PERIOD_CHUNKS × 16 KiB of `response.output_text.delta` events (~250 bytes each). */
function buildPeriod() {
  let text = '';
  let events = 0;
  const target = PERIOD_CHUNKS * CHUNK_BYTES - 400;
  let length = 0;
  while (length < target) {
    const event = sseEvent({
      type: 'response.output_text.delta',
      sequence_number: 4 + events,
      item_id: itemId,
      output_index: 0,
      content_index: 0,
      delta: deltaText(events + 1, 15 + (events % 34)),
      logprobs: [],
    });
    length += encoder.encode(event).length;
    text += event;
    events += 1;
  }
  const bytes = encoder.encode(padToChunks(text));
  if (bytes.length !== PERIOD_CHUNKS * CHUNK_BYTES) throw new Error(`period is ${bytes.length} bytes`);
  return { chunks: splitIntoChunks(bytes), events, bytes: bytes.length };
}

function buildTrailer() {
  let text = '';
  text += sseEvent({
    type: 'response.output_text.done',
    item_id: itemId,
    output_index: 0,
    content_index: 0,
    text: '',
  });
  text += sseEvent({
    type: 'response.completed',
    response: {
      id: responseId,
      object: 'response',
      status: 'completed',
      model: 'gpt-5.4',
      output: [],
      usage: {
        input_tokens: 1200,
        input_tokens_details: { cached_tokens: 1024 },
        output_tokens: 9000000,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 9001200,
      },
    },
  });
  return { chunks: splitIntoChunks(encoder.encode(text)), events: 2 };
}

const header = buildHeader();
const period = buildPeriod();
const trailer = buildTrailer();

function* streamChunks(periods) {
  yield* header.chunks;
  for (let index = 0; index < periods; index += 1) yield* period.chunks;
  yield* trailer.chunks;
}

function streamStats(periods) {
  const chunks = header.chunks.length + periods * period.chunks.length + trailer.chunks.length;
  const bytes =
    header.chunks.length * CHUNK_BYTES +
    periods * period.bytes +
    trailer.chunks.reduce((sum, c) => sum + c.length, 0);
  return { chunks, bytes, events: header.events + periods * period.events + trailer.events };
}

const MEMORY_SAMPLE_EVERY = 64;

function sampleMemory(state) {
  const { heapUsed, rss } = process.memoryUsage();
  if (heapUsed > state.peakHeap) state.peakHeap = heapUsed;
  if (rss > state.peakRss) state.peakRss = rss;
}

function runBaseline(periods, memory) {
  const decoder = new TextDecoder();
  let parsed = 0;
  const parser = createParser({
    onEvent(message) {
      JSON.parse(message.data);
      parsed += 1;
    },
  });
  let index = 0;
  for (const chunk of streamChunks(periods)) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    if (memory !== undefined && ++index % MEMORY_SAMPLE_EVERY === 0) sampleMemory(memory);
  }
  parser.feed(decoder.decode());
  parser.reset({ consume: true });
  return parsed;
}

function runParser(periods, memory) {
  const parser = createResponsesSseParser();
  let produced = 0;
  let last;
  let index = 0;
  for (const chunk of streamChunks(periods)) {
    const out = parser.feed(chunk);
    produced += out.length;
    if (out.length > 0) last = out[out.length - 1];
    if (memory !== undefined && ++index % MEMORY_SAMPLE_EVERY === 0) sampleMemory(memory);
  }
  const out = parser.end();
  produced += out.length;
  if (out.length > 0) last = out[out.length - 1];
  if (last?.type !== 'done') throw new Error(`the stream did not end with done: ${JSON.stringify(last)}`);
  return produced;
}

function time(run, periods) {
  const start = performance.now();
  const count = run(periods);
  return { milliseconds: performance.now() - start, count };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function measureMemory(run, periods) {
  globalThis.gc?.();
  const before = process.memoryUsage();
  const state = { peakHeap: before.heapUsed, peakRss: before.rss };
  run(periods, state);
  return { heapGrowth: state.peakHeap - before.heapUsed, peakRss: state.peakRss };
}

const megabytes = readArgument('megabytes', 50);
const rounds = readArgument('rounds', 5);
const periods = Math.max(1, Math.round((megabytes * 1024 * 1024) / period.bytes));
const stats = streamStats(periods);
const mib = stats.bytes / (1024 * 1024);

console.log(
  `stream: ${mib.toFixed(1)} MiB, ${stats.events} events (~${Math.round(period.bytes / period.events)} bytes per delta event), fed in ${stats.chunks} chunks of 16 KiB`,
);

// Warm both paths up, then alternate rounds so machine noise hits both alike.
time(runBaseline, 1);
time(runParser, 1);
const baselineTimes = [];
const parserTimes = [];
let chunkCount = 0;
for (let round = 0; round < rounds; round += 1) {
  baselineTimes.push(time(runBaseline, periods).milliseconds);
  const result = time(runParser, periods);
  parserTimes.push(result.milliseconds);
  chunkCount = result.count;
}
const baselineMs = median(baselineTimes);
const parserMs = median(parserTimes);
const row = (name, milliseconds) =>
  `${name.padEnd(46)} ${(mib / (milliseconds / 1000)).toFixed(1).padStart(7)} MiB/s ${Math.round(
    stats.events / (milliseconds / 1000),
  )
    .toString()
    .padStart(10)} events/s  (median of ${rounds}: ${milliseconds.toFixed(0)} ms)`;
console.log(row('baseline (TextDecoder+eventsource-parser+JSON)', baselineMs));
console.log(row('createResponsesSseParser (bytes → StreamChunk)', parserMs));
console.log(`chunks produced: ${chunkCount}`);
console.log(`ratio parser/baseline throughput: ${(baselineMs / parserMs).toFixed(3)} (target >= 1.0)`);

const half = measureMemory(runParser, Math.max(1, Math.floor(periods / 2)));
const full = measureMemory(runParser, periods);
const double = measureMemory(runParser, periods * 2);
const baselineMemory = measureMemory(runBaseline, periods);
const format = (bytes) => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
console.log(
  `peak heap growth while parsing: ${format(half.heapGrowth)} at ${(mib / 2).toFixed(0)} MiB, ${format(full.heapGrowth)} at ${mib.toFixed(0)} MiB, ${format(double.heapGrowth)} at ${(mib * 2).toFixed(0)} MiB (baseline ${format(baselineMemory.heapGrowth)} at ${mib.toFixed(0)} MiB); peak RSS ${format(Math.max(half.peakRss, full.peakRss, double.peakRss))}`,
);
