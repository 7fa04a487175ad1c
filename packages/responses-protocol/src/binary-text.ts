/**
 * "Binary text": bytes held in a string, one character per byte (U+0000–U+00FF). Where the runtime
 * has a native bytes → one-byte string copy (Node's and Bun's `Buffer.prototype.latin1Slice`), the
 * SSE parser's framer keeps its input as binary text and frames it as such: SSE and the JSON around the
 * values are ASCII, and in UTF-8 every byte of a multi-byte character is 0x80 or above, so lines,
 * fields, JSON punctuation and ASCII values read exactly as in the decoded text; only values holding
 * bytes from 0x80 on are decoded (`binaryToText`) before they leave the parser.
 *
 * Why: decoding a network chunk with `TextDecoder` costs 2–4× a one-byte copy, and a chunk with
 * any character beyond U+00FF (an em dash, an emoji, Japanese) decodes into a two-byte string that
 * every later step (patterns, slices, joins, `JSON.parse`) reads slower (measured on the mixed
 * benchmark stream alone: the parser 8–10 % faster at 1 KiB chunks, 17–20 % at 16 KiB). Elsewhere
 * (browsers, edge runtimes), and in the event decoder (it decodes every event's data anyway), the
 * framer decodes with `TextDecoder`. Internal to the package: nothing here is exported from it.
 */

/** Copies `bytes[start, end)` into a string, one character per byte. @internal */
export type BinarySlice = (bytes: Uint8Array, start: number, end: number) => string;

interface NodeBufferPrototype {
  latin1Slice?: unknown;
  latin1Write?: unknown;
}

const runtime = globalThis as {
  Buffer?: { prototype?: NodeBufferPrototype };
  process?: { versions?: { node?: unknown } };
};
// Node's `Buffer` (Bun's too: it reports a Node version); not a `Buffer` polyfill in a browser,
// whose copies are JavaScript loops.
const nodeBufferPrototype =
  typeof runtime.process?.versions?.node === 'string' ? runtime.Buffer?.prototype : undefined;
const nativeLatin1Slice =
  typeof nodeBufferPrototype?.latin1Slice === 'function' &&
  typeof nodeBufferPrototype.latin1Write === 'function'
    ? (nodeBufferPrototype.latin1Slice as (this: Uint8Array, start: number, end: number) => string)
    : undefined;
/** Writes binary text's characters as bytes into `this` from `offset`; returns how many. */
const nativeLatin1Write = nodeBufferPrototype?.latin1Write as
  | ((this: Uint8Array, binary: string, offset: number, length: number) => number)
  | undefined;

/** The runtime's native binary slice, or `undefined` (then input is decoded with `TextDecoder`). @internal */
export const binarySlice: BinarySlice | undefined =
  nativeLatin1Slice === undefined
    ? undefined
    : (bytes, start, end) => nativeLatin1Slice.call(bytes, start, end);

/** Bytes reused to decode binary text natively (grown as needed up to this many; longer text gets its own). */
const SCRATCH_MAX_BYTES = 256 * 1024;
let scratch = new Uint8Array(0);

/** Binary text with bytes from 0x80 on, decoded natively: its bytes written back, then `TextDecoder`. */
function decodeNatively(binary: string, write: NonNullable<typeof nativeLatin1Write>): string {
  const length = binary.length;
  let bytes: Uint8Array;
  if (length > SCRATCH_MAX_BYTES) {
    bytes = new Uint8Array(length);
  } else {
    if (scratch.length < length)
      scratch = new Uint8Array(Math.min(SCRATCH_MAX_BYTES, Math.max(length, scratch.length * 2)));
    bytes = scratch;
  }
  write.call(bytes, binary, 0, length);
  return decoder.decode(bytes.subarray(0, length));
}

/** Binary text shorter than this is decoded in JavaScript; longer through `TextDecoder`. */
const NATIVE_DECODE_MIN_LENGTH = 256;

/** A byte from 0x80 on (a byte of a multi-byte UTF-8 character, or an invalid one). */
const NON_ASCII = /[\x80-\xff]/;

const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** Whether binary text holds a byte from 0x80 on (then it must be decoded to be text). @internal */
export function hasNonAsciiByte(binary: string): boolean {
  return NON_ASCII.test(binary);
}

/**
 * The text that the bytes held in `binary` encode in UTF-8 — exactly what `TextDecoder` gives
 * (invalid sequences become U+FFFD as the Encoding Standard says), without a byte-order mark check.
 * Binary text that is all ASCII is returned as is.
 * @internal
 */
export function binaryToText(binary: string): string {
  if (binary.length >= NATIVE_DECODE_MIN_LENGTH && nativeLatin1Write !== undefined) {
    return hasNonAsciiByte(binary) ? decodeNatively(binary, nativeLatin1Write) : binary;
  }
  return decodeUtf8(binary);
}

/** The byte at `index` of bytes, or of binary text. */
function byteAt(units: Uint8Array | string, index: number): number {
  return typeof units === 'string' ? units.charCodeAt(index) : (units[index] as number);
}

/**
 * The length of `units[0, length)` — bytes, or binary text — without a UTF-8 sequence cut short at
 * its end. Cutting there is safe: UTF-8 decoding restarts at every byte that is not a continuation
 * byte, so decoding the parts gives the text of the whole.
 * @internal
 */
export function completeUtf8Length(units: Uint8Array | string, length: number): number {
  let index = length - 1;
  while (index >= 0 && length - index <= 3 && (byteAt(units, index) & 0xc0) === 0x80) index -= 1;
  if (index < 0) return length;
  const lead = byteAt(units, index);
  const sequenceLength = lead >= 0xf8 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return length - index < sequenceLength ? index : length;
}

/**
 * Binary text given in pieces (in order), decoded piece by piece: the text of their concatenation,
 * in as many pieces. A character that a piece's end cuts goes on with the next piece.
 * @internal
 */
export function binaryPiecesToText(pieces: readonly string[]): string[] {
  const texts: string[] = [];
  let carried = '';
  for (const piece of pieces) {
    const whole = carried === '' ? piece : carried + piece;
    const complete = completeUtf8Length(whole, whole.length);
    texts.push(binaryToText(complete === whole.length ? whole : whole.slice(0, complete)));
    carried = complete === whole.length ? '' : whole.slice(complete);
  }
  if (carried !== '') texts.push(binaryToText(carried));
  return texts;
}

const REPLACEMENT = 0xfffd;

/**
 * The UTF-8 decoder of the Encoding Standard over binary text: ASCII runs are copied as they are,
 * a byte that cannot continue the sequence being read ends it with U+FFFD and is read again, and a
 * sequence cut short by the end of the text is one U+FFFD.
 */
function decodeUtf8(binary: string): string {
  const length = binary.length;
  let index = 0;
  while (index < length && binary.charCodeAt(index) < 0x80) index += 1;
  if (index === length) return binary;
  let text = binary.slice(0, index);
  let codePoint = 0;
  let bytesNeeded = 0;
  let bytesSeen = 0;
  let lowerBoundary = 0x80;
  let upperBoundary = 0xbf;
  while (index < length) {
    const byte = binary.charCodeAt(index);
    if (bytesNeeded === 0) {
      if (byte < 0x80) {
        // An ASCII run: copied in one slice.
        let end = index + 1;
        while (end < length && binary.charCodeAt(end) < 0x80) end += 1;
        text += binary.slice(index, end);
        index = end;
        continue;
      }
      if (byte >= 0xc2 && byte <= 0xdf) {
        bytesNeeded = 1;
        codePoint = byte & 0x1f;
      } else if (byte >= 0xe0 && byte <= 0xef) {
        if (byte === 0xe0) lowerBoundary = 0xa0;
        if (byte === 0xed) upperBoundary = 0x9f;
        bytesNeeded = 2;
        codePoint = byte & 0x0f;
      } else if (byte >= 0xf0 && byte <= 0xf4) {
        if (byte === 0xf0) lowerBoundary = 0x90;
        if (byte === 0xf4) upperBoundary = 0x8f;
        bytesNeeded = 3;
        codePoint = byte & 0x07;
      } else {
        text += String.fromCharCode(REPLACEMENT);
      }
      index += 1;
      continue;
    }
    if (byte < lowerBoundary || byte > upperBoundary) {
      // Not a continuation of this sequence: it ends here, and the byte is read again.
      codePoint = 0;
      bytesNeeded = 0;
      bytesSeen = 0;
      lowerBoundary = 0x80;
      upperBoundary = 0xbf;
      text += String.fromCharCode(REPLACEMENT);
      continue;
    }
    lowerBoundary = 0x80;
    upperBoundary = 0xbf;
    codePoint = (codePoint << 6) | (byte & 0x3f);
    bytesSeen += 1;
    index += 1;
    if (bytesSeen === bytesNeeded) {
      text += String.fromCodePoint(codePoint);
      codePoint = 0;
      bytesNeeded = 0;
      bytesSeen = 0;
    }
  }
  if (bytesNeeded !== 0) text += String.fromCharCode(REPLACEMENT);
  return text;
}
