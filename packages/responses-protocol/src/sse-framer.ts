import { type PendingItems, takePendingItems } from './pending-items.js';

/** Default cap on buffered, not yet complete SSE data: 16 MiB. */
export const DEFAULT_MAX_BUFFER_BYTES = 16 * 1024 * 1024;

/** Reads the `event:` name of the event being dispatched (decoded only when asked for). */
export type EventNameReader = () => string | undefined;

/**
 * Reads some whole SSE events straight from framed text, faster than line-by-line framing plus
 * `onData` would (see `DeltaEventReader`). The framer offers it each line start on text it framed
 * whole (large chunks) when no event is being assembled.
 */
export interface SseEventShortcut {
  /**
   * Reads the events starting at `position` — each one's lines and the blank line after them — as
   * long as they are ones the shortcut handles, exactly as line-by-line framing would have
   * dispatched them; returns where the last one read ends, or -1 when it read none (then the
   * framer frames those lines itself).
   */
  readEvents(text: string, position: number): number;
}

/** Callbacks of the internal SSE framer. */
export interface SseFramerCallbacks {
  /**
   * One complete SSE event's data (multi-line data joined with `\n`, decoded as UTF-8) and a reader
   * of its `event:` name (`undefined` when absent or empty), valid during the call only.
   */
  onData(data: string, readEventName: EventNameReader): void;
  /** The buffer cap was exceeded; the framer refuses further input. */
  onBufferLimitExceeded(limit: number): void;
  /** Events the caller reads faster from the text itself (see {@link SseEventShortcut}). */
  readonly eventShortcut?: SseEventShortcut;
}

/** The internal SSE framer shared by the public decoders. */
export interface SseFramer {
  /** Feeds bytes or text; complete events are reported through the callbacks. */
  feed(input: string | Uint8Array): void;
  /** Flushes the last line and event even without a trailing blank line. */
  end(): void;
  /** Whether the buffer cap was exceeded (all later input is ignored). */
  readonly failed: boolean;
}

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const COLON = 0x3a;
const LOWERCASE_D = 0x64;
const LOWERCASE_E = 0x65;
const BYTE_ORDER_MARK = new Uint8Array([0xef, 0xbb, 0xbf]);
const DATA = new Uint8Array([0x64, 0x61, 0x74, 0x61]);
const EVENT = new Uint8Array([0x65, 0x76, 0x65, 0x6e, 0x74]);

/**
 * Byte chunks at least this long are decoded whole and framed as text (native `indexOf` on strings
 * is fast); in shorter ones line ends are searched in the bytes (a `TextDecoder` call per tiny chunk
 * costs more than the search), and only their `data` values are decoded.
 */
export const TEXT_SCAN_MIN_BYTES = 256;

/** `bytes` with room for `needed` bytes, keeping the first `keep` (doubling, so appends stay linear). */
function ensureCapacity(bytes: Uint8Array, keep: number, needed: number): Uint8Array {
  if (needed <= bytes.length) return bytes;
  const grown = new Uint8Array(Math.max(needed, bytes.length * 2));
  if (keep > 0) grown.set(bytes.subarray(0, keep));
  return grown;
}

/**
 * The length of `bytes` without a UTF-8 sequence cut short at its end. Cutting there is safe:
 * UTF-8 decoding restarts at every byte that is not a continuation byte.
 */
function completeUtf8Length(bytes: Uint8Array): number {
  const length = bytes.length;
  let index = length - 1;
  while (index >= 0 && length - index <= 3 && ((bytes[index] as number) & 0xc0) === 0x80) index -= 1;
  if (index < 0) return length;
  const lead = bytes[index] as number;
  const sequenceLength = lead >= 0xf8 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return length - index < sequenceLength ? index : length;
}

/** Whether `bytes[start, end)` starts with `field` and a colon (`data:`, `event:`). */
function startsWithField(bytes: Uint8Array, start: number, end: number, field: Uint8Array): boolean {
  const length = field.length;
  if (end - start <= length || bytes[start + length] !== COLON) return false;
  for (let index = 1; index < length; index += 1) if (bytes[start + index] !== field[index]) return false;
  return true;
}

/** Whether `bytes[start, end)` is exactly `field` (a field without a colon: its value is empty). */
function isBareField(bytes: Uint8Array, start: number, end: number, field: Uint8Array): boolean {
  if (end - start !== field.length) return false;
  for (let index = 0; index < field.length; index += 1)
    if (bytes[start + index] !== field[index]) return false;
  return true;
}

/**
 * SSE framing as the WHATWG EventSource parser frames a stream: lines end at CR, LF or CRLF (also
 * when the CR and the LF arrive in different chunks); a leading byte-order mark is dropped; `data:`
 * lines append to the event's data (joined with `\n`); `event:` sets its name; a blank line
 * dispatches the event if it had a `data` line; comments (`:`), `id`, `retry` and unknown fields
 * are ignored; one space after the colon is dropped. Bytes are decoded as UTF-8 (invalid sequences
 * become U+FFFD; a character split across chunks is kept whole).
 *
 * Why not eventsource-parser, the house default for SSE framing, which this replaced: it takes
 * text, so every network chunk had to go through `TextDecoder.decode` first — one native call per
 * chunk, which dominated at small chunk sizes — and its framing cost about as much as the rest of
 * the parser's work. Here line ends are searched in a small chunk's bytes and only `data` values
 * are decoded (once per event); a large chunk is decoded whole, scanned with native string search,
 * and runs of whole delta events are read from it in one step (`SseEventShortcut`). Together with
 * the delta fast path and linear tool arguments this took the parser from 0.2–1.3× to 1.2–2.3× the
 * baseline (TextDecoder + eventsource-parser + JSON.parse) on the realistic streams of
 * `bench/stream-generator.mjs` (see the README's performance table); the framing alone costs about
 * as much as eventsource-parser's at 16 KiB chunks and ~40% less at 1 KiB and 64 B. A property
 * test checks that this framer reports exactly what eventsource-parser reports, for arbitrary
 * input cut anywhere.
 *
 * Never throws. `maxBufferBytes` caps the unfinished line plus the unfinished event's data (counted
 * in UTF-16 code units of decoded text and bytes of text not decoded yet; each at most its UTF-8
 * size); `textScanMinBytes` (tests only) moves the line between small and large chunks.
 */
// One closure rather than a class: minifiers rename its state and helpers, which keeps the browser
// bundle small (the class's property names cost ~0.3 kB gzip); that is also why it is longer than
// 150 lines — the helpers below are each short.
export function createSseFramer(
  callbacks: SseFramerCallbacks,
  maxBufferBytes = DEFAULT_MAX_BUFFER_BYTES,
  textScanMinBytes = TEXT_SCAN_MIN_BYTES,
): SseFramer {
  const limit =
    Number.isFinite(maxBufferBytes) && maxBufferBytes > 0
      ? Math.floor(maxBufferBytes)
      : DEFAULT_MAX_BUFFER_BYTES;
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let failed = false;
  let ended = false;
  /** Bytes of the byte-order mark matched at the start of the stream; -1 once past the start. */
  let byteOrderMarkMatched = 0;
  /** The last line ended with a CR at the end of an input: an LF right after it ends nothing. */
  let afterCarriageReturn = false;
  /** The unfinished line is `textCarry` followed by the undecoded `byteCarry[0, byteCarryLength)`. */
  let textCarry = '';
  let byteCarry: Uint8Array = new Uint8Array(1024);
  let byteCarryLength = 0;
  /** The event being assembled: how many `data` lines, their values joined, its name. */
  let dataLines = 0;
  let data = '';
  let eventName: string | undefined;
  /** An `event:` name from a scanned byte line, decoded when asked for (`nameBytes[0, nameLength)`). */
  let nameBytes: Uint8Array = new Uint8Array(64);
  let nameLength = -1;
  const readEventName: EventNameReader = () => {
    if (nameLength >= 0) {
      eventName = decoder.decode(nameBytes.subarray(0, nameLength));
      nameLength = -1;
    }
    return eventName;
  };

  function feed(input: string | Uint8Array): void {
    if (failed || ended || input.length === 0) return;
    if (typeof input === 'string') acceptText(input);
    else if (byteOrderMarkMatched >= 0) skipByteOrderMark(input);
    else acceptBytes(input);
    checkBufferLimit();
  }

  function endInput(): void {
    if (ended) return;
    ended = true;
    if (failed) return;
    // A stream that ended inside a partial byte-order mark: those bytes were content.
    if (byteOrderMarkMatched > 0) scanSmallChunk(BYTE_ORDER_MARK.subarray(0, byteOrderMarkMatched));
    if (textCarry !== '' || byteCarryLength > 0) completeCarriedLine();
    dispatch();
  }

  /** Drops a byte-order mark at the start of the stream, even when its bytes arrive one by one. */
  function skipByteOrderMark(bytes: Uint8Array): void {
    let index = 0;
    while (byteOrderMarkMatched < 3 && index < bytes.length) {
      if (bytes[index] !== BYTE_ORDER_MARK[byteOrderMarkMatched]) break;
      byteOrderMarkMatched += 1;
      index += 1;
    }
    if (byteOrderMarkMatched === 3) {
      byteOrderMarkMatched = -1;
      if (index < bytes.length) acceptBytes(bytes.subarray(index));
      return;
    }
    if (index === bytes.length) return; // all of it may still be the start of a mark
    // Not a mark: the bytes that looked like its start are content.
    const earlier = byteOrderMarkMatched - index;
    byteOrderMarkMatched = -1;
    if (earlier > 0) scanSmallChunk(BYTE_ORDER_MARK.subarray(0, earlier));
    acceptBytes(bytes);
  }

  function acceptBytes(bytes: Uint8Array): void {
    if (bytes.length < textScanMinBytes) scanSmallChunk(bytes);
    else scanLargeChunk(bytes);
  }

  /** Text input: framed as is (a leading U+FEFF is dropped at the start of the stream). */
  function acceptText(text: string): void {
    if (byteOrderMarkMatched >= 0) {
      if (byteOrderMarkMatched > 0) scanSmallChunk(BYTE_ORDER_MARK.subarray(0, byteOrderMarkMatched));
      byteOrderMarkMatched = -1;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (byteCarryLength > 0) {
      // Bytes before text (an odd mix): they end where the text starts.
      textCarry += decoder.decode(byteCarry.subarray(0, byteCarryLength));
      byteCarryLength = 0;
    }
    scanText(text);
  }

  /** A large chunk: decoded whole (but for a character cut at its end) and framed as text. */
  function scanLargeChunk(bytes: Uint8Array): void {
    if (byteCarryLength > 0) {
      // The carried bytes end where this chunk's leading continuation bytes (if any) end — once a
      // byte that is not one follows (or three did): until then, the character may not be whole.
      let continuation = 0;
      while (continuation < 3 && ((bytes[continuation] as number) & 0xc0) === 0x80) continuation += 1;
      if (continuation === bytes.length && continuation < 3) {
        scanSmallChunk(bytes);
        return;
      }
      const length = byteCarryLength + continuation;
      byteCarry = ensureCapacity(byteCarry, byteCarryLength, length);
      for (let index = 0; index < continuation; index += 1)
        byteCarry[byteCarryLength + index] = bytes[index] as number;
      byteCarryLength = 0;
      textCarry += decoder.decode(byteCarry.subarray(0, length));
      bytes = bytes.subarray(continuation);
    }
    const complete = completeUtf8Length(bytes);
    if (complete < bytes.length) {
      byteCarry.set(bytes.subarray(complete));
      byteCarryLength = bytes.length - complete;
    }
    scanText(decoder.decode(complete === bytes.length ? bytes : bytes.subarray(0, complete)));
    // A CR that ended the text is not the last byte when a cut character follows it.
    if (byteCarryLength > 0) afterCarriageReturn = false;
  }

  /** Frames decoded text; its unfinished last line is kept in `textCarry`. */
  function scanText(text: string): void {
    let position = 0;
    if (afterCarriageReturn && text.length > 0) {
      afterCarriageReturn = false;
      if (text.charCodeAt(0) === LF) position = 1;
    }
    let carriageReturn = text.indexOf('\r', position);
    let lineFeed = text.indexOf('\n', position);
    for (;;) {
      // The shortcut reads all the events it handles in a row: the line after them is framed here.
      const shortcutEnd = tryShortcut(text, position);
      if (shortcutEnd >= 0) position = shortcutEnd;
      if (lineFeed !== -1 && lineFeed < position) lineFeed = text.indexOf('\n', position);
      if (carriageReturn !== -1 && carriageReturn < position) carriageReturn = text.indexOf('\r', position);
      const end =
        carriageReturn === -1 || (lineFeed !== -1 && lineFeed < carriageReturn) ? lineFeed : carriageReturn;
      if (end === -1) break;
      if (textCarry !== '') {
        const line = textCarry + text.slice(position, end);
        textCarry = '';
        processTextLine(line, 0, line.length);
      } else {
        processTextLine(text, position, end);
      }
      position = end + 1;
      if (end === carriageReturn) {
        if (position === text.length) afterCarriageReturn = true;
        else if (text.charCodeAt(position) === LF) position += 1;
      }
    }
    if (position < text.length) textCarry += position === 0 ? text : text.slice(position);
  }

  /**
   * Tries the caller's event shortcut at `position` (a line start); returns where the events it read
   * end, or -1. Only when no event is being assembled: each match is then a whole event on its own.
   */
  function tryShortcut(text: string, position: number): number {
    const shortcut = callbacks.eventShortcut;
    if (shortcut === undefined || dataLines > 0 || textCarry !== '') return -1;
    const first = text.charCodeAt(position);
    if (first !== LOWERCASE_D && first !== LOWERCASE_E) return -1;
    const end = shortcut.readEvents(text, position);
    // Dispatching ends the event: a name set by an earlier `event:` line is forgotten too.
    if (end >= 0) setEventName(undefined);
    return end;
  }

  /** A small chunk: scanned for line ends while its bytes are appended to `byteCarry`. */
  function scanSmallChunk(bytes: Uint8Array): void {
    const count = bytes.length;
    let position = 0;
    if (afterCarriageReturn) {
      afterCarriageReturn = false;
      if (bytes[0] === LF) position = 1;
    }
    let carriageReturn = bytes.indexOf(CR, position);
    while (position < count) {
      const lineFeed = bytes.indexOf(LF, position);
      if (carriageReturn !== -1 && carriageReturn < position) carriageReturn = bytes.indexOf(CR, position);
      const end =
        carriageReturn === -1 || (lineFeed !== -1 && lineFeed < carriageReturn) ? lineFeed : carriageReturn;
      appendToByteCarry(bytes, position, end === -1 ? count : end);
      if (end === -1) return;
      completeCarriedLine();
      position = end + 1;
      if (end === carriageReturn) {
        if (position === count) afterCarriageReturn = true;
        else if (bytes[position] === LF) position += 1;
      }
    }
  }

  function appendToByteCarry(bytes: Uint8Array, start: number, end: number): void {
    const length = end - start;
    byteCarry = ensureCapacity(byteCarry, byteCarryLength, byteCarryLength + length);
    if (length < 32) {
      // Shorter than the cost of a subarray view: copy by hand.
      for (let index = 0; index < length; index += 1)
        byteCarry[byteCarryLength + index] = bytes[start + index] as number;
    } else {
      byteCarry.set(
        start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end),
        byteCarryLength,
      );
    }
    byteCarryLength += length;
  }

  /** Processes the carried line (it just ended) and empties the carry. */
  function completeCarriedLine(): void {
    const length = byteCarryLength;
    byteCarryLength = 0;
    if (textCarry === '') {
      processByteLine(byteCarry, length);
      return;
    }
    const line = length > 0 ? textCarry + decoder.decode(byteCarry.subarray(0, length)) : textCarry;
    textCarry = '';
    processTextLine(line, 0, line.length);
  }

  /** One line of text, `text[start, end)` without its line end. */
  function processTextLine(text: string, start: number, end: number): void {
    if (start === end) {
      dispatch();
      return;
    }
    const first = text.charCodeAt(start);
    if (first === LOWERCASE_D && end - start > 4 && text.startsWith('data:', start)) {
      const valueStart = text.charCodeAt(start + 5) === SPACE && start + 5 < end ? start + 6 : start + 5;
      addData(text.slice(valueStart, end));
    } else if (first === LOWERCASE_E && end - start > 5 && text.startsWith('event:', start)) {
      const valueStart = text.charCodeAt(start + 6) === SPACE && start + 6 < end ? start + 7 : start + 6;
      setEventName(valueStart < end ? text.slice(valueStart, end) : undefined);
    } else if (end - start === 4 && text.startsWith('data', start)) {
      addData('');
    } else if (end - start === 5 && text.startsWith('event', start)) {
      setEventName(undefined);
    }
    // Anything else is a comment (`:`), `id`, `retry` or an unknown field: ignored.
  }

  /** One line of bytes, `bytes[0, end)`: the field is read from the bytes, only a data value is decoded. */
  function processByteLine(bytes: Uint8Array, end: number): void {
    if (end === 0) {
      dispatch();
      return;
    }
    const first = bytes[0];
    if (first === LOWERCASE_D && startsWithField(bytes, 0, end, DATA)) {
      const valueStart = bytes[5] === SPACE && end > 5 ? 6 : 5;
      addData(valueStart < end ? decoder.decode(bytes.subarray(valueStart, end)) : '');
    } else if (first === LOWERCASE_E && startsWithField(bytes, 0, end, EVENT)) {
      const valueStart = bytes[6] === SPACE && end > 6 ? 7 : 6;
      if (valueStart === end) {
        setEventName(undefined);
      } else {
        // Keep the name undecoded (it is rarely read): the carry becomes the name buffer and the
        // old name buffer the carry, so nothing is copied.
        byteCarry = nameBytes;
        nameBytes = bytes;
        if (valueStart > 0) bytes.copyWithin(0, valueStart, end);
        nameLength = end - valueStart;
      }
    } else if (isBareField(bytes, 0, end, DATA)) {
      addData('');
    } else if (isBareField(bytes, 0, end, EVENT)) {
      setEventName(undefined);
    }
  }

  function addData(value: string): void {
    data = dataLines === 0 ? value : `${data}\n${value}`;
    dataLines += 1;
  }

  function setEventName(name: string | undefined): void {
    eventName = name;
    nameLength = -1;
  }

  function dispatch(): void {
    if (dataLines > 0) callbacks.onData(data, readEventName);
    dataLines = 0;
    data = '';
    setEventName(undefined);
  }

  /** Fails once the unfinished line and the unfinished event's data exceed the cap. */
  function checkBufferLimit(): void {
    if (textCarry.length + byteCarryLength + data.length <= limit) return;
    failed = true;
    textCarry = '';
    byteCarryLength = 0;
    dataLines = 0;
    data = '';
    callbacks.onBufferLimitExceeded(limit);
  }
  return {
    feed,
    end: endInput,
    get failed() {
      return failed;
    },
  };
}

/** The `feed`/`end` pair of a framer-based decoder. @internal */
export interface CollectingSseStream<Item> {
  /** Feeds the next piece of the stream; returns the items the framer's callbacks produced meanwhile. */
  feed(input: string | Uint8Array): Item[];
  /** Ends the stream (flushes the framer, then runs `onEnd`); returns the items produced meanwhile. */
  end(): Item[];
}

/**
 * Wraps a framer whose callbacks push into `pending.items` into the public `feed`/`end` shape:
 * every call hands over what was pushed during it (a fresh array takes its place). `onEnd` runs
 * after the framer flushed, before the hand-over. Shared by `createSseEventDecoder` and
 * `createResponsesSseParser`.
 * @internal
 */
export function collectSseStream<Item>(
  framer: SseFramer,
  pending: PendingItems<Item>,
  onEnd?: () => void,
): CollectingSseStream<Item> {
  return {
    feed(input) {
      framer.feed(input);
      return takePendingItems(pending);
    },
    end() {
      framer.end();
      onEnd?.();
      return takePendingItems(pending);
    },
  };
}
