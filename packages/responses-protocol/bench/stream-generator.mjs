// Deterministic, realistic Responses streams for the benchmark and the chunking property tests.
// They look like what the Codex backend sends: compact JSON in the server's key order, an
// `obfuscation` field on every delta, reasoning-summary deltas, output_text deltas, a large tool call
// streamed in small argument deltas, and the full output repeated in every `.done` event and in
// `response.completed`. No Node API: the tests import this in the edge runtime too.

const WORDS = [
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
  '`code`',
  '"quoted"',
  'back\\slash',
];

const OBFUSCATION_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A small deterministic pseudo-random generator (LCG), so every run builds the same bytes. */
function createRandom(seed) {
  let state = seed >>> 0;
  return (limit) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % limit;
  };
}

/** Prose of at least `length` characters: words, punctuation, line breaks, quotes, multi-byte text. */
function prose(random, length) {
  let text = '';
  while (text.length < length) {
    const word = WORDS[random(WORDS.length)];
    const roll = random(40);
    text += roll === 0 ? `${word}.\n\n` : roll < 3 ? `${word}, ` : roll === 3 ? `${word}\n- ` : `${word} `;
  }
  return text;
}

/** Source code of at least `length` characters (the body of a file a tool call writes). */
function sourceCode(random, length) {
  let text = '';
  let line = 0;
  while (text.length < length) {
    line += 1;
    const name = `${WORDS[random(WORDS.length)].replace(/[^a-z]/g, '') || 'value'}${line}`;
    const roll = random(6);
    text +=
      roll === 0
        ? `export function ${name}(input: string): string {\n  return input.replace(/\\s+/g, " ");\n}\n`
        : roll === 1
          ? `  const ${name} = { "key": "${WORDS[random(WORDS.length)]}", tab: "\\t" };\n`
          : roll === 2
            ? `// ${prose(random, 40).replace(/\n/g, ' ')}\n`
            : `  if (${name} !== undefined) console.log(\`${name}: \${${name}}\`);\n`;
  }
  return text;
}

/** `text` cut into pieces of `minimum`..`maximum` code points (never inside a surrogate pair). */
function cutIntoDeltas(random, text, minimum, maximum) {
  const codePoints = Array.from(text);
  const deltas = [];
  for (let index = 0; index < codePoints.length; ) {
    const size = minimum + random(maximum - minimum + 1);
    deltas.push(codePoints.slice(index, index + size).join(''));
    index += size;
  }
  return deltas;
}

/** What the server puts in `obfuscation`: random letters padding the event to a similar length. */
function obfuscation(random, delta) {
  const length = Math.max(2, 24 - delta.length) + random(6);
  let text = '';
  for (let index = 0; index < length; index += 1)
    text += OBFUSCATION_ALPHABET[random(OBFUSCATION_ALPHABET.length)];
  return text;
}

function randomId(random, prefix) {
  let text = `${prefix}_`;
  for (let index = 0; index < 48; index += 1) text += '0123456789abcdef'[random(16)];
  return text;
}

/** Builds the events of one response; `parts` say what the response outputs, in order. */
function buildResponse(random, parts, { minimal = false } = {}) {
  const events = [];
  const push = (event) => events.push({ type: event.type, sequence_number: events.length, ...event });
  const responseId = randomId(random, 'resp');
  const baseResponse = {
    id: responseId,
    object: 'response',
    created_at: 1764470000,
    status: 'in_progress',
    background: false,
    error: null,
    incomplete_details: null,
    instructions: minimal ? '' : prose(random, 2000),
    max_output_tokens: null,
    model: 'gpt-5.4-codex',
    output: [],
    parallel_tool_calls: true,
    previous_response_id: null,
    prompt_cache_key: '019ad0c2-8f0e-7c31-a1c4-1f2e3d4c5b6a',
    reasoning: { effort: 'medium', summary: 'auto' },
    service_tier: 'auto',
    store: false,
    temperature: 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: (minimal ? [] : ['shell', 'apply_patch', 'read_file']).map((name) => ({
      type: 'function',
      name,
      description: prose(random, 200),
      parameters: { type: 'object', properties: { input: { type: 'string' } }, required: ['input'] },
      strict: false,
    })),
    top_p: 1,
    truncation: 'disabled',
    usage: null,
    user: null,
    metadata: {},
  };
  push({ type: 'response.created', response: baseResponse });
  push({ type: 'response.in_progress', response: baseResponse });
  const output = [];
  for (const part of parts) {
    const outputIndex = output.length;
    if (part.kind === 'reasoning') {
      const itemId = randomId(random, 'rs');
      const text = part.text;
      push({
        type: 'response.output_item.added',
        output_index: outputIndex,
        item: { id: itemId, type: 'reasoning', encrypted_content: null, summary: [] },
      });
      push({
        type: 'response.reasoning_summary_part.added',
        item_id: itemId,
        output_index: outputIndex,
        summary_index: 0,
        part: { type: 'summary_text', text: '' },
      });
      for (const delta of cutIntoDeltas(random, text, 1, 8)) {
        push({
          type: 'response.reasoning_summary_text.delta',
          item_id: itemId,
          output_index: outputIndex,
          summary_index: 0,
          delta,
          obfuscation: obfuscation(random, delta),
        });
      }
      push({
        type: 'response.reasoning_summary_text.done',
        item_id: itemId,
        output_index: outputIndex,
        summary_index: 0,
        text,
      });
      push({
        type: 'response.reasoning_summary_part.done',
        item_id: itemId,
        output_index: outputIndex,
        summary_index: 0,
        part: { type: 'summary_text', text },
      });
      const item = {
        id: itemId,
        type: 'reasoning',
        encrypted_content: `gAAAAA${randomId(random, 'enc').repeat(24)}`,
        summary: [{ type: 'summary_text', text }],
      };
      push({ type: 'response.output_item.done', output_index: outputIndex, item });
      output.push(item);
    } else if (part.kind === 'message') {
      const itemId = randomId(random, 'msg');
      const text = part.text;
      push({
        type: 'response.output_item.added',
        output_index: outputIndex,
        item: { id: itemId, type: 'message', status: 'in_progress', content: [], role: 'assistant' },
      });
      push({
        type: 'response.content_part.added',
        item_id: itemId,
        output_index: outputIndex,
        content_index: 0,
        part: { type: 'output_text', annotations: [], logprobs: [], text: '' },
      });
      for (const delta of cutIntoDeltas(random, text, 1, 8)) {
        push({
          type: 'response.output_text.delta',
          item_id: itemId,
          output_index: outputIndex,
          content_index: 0,
          delta,
          logprobs: [],
          obfuscation: obfuscation(random, delta),
        });
      }
      push({
        type: 'response.output_text.done',
        item_id: itemId,
        output_index: outputIndex,
        content_index: 0,
        text,
        logprobs: [],
      });
      const contentPart = { type: 'output_text', annotations: [], logprobs: [], text };
      push({
        type: 'response.content_part.done',
        item_id: itemId,
        output_index: outputIndex,
        content_index: 0,
        part: contentPart,
      });
      const item = {
        id: itemId,
        type: 'message',
        status: 'completed',
        content: [contentPart],
        role: 'assistant',
      };
      push({ type: 'response.output_item.done', output_index: outputIndex, item });
      output.push(item);
    } else {
      const itemId = randomId(random, 'fc');
      const callId = randomId(random, 'call');
      const args = part.arguments;
      const added = {
        id: itemId,
        type: 'function_call',
        status: 'in_progress',
        arguments: '',
        call_id: callId,
        name: part.name,
      };
      push({ type: 'response.output_item.added', output_index: outputIndex, item: added });
      const size = Math.max(1, Math.round(args.length / part.deltas));
      for (const delta of cutIntoDeltas(random, args, Math.max(1, size - 8), size + 8)) {
        push({
          type: 'response.function_call_arguments.delta',
          item_id: itemId,
          output_index: outputIndex,
          delta,
          obfuscation: obfuscation(random, delta),
        });
      }
      push({
        type: 'response.function_call_arguments.done',
        item_id: itemId,
        output_index: outputIndex,
        arguments: args,
      });
      const item = { ...added, status: 'completed', arguments: args };
      push({ type: 'response.output_item.done', output_index: outputIndex, item });
      output.push(item);
    }
  }
  push({
    type: 'response.completed',
    response: {
      ...baseResponse,
      status: 'completed',
      output,
      usage: {
        input_tokens: 12840,
        input_tokens_details: { cached_tokens: 11520 },
        output_tokens: 9310,
        output_tokens_details: { reasoning_tokens: 384 },
        total_tokens: 22150,
      },
    },
  });
  return events;
}

/** The arguments of an `apply_patch`-style call: JSON whose string holds `length` characters of code. */
function patchArguments(random, length) {
  const code = sourceCode(random, length - 80);
  return JSON.stringify({ input: `*** Begin Patch\n*** Add File: src/generated.ts\n${code}*** End Patch` });
}

/**
 * The mixed stream: a reasoning summary (~1.5 kB in small deltas), an answer (~4 kB of text with
 * quotes, line breaks and multi-byte characters) and a ~27 kB `apply_patch` tool call in ~1,400
 * argument deltas, each with `obfuscation`; every `.done` event and `response.completed` repeat the
 * full output. Returns the event objects in order.
 */
export function generateMixedEvents(seed = 1) {
  const random = createRandom(seed);
  return buildResponse(random, [
    { kind: 'reasoning', text: prose(random, 1500) },
    { kind: 'message', text: prose(random, 4000) },
    { kind: 'tool', name: 'apply_patch', arguments: patchArguments(random, 27 * 1024), deltas: 1400 },
  ]);
}

/** The text-only stream: one answer of ~`length` characters in small `output_text` deltas. */
export function generateTextOnlyEvents(seed = 2, length = 12000) {
  const random = createRandom(seed);
  return buildResponse(random, [{ kind: 'message', text: prose(random, length) }]);
}

/**
 * One tool call whose arguments are `argumentLength` characters of JSON streamed in `deltas`
 * argument deltas, in a response without instructions or tools (for the linearity check: the cost
 * per byte must not grow with the argument).
 */
export function generateToolCallEvents(argumentLength, deltas, seed = 3) {
  const random = createRandom(seed);
  return buildResponse(
    random,
    [{ kind: 'tool', name: 'apply_patch', arguments: patchArguments(random, argumentLength), deltas }],
    { minimal: true },
  );
}

/** An id the generator makes (`randomId`): its prefix and the first 40 of its 48 hex digits, then the last 8. */
const GENERATED_ID = /\b((?:resp|rs|msg|fc|call)_[0-9a-f]{40})[0-9a-f]{8}\b/g;

/**
 * `text` (SSE text or a frame of these events) as response number `responseNumber` would carry it:
 * every id (`resp_…`, `rs_…`, `msg_…`, `fc_…`, `call_…`) ends in that number instead, at the same
 * length. A server never sends two responses with the same ids, so a benchmark that feeds one
 * stream many times feeds it with new ids each time: whatever a parser builds per id (a pattern for
 * a frequent head) is then paid for as it would be.
 */
export function withResponseNumber(text, responseNumber) {
  return text.replace(GENERATED_ID, `$1${(responseNumber >>> 0).toString(16).padStart(8, '0')}`);
}

/**
 * Where the last 8 hex digits of every generated id are in `bytes`, the UTF-8 encoding of `text`
 * (SSE text of these events): `renumberResponse` rewrites them there, in place.
 */
export function responseNumberOffsets(text) {
  const encoder = new TextEncoder();
  const offsets = [];
  let byteOffset = 0;
  let charOffset = 0;
  for (const match of text.matchAll(GENERATED_ID)) {
    const suffixStart = match.index + match[1].length;
    byteOffset += encoder.encode(text.slice(charOffset, suffixStart)).length;
    charOffset = suffixStart;
    offsets.push(byteOffset);
  }
  return offsets;
}

/**
 * `bytes` (SSE text of these events, encoded) made response number `responseNumber`, in place, at
 * the `offsets` of `responseNumberOffsets`: the same bytes as `withResponseNumber` of the text.
 */
export function renumberResponse(bytes, offsets, responseNumber) {
  const digits = (responseNumber >>> 0).toString(16).padStart(8, '0');
  for (const offset of offsets) {
    for (let index = 0; index < 8; index += 1) bytes[offset + index] = digits.charCodeAt(index);
  }
}

/** The events as the SSE text a server sends: `event: <type>` and `data: <json>` lines per event. */
export function toSseText(events) {
  let text = '';
  for (const event of events) text += `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
  return text;
}

/** The events as WebSocket text frames: one JSON event per message. */
export function toWebSocketFrames(events) {
  return events.map((event) => JSON.stringify(event));
}

/** `bytes` cut into chunks of `size` bytes (the last one shorter), as a network delivers them. */
export function splitIntoChunks(bytes, size) {
  const chunks = [];
  for (let offset = 0; offset < bytes.length; offset += size)
    chunks.push(bytes.subarray(offset, offset + size));
  return chunks;
}
