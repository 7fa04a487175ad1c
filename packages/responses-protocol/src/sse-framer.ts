import { type BinarySlice, binaryPiecesToText, binaryToText, completeUtf8Length } from './binary-text.js';
import { type PendingItems, takePendingItems } from './pending-items.js';

/** Default cap on buffered, not yet complete SSE data: 16 MiB. */
export const DEFAULT_MAX_BUFFER_BYTES = 16 * 1024 * 1024;

/** Reads the `event:` name of the event being dispatched (decoded only when asked for). */
export type EventNameReader = () => string | undefined;

/**
 * Reads some whole SSE events straight from framed text, faster than line-by-line framing plus
 * `onData` would (see `DeltaEventReader`). The framer offers it each line start when no event is
 * being assembled (with byte input, the text it offers ends at an event end).
 */
export interface SseEventShortcut {
  /**
   * Reads the events starting at `position` — each one's lines and the blank line after them — as
   * long as they are ones the shortcut handles, exactly as line-by-line framing would have
   * dispatched them; returns where the last one read ends, or -1 when it read none (then the
   * framer frames those lines itself). With `binary`, `text` is binary text (see `binary-text.ts`):
   * what the shortcut hands on must be decoded from it.
   */
  readEvents(text: string, position: number, binary: boolean): number;
  /**
   * Set by each `readEvents` call: `true` when it knows the text holds no event end from where it
   * stopped (the position it returned, or the one it was given when it read none) — it began reading
   * an event the text ends inside of. The framer then waits for more input without searching the
   * rest of the text for an event end itself. `false` (or absent) says nothing.
   */
  readonly stoppedInUnfinishedEvent?: boolean;
}

/** Callbacks of the internal SSE framer. */
export interface SseFramerCallbacks {
  /**
   * One complete SSE event's data (multi-line data joined with `\n`, decoded as UTF-8) and a reader
   * of its `event:` name (`undefined` when absent or empty), valid during the call only.
   */
  onData(data: string, readEventName: EventNameReader): void;
  /**
   * One complete event's data given in pieces (their concatenation is the data) because it is
   * large (see `largeEventMinChars`), so the caller can read it without joining it into one flat
   * string. When absent, the pieces are joined and given to `onData`.
   */
  onDataPieces?(pieces: readonly string[], readEventName: EventNameReader): void;
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
}

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const COLON = 0x3a;
const LOWERCASE_D = 0x64;
const LOWERCASE_E = 0x65;
const BYTE_ORDER_MARK = new Uint8Array([0xef, 0xbb, 0xbf]);

/**
 * Byte chunks at least this long are decoded whole and searched for event ends as text (native
 * string search); shorter ones are copied and scanned in JavaScript, four bytes at a time (a
 * `TextDecoder` or native search call costs more than that on a few bytes).
 */
export const NATIVE_SEARCH_MIN_BYTES = 256;

/**
 * An event whose text waiting for its end grows past this many characters is kept as the pieces it
 * arrived in, framed without joining them, and its data handed over in pieces
 * (`SseFramerCallbacks.onDataPieces`). Joining would copy a megabyte event into one flat string —
 * and strings that large cost far more per byte than small ones where fresh memory is slow.
 */
export const LARGE_EVENT_MIN_CHARS = 64 * 1024;

/** Small chunks waiting for an event end are decoded once this many bytes wait (so large events arrive in pieces). */
const PENDING_DECODE_BYTES = 16 * 1024;

/**
 * `first` and `second` joined into one flat string. Not `first + second`: that makes a cons string
 * (a pair pointing at both), and the text waiting joined to the next chunk's is read at once — as a
 * cons string, flattened by the first pattern run on it, its characters read through the runtime
 * until then, and its map one more that the readers' property loads (`length`, `charCodeAt`) see:
 * with cons strings next to sequential and sliced ones, one- and two-byte, those loads went
 * megamorphic (measured: 4 % of the parser's time at 1 KiB chunks).
 */
function joinText(first: string, second: string): string {
  return [first, second].join('');
}

/** Where the last line of `text[0, end)` ends (after its CR or LF), or 0. */
function lastLineEnd(text: string, end: number): number {
  return Math.max(text.lastIndexOf('\n', end - 1), text.lastIndexOf('\r', end - 1)) + 1;
}

/**
 * SSE framing as the WHATWG EventSource parser frames a stream: lines end at CR, LF or CRLF (also
 * when the CR and the LF arrive in different chunks); a leading byte-order mark is dropped; `data:`
 * lines append to the event's data (joined with `\n`); `event:` sets its name; a blank line
 * dispatches the event if it had a `data` line; comments (`:`), `id`, `retry` and unknown fields
 * are ignored; one space after the colon is dropped. Bytes are decoded as UTF-8 (invalid sequences
 * become U+FFFD; a character split across chunks is kept whole).
 *
 * Input is framed in runs of whole events: an event is only dispatched at the blank line that ends
 * it, so its lines need not be framed as they arrive. What came after the last event end (LF LF,
 * also across chunks) waits, unframed, until the next event end arrives; then everything up to the
 * last event end is framed in one pass — whole events, which the caller's shortcut reads in one
 * step (`SseEventShortcut`). Where that last event end is, is found while framing, not searched for
 * first: the shortcut says when it stopped in an event the text ends inside of, and only an event it
 * does not read is searched for its end. A small byte chunk is only copied and scanned (four bytes at a time)
 * until the bytes hold an event end; then the bytes waiting are made text in one call (decoded, or copied as
 * binary text: see below). A large chunk is made text whole (when decoded, but for a character cut at its end)
 * and searched as text, natively. Cuts are
 * right after an LF, an ASCII byte, so they never split a UTF-8 character. Once a CR shows up
 * (servers that end lines with CRLF or CR), every line end is a cut instead of every event end:
 * the text framing handles CR, CRLF and a CRLF split across cuts exactly.
 *
 * Why not eventsource-parser, the house default for SSE framing, which this replaced: it takes
 * text, so every network chunk had to go through `TextDecoder.decode` first — one native call per
 * chunk, which dominated at small chunk sizes — and it frames each line as it arrives, so the events
 * cut by chunk ends cost a line-by-line pass. Property tests check that this framer reports
 * exactly what eventsource-parser reports, for arbitrary input cut anywhere, and never later (each
 * event in the `feed` call that completes it).
 *
 * Never throws. `maxBufferBytes` caps the unfinished line plus the unfinished event's data (counted
 * in UTF-16 code units of decoded text and bytes of text not decoded yet; each at most its UTF-8
 * size). The waiting input is counted in full first (it holds at least that line and that data);
 * only when that is over the cap are its whole lines framed, to count exactly.
 * An event still waiting for its end once its text is `largeEventMinChars` long (no CR seen) is
 * kept in pieces and framed line by line across them when it ends; a `data` line that spans pieces
 * is handed over in pieces (see `SseFramerCallbacks.onDataPieces`).
 * `nativeSearchMinBytes` and `largeEventMinChars` (tests only) move the line between small and
 * large chunks, and between events joined and kept in pieces.
 *
 * Given `sliceBinary` (`binarySlice`: a native bytes → one-byte string copy, Node's and Bun's
 * `latin1Slice`), byte input is framed as binary text instead of decoded text (see
 * `binary-text.ts`): everything the framing reads is ASCII, so it frames binary text exactly as the
 * decoded text; data, event names and what the shortcut reads are decoded from it as they are handed
 * on, and the cap counts bytes. Text input (or text after bytes) is framed as decoded text: what
 * waits is decoded first. That pays where a shortcut reads most events from the text itself (the
 * parser); where every event's data is decoded anyway (the event decoder), decoding whole chunks is
 * cheaper (decoding each event's data instead measured 25 % slower there).
 */
// One closure rather than a class: minifiers rename its state and helpers, which keeps the browser
// bundle small (the class's property names cost ~0.3 kB gzip); that is also why it is longer than
// 150 lines — the helpers below are each short.
export function createSseFramer(
  callbacks: SseFramerCallbacks,
  maxBufferBytes = DEFAULT_MAX_BUFFER_BYTES,
  nativeSearchMinBytes = NATIVE_SEARCH_MIN_BYTES,
  largeEventMinChars = LARGE_EVENT_MIN_CHARS,
  sliceBinary: BinarySlice | undefined = undefined,
): SseFramer {
  const limit =
    Number.isFinite(maxBufferBytes) && maxBufferBytes > 0
      ? Math.floor(maxBufferBytes)
      : DEFAULT_MAX_BUFFER_BYTES;
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  /** Input is framed as binary text (see above); `false` once text came in, or without `sliceBinary`. */
  let binary = sliceBinary !== undefined;
  let failed = false;
  let ended = false;
  /** Bytes of the byte-order mark matched at the start of the stream; -1 once past the start. */
  let byteOrderMarkMatched = 0;
  /** A CR was seen: from then on every line end (not only an event end) is a cut. */
  let carriageReturnSeen = false;
  /** The last text framed ended with a CR: an LF right after it ends nothing. */
  let afterCarriageReturn = false;
  /** Decoded input not framed yet; it starts at a line start. */
  let textCarry = '';
  /**
   * Input not framed yet when it is long (see `largeEventMinChars`): its pieces, in order — text
   * decoded, or bytes (copies, each whole UTF-8 characters) kept undecoded until the event ends, so
   * the garbage collector does not copy their text while they wait; `textCarry` is then empty. It
   * starts at a line start and holds no event end. Its length counts characters and bytes.
   */
  let largeCarry: (string | Uint8Array)[] = [];
  let largeCarryLength = 0;
  /** Bytes not decoded yet, `pending[0, pendingLength)`, after `textCarry`. */
  let pending: Uint8Array = new Uint8Array(1024);
  let pendingLength = 0;
  /** `pending` read four bytes at a time (see `findCut`). */
  let pendingWords = new Int32Array(pending.buffer);
  /** What `findCut` found: after the last line end, after the last event end (0: none). */
  let lineEnd = 0;
  let eventEnd = 0;
  /** The event being assembled: how many `data` lines, their values joined, its name. */
  let dataLines = 0;
  let data = '';
  /** The event's data instead of `data` once a line of it came in pieces (its concatenation). */
  let dataPieces: string[] | undefined;
  let eventName: string | undefined;
  /** Framed text as it is handed on: decoded when it is binary text. */
  const handedOnText = (text: string): string => (binary ? binaryToText(text) : text);
  const readEventName: EventNameReader = () =>
    eventName === undefined ? undefined : handedOnText(eventName);
  /** What the shortcut said in the last `tryShortcut` (see `SseEventShortcut.stoppedInUnfinishedEvent`). */
  let shortcutStoppedInUnfinishedEvent = false;

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
    if (byteOrderMarkMatched > 0) appendPending(BYTE_ORDER_MARK, 0, byteOrderMarkMatched);
    decodePending(pendingLength);
    collapseLargeCarry();
    const text = textCarry;
    textCarry = '';
    scanText(text, 0, text.length);
    if (textCarry !== '') {
      const line = textCarry;
      textCarry = '';
      processTextLine(line, 0, line.length);
    }
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
    if (earlier > 0) appendPending(BYTE_ORDER_MARK, 0, earlier);
    acceptBytes(bytes);
  }

  /** Text input: framed like decoded bytes (a leading U+FEFF is dropped at the start of the stream). */
  function acceptText(text: string): void {
    if (binary) frameDecodedText();
    if (byteOrderMarkMatched >= 0) {
      if (byteOrderMarkMatched > 0) appendPending(BYTE_ORDER_MARK, 0, byteOrderMarkMatched);
      byteOrderMarkMatched = -1;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    // Bytes before text (an odd mix): they end where the text starts.
    decodePending(pendingLength);
    acceptDecoded(text);
  }

  function acceptBytes(bytes: Uint8Array): void {
    if (bytes.length < nativeSearchMinBytes) acceptSmallChunk(bytes);
    else acceptLargeChunk(bytes);
  }

  /**
   * A small chunk: its bytes are appended to `pending`; when they hold an event end (a line end,
   * once a CR was seen), all the input waiting up to the last one is decoded and framed.
   */
  function acceptSmallChunk(bytes: Uint8Array): void {
    const start = pendingLength;
    appendPending(bytes, 0, bytes.length);
    const cut = findCut(start);
    if (cut === 0) {
      // A long event: its bytes wait in pieces (see `appendWaiting`), undecoded once it is large.
      if (pendingLength >= PENDING_DECODE_BYTES && !carriageReturnSeen) {
        const complete = completeUtf8Length(pending, pendingLength);
        if (largeCarry.length === 0) {
          decodePending(complete);
        } else {
          largeCarry.push(pending.slice(0, complete));
          largeCarryLength += complete;
          pending.copyWithin(0, complete, pendingLength);
          pendingLength -= complete;
        }
      }
      return;
    }
    const text = textOfBytes(pending, 0, cut);
    pending.copyWithin(0, cut, pendingLength);
    pendingLength -= cut;
    if (largeCarry.length > 0) {
      if (!carriageReturnSeen) {
        // The text ends at an event end: the first one ends the large event.
        const afterLargeEvent = endLargeEvent(text);
        if (afterLargeEvent !== -1) scanText(text, afterLargeEvent, text.length);
        return;
      }
      collapseLargeCarry();
    }
    if (textCarry === '') {
      scanText(text, 0, text.length);
    } else {
      const waiting = joinText(textCarry, text);
      textCarry = '';
      scanText(waiting, 0, waiting.length);
    }
  }

  /**
   * Where to cut the pending bytes once `pending[start, pendingLength)` was appended: after the
   * last event end (or line end, once a CR was seen) among them, 0 when there is none. The bytes
   * are looked at four at a time (a native search call costs more on a few bytes); only a word
   * with a byte below 14 (LF is 10, CR 13) is looked at byte by byte.
   */
  function findCut(start: number): number {
    eventEnd = 0;
    lineEnd = 0;
    const end = pendingLength;
    const firstWord = (start + 3) >> 2;
    const lastWord = end >> 2;
    if (firstWord >= lastWord) {
      findLineEnds(start, end);
    } else {
      findLineEnds(start, firstWord << 2);
      const words = pendingWords;
      for (let word = firstWord; word < lastWord; word += 1) {
        const value = words[word] as number;
        // "hasless(value, 14)" of Bit Twiddling Hacks: set when some byte is below 14.
        if ((((value - 0x0e0e0e0e) | 0) & ~value & 0x80808080) !== 0)
          findLineEnds(word << 2, (word << 2) + 4);
      }
      findLineEnds(lastWord << 2, end);
    }
    return carriageReturnSeen ? lineEnd : eventEnd;
  }

  /** Records the line and event ends of `pending[from, to)` in `lineEnd` and `eventEnd`. */
  function findLineEnds(from: number, to: number): void {
    for (let index = from; index < to; index += 1) {
      const byte = pending[index] as number;
      if (byte === LF) {
        lineEnd = index + 1;
        // An LF after an LF, or at a line start (all the input before it was framed), ends an event.
        const before = index > 0 ? pending[index - 1] : lastWaitingCharCode();
        if (before === LF) eventEnd = lineEnd;
      } else if (byte === CR) {
        carriageReturnSeen = true;
        lineEnd = index + 1;
      }
    }
  }

  /** A large chunk: made text whole (decoded but for a character cut at its end, or binary) and framed. */
  function acceptLargeChunk(bytes: Uint8Array): void {
    if (largeCarry.length > 0 && !carriageReturnSeen && bytes.indexOf(CR) === -1) {
      acceptBytesOfLargeEvent(bytes);
      return;
    }
    if (binary) {
      // Binary text needs no whole characters: the bytes waiting and the chunk are sliced as they are.
      decodePending(pendingLength);
      acceptDecoded(textOfBytes(bytes, 0, bytes.length));
      return;
    }
    if (pendingLength > 0) {
      // The pending bytes end where this chunk's leading continuation bytes (if any) end — once a
      // byte that is not one follows (or three did): until then, the character may not be whole.
      let continuation = 0;
      while (continuation < 3 && ((bytes[continuation] as number) & 0xc0) === 0x80) continuation += 1;
      if (continuation === bytes.length && continuation < 3) {
        acceptSmallChunk(bytes);
        return;
      }
      appendPending(bytes, 0, continuation);
      decodePending(pendingLength);
      bytes = bytes.subarray(continuation);
    }
    const complete = completeUtf8Length(bytes, bytes.length);
    const text = decoder.decode(complete === bytes.length ? bytes : bytes.subarray(0, complete));
    if (complete < bytes.length) appendPending(bytes, complete, bytes.length);
    acceptDecoded(text);
  }

  /**
   * A large chunk while a large event waits (no CR): its bytes up to that event's end (the first LF
   * after an LF) are kept undecoded; at the end, the event is framed and the rest goes on as usual.
   */
  function acceptBytesOfLargeEvent(bytes: Uint8Array): void {
    let end = -1;
    for (let lineFeed = bytes.indexOf(LF); lineFeed !== -1; lineFeed = bytes.indexOf(LF, lineFeed + 1)) {
      const before =
        lineFeed > 0
          ? bytes[lineFeed - 1]
          : pendingLength > 0
            ? pending[pendingLength - 1]
            : lastWaitingCharCode();
      if (before === LF) {
        end = lineFeed + 1;
        break;
      }
    }
    if (end === -1) {
      keepLargeEventBytes(bytes, true);
      return;
    }
    // Framed at once: the bytes need no copy.
    keepLargeEventBytes(bytes.subarray(0, end), false);
    frameLargeCarry();
    if (end < bytes.length) acceptBytes(bytes.subarray(end));
  }

  /** Adds `bytes` (after the pending ones) to the large event waiting: whole characters; a cut one waits in `pending`. */
  function keepLargeEventBytes(bytes: Uint8Array, copy: boolean): void {
    let kept: Uint8Array;
    if (pendingLength > 0) {
      kept = new Uint8Array(pendingLength + bytes.length);
      kept.set(pending.subarray(0, pendingLength));
      kept.set(bytes, pendingLength);
      pendingLength = 0;
    } else {
      kept = copy ? bytes.slice() : bytes;
    }
    const complete = completeUtf8Length(kept, kept.length);
    if (complete < kept.length) {
      appendPending(kept, complete, kept.length);
      kept = kept.subarray(0, complete);
    }
    if (kept.length > 0) {
      largeCarry.push(kept);
      largeCarryLength += kept.length;
    }
  }

  /** A piece of the large event waiting, as text. */
  function textOfPiece(piece: string | Uint8Array): string {
    return typeof piece === 'string' ? piece : textOfBytes(piece, 0, piece.length);
  }

  /** `bytes[start, end)` as text to frame: binary text, or decoded (`end` at a character boundary). */
  function textOfBytes(bytes: Uint8Array, start: number, end: number): string {
    if (binary) return (sliceBinary as BinarySlice)(bytes, start, end);
    return decoder.decode(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end));
  }

  /**
   * Text input after bytes framed as binary text: from now on the framer frames decoded text, and
   * what waits (bytes included: they end where the text starts) is decoded now.
   */
  function frameDecodedText(): void {
    decodePending(pendingLength);
    collapseLargeCarry();
    binary = false;
    textCarry = binaryToText(textCarry);
    // (No data waits in pieces between feeds: an event in pieces is framed once it ended.)
    data = binaryToText(data);
    if (eventName !== undefined) eventName = binaryToText(eventName);
  }

  function appendPending(bytes: Uint8Array, start: number, end: number): void {
    const length = end - start;
    if (pendingLength + length > pending.length) {
      // Grown by doubling (appends stay linear), to a whole number of words.
      const grown = new Uint8Array((Math.max(pendingLength + length, pending.length * 2) + 3) & ~3);
      grown.set(pending.subarray(0, pendingLength));
      pending = grown;
      pendingWords = new Int32Array(grown.buffer);
    }
    if (length < 32) {
      // Shorter than the cost of a subarray view: copy by hand.
      for (let index = 0; index < length; index += 1)
        pending[pendingLength + index] = bytes[start + index] as number;
    } else {
      pending.set(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end), pendingLength);
    }
    pendingLength += length;
  }

  /** Makes `pending[0, end)` text onto `textCarry` (`end` at a character boundary, or all of it). */
  function decodePending(end: number): void {
    if (end === 0) return;
    appendWaiting(textOfBytes(pending, 0, end));
    pending.copyWithin(0, end, pendingLength);
    pendingLength -= end;
  }

  /**
   * Decoded input after `textCarry`: frames the text waiting up to the last event end (line end,
   * once a CR was seen) and keeps the rest in `textCarry`.
   */
  function acceptDecoded(text: string): void {
    if (!carriageReturnSeen && text.indexOf('\r') !== -1) carriageReturnSeen = true;
    if (carriageReturnSeen) {
      collapseLargeCarry();
      acceptDecodedLines(text);
      return;
    }
    let position = 0;
    if (largeCarry.length > 0) {
      position = endLargeEvent(text);
      if (position === -1) return;
    } else if (textCarry !== '') {
      // The text waiting ends inside an event: it and the new text up to that event's end are
      // framed together.
      const firstCut = firstEventEnd(text);
      if (firstCut === -1) {
        appendWaiting(text);
        return;
      }
      const waiting = joinText(textCarry, text.slice(0, firstCut));
      textCarry = '';
      scanText(waiting, 0, waiting.length);
      position = firstCut;
    }
    // The whole events after it; where the last one ends is found while framing (see `scanText`).
    scanText(text, position, text.length, true);
  }

  /**
   * Where the first event end in `text` is, the text waiting before it ending inside an event (no
   * CR seen): after its first blank line, or after its first LF when the text waiting ends with one;
   * -1 when there is none.
   */
  function firstEventEnd(text: string): number {
    if (text.charCodeAt(0) === LF && lastWaitingCharCode() === LF) return 1;
    const first = text.indexOf('\n\n');
    return first === -1 ? -1 : first + 2;
  }

  /** The last character of the text waiting (decoded, not framed), LF when none waits. */
  function lastWaitingCharCode(): number {
    if (largeCarry.length > 0) {
      const last = largeCarry[largeCarry.length - 1] as string | Uint8Array;
      return typeof last === 'string' ? last.charCodeAt(last.length - 1) : (last[last.length - 1] as number);
    }
    return textCarry === '' ? LF : textCarry.charCodeAt(textCarry.length - 1);
  }

  /** Decoded text after the text waiting, which it does not end: kept in pieces once it is long. */
  function appendWaiting(text: string): void {
    if (text === '') return;
    if (largeCarry.length > 0) {
      largeCarry.push(text);
      largeCarryLength += text.length;
    } else if (!carriageReturnSeen && textCarry.length + text.length >= largeEventMinChars) {
      largeCarry = textCarry === '' ? [text] : [textCarry, text];
      largeCarryLength = textCarry.length + text.length;
      textCarry = '';
    } else {
      textCarry += text;
    }
  }

  /** The text waiting in pieces joined into `textCarry` (for the paths that frame CR line ends or cap the buffer). */
  function collapseLargeCarry(): void {
    if (largeCarry.length === 0) return;
    textCarry = largeCarry.map(textOfPiece).join('');
    largeCarry = [];
    largeCarryLength = 0;
  }

  /**
   * The large event waiting ends in `text` (no CR seen): frames it with the text up to its end;
   * returns where that end is in `text`, or -1 when `text` does not end it (then `text` waits too).
   */
  function endLargeEvent(text: string): number {
    const firstCut = firstEventEnd(text);
    if (firstCut === -1) {
      appendWaiting(text);
      return -1;
    }
    largeCarry.push(text.slice(0, firstCut));
    frameLargeCarry();
    return firstCut;
  }

  /** Frames the large event waiting, which its last piece ends (see `frameLinesInPieces`). */
  function frameLargeCarry(): void {
    const pieces = largeCarry.map(textOfPiece);
    largeCarry = [];
    largeCarryLength = 0;
    frameLinesInPieces(pieces);
  }

  /**
   * Frames the lines of `pieces` (they start at a line start and end at an event end) without
   * joining them: a line within one piece is framed as usual; a line across pieces is handed on in
   * pieces when it is a `data` line, joined otherwise.
   */
  function frameLinesInPieces(pieces: readonly string[]): void {
    let lineParts: string[] = [];
    for (const piece of pieces) {
      let position = 0;
      for (;;) {
        const lineFeed = piece.indexOf('\n', position);
        if (lineFeed === -1) {
          if (position < piece.length) lineParts.push(position === 0 ? piece : piece.slice(position));
          break;
        }
        if (lineParts.length === 0) {
          if (dataPieces === undefined) processTextLine(piece, position, lineFeed);
          else processLineInPieces([piece.slice(position, lineFeed)]);
        } else {
          if (lineFeed > position) lineParts.push(piece.slice(position, lineFeed));
          processLineInPieces(lineParts);
          lineParts = [];
        }
        position = lineFeed + 1;
      }
    }
    // The pieces end at an event end, so no line is left; were one left, it would wait as text.
    if (lineParts.length > 0) textCarry = lineParts.join('');
  }

  /**
   * A line given in pieces, or any line once the event's data is in pieces: a `data` line's value
   * goes to the data in pieces; a blank line dispatches the event (see `dispatchPieces`).
   */
  function processLineInPieces(parts: string[]): void {
    let length = 0;
    for (const part of parts) length += part.length;
    if (length === 0) {
      dispatchPieces();
      return;
    }
    const head = leadingText(parts, 6);
    if (!head.startsWith('data') || (length > 4 && head.charCodeAt(4) !== COLON)) {
      const line = parts.join('');
      processTextLine(line, 0, line.length);
      return;
    }
    // `data`, `data:` and one space after the colon (as `processTextLine` reads them).
    let skip = head.charCodeAt(5) === SPACE ? 6 : 5;
    const value: string[] = [];
    for (const part of parts) {
      if (skip >= part.length) {
        skip -= part.length;
      } else {
        value.push(skip === 0 ? part : part.slice(skip));
        skip = 0;
      }
    }
    if (dataPieces === undefined) dataPieces = dataLines === 0 ? value : [data, '\n', ...value];
    else dataPieces.push('\n', ...value);
    dataLines += 1;
  }

  /** `dispatch` for an event whose data is in pieces. */
  function dispatchPieces(): void {
    const pieces = dataPieces;
    dataPieces = undefined;
    if (pieces === undefined) {
      dispatch();
      return;
    }
    if (callbacks.onDataPieces !== undefined) {
      // Binary text is decoded in pieces cut where no character is (see `binaryPiecesToText`).
      callbacks.onDataPieces(binary ? binaryPiecesToText(pieces) : pieces, readEventName);
    } else {
      callbacks.onData(handedOnText(pieces.join('')), readEventName);
    }
    dataLines = 0;
    data = '';
    eventName = undefined;
  }

  /** The first `length` characters of `parts` joined (fewer when they are shorter). */
  function leadingText(parts: readonly string[], length: number): string {
    let text = '';
    for (const part of parts) {
      if (text.length >= length) break;
      text += part.slice(0, length - text.length);
    }
    return text;
  }

  /**
   * `acceptDecoded` once a CR was seen: every line end is a cut; the text waiting and the new text
   * up to its first line end are framed together, then the new text up to its last line end.
   */
  function acceptDecodedLines(text: string): void {
    const lineFeed = text.indexOf('\n');
    const carriageReturn = text.indexOf('\r');
    const firstCut =
      (carriageReturn === -1 || (lineFeed !== -1 && lineFeed < carriageReturn) ? lineFeed : carriageReturn) +
      1;
    const cut =
      Math.max(
        lineFeed === -1 ? -1 : text.lastIndexOf('\n'),
        carriageReturn === -1 ? -1 : text.lastIndexOf('\r'),
      ) + 1;
    if (cut === 0) {
      textCarry += text;
      return;
    }
    let position = 0;
    if (textCarry !== '') {
      const waiting = joinText(textCarry, text.slice(0, firstCut));
      textCarry = '';
      scanText(waiting, 0, waiting.length);
      position = firstCut;
    }
    scanText(text, position, cut);
    if (cut < text.length) textCarry = text.slice(cut);
  }

  /**
   * Frames `text[start, end)`; its unfinished last line is kept in `textCarry`. With `wholeEventsOnly`
   * (no CR seen, `start` at an event start, `end` the end of the text), it frames the whole events
   * there and keeps the rest, from the start of the event the text ends inside of, in `textCarry`
   * unframed: at each event start it asks the shortcut, and only when the shortcut cannot tell
   * whether the event ends in the text does it search for that event's end. (Searching for the
   * last event end up front, `lastIndexOf`, costs a slow native call per network chunk.)
   */
  function scanText(text: string, start: number, end: number, wholeEventsOnly = false): void {
    let position = start;
    if (afterCarriageReturn && position < end) {
      afterCarriageReturn = false;
      if (text.charCodeAt(position) === LF) position += 1;
    }
    // The next CR and LF at or after `position` (-1: none), searched only when a line is to be
    // framed (the shortcut often reads all there is): -2 until then.
    let carriageReturn = carriageReturnSeen ? -2 : -1;
    let lineFeed = -2;
    /** With `wholeEventsOnly`: where the event being framed line by line ends (its blank line's end). */
    let eventEnd = position;
    for (;;) {
      // The shortcut reads all the events it handles in a row: the line after them is framed here.
      if (position < end) {
        const shortcutEnd = tryShortcut(text, position);
        if (shortcutEnd >= 0) position = shortcutEnd;
      }
      if (wholeEventsOnly && position >= eventEnd) {
        // At an event start: frame that event only if it ends in the text.
        if (position >= end || shortcutStoppedInUnfinishedEvent) break;
        if (text.charCodeAt(position) === LF) {
          eventEnd = position + 1;
        } else {
          const blankLine = text.indexOf('\n\n', position);
          if (blankLine === -1) break;
          eventEnd = blankLine + 2;
        }
      }
      if (position >= end) break;
      if (lineFeed !== -1 && lineFeed < position) lineFeed = text.indexOf('\n', position);
      if (carriageReturn !== -1 && carriageReturn < position) carriageReturn = text.indexOf('\r', position);
      const lineEnd =
        carriageReturn === -1 || (lineFeed !== -1 && lineFeed < carriageReturn) ? lineFeed : carriageReturn;
      if (lineEnd === -1 || lineEnd >= end) break;
      if (textCarry !== '') {
        const line = joinText(textCarry, text.slice(position, lineEnd));
        textCarry = '';
        processTextLine(line, 0, line.length);
      } else {
        processTextLine(text, position, lineEnd);
      }
      position = lineEnd + 1;
      if (lineEnd === carriageReturn) {
        if (position === end) afterCarriageReturn = true;
        else if (text.charCodeAt(position) === LF) position += 1;
      }
    }
    if (position < end) {
      // (Only a long event waits in pieces: see `appendWaiting`.)
      if (wholeEventsOnly && textCarry.length + end - position >= largeEventMinChars)
        appendWaiting(text.slice(position, end));
      else textCarry += text.slice(position, end);
    }
  }

  /**
   * Tries the caller's event shortcut at `position` (a line start); returns where the events it read
   * end, or -1. Only when no event is being assembled: each match is then a whole event on its own.
   */
  function tryShortcut(text: string, position: number): number {
    shortcutStoppedInUnfinishedEvent = false;
    const shortcut = callbacks.eventShortcut;
    if (shortcut === undefined || dataLines > 0 || textCarry !== '') return -1;
    const first = text.charCodeAt(position);
    if (first !== LOWERCASE_D && first !== LOWERCASE_E) return -1;
    const end = shortcut.readEvents(text, position, binary);
    shortcutStoppedInUnfinishedEvent = shortcut.stoppedInUnfinishedEvent === true;
    // Dispatching ends the event: a name set by an earlier `event:` line is forgotten too.
    if (end >= 0) eventName = undefined;
    return end;
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
      eventName = valueStart < end ? text.slice(valueStart, end) : undefined;
    } else if (end - start === 4 && text.startsWith('data', start)) {
      addData('');
    } else if (end - start === 5 && text.startsWith('event', start)) {
      eventName = undefined;
    }
    // Anything else is a comment (`:`), `id`, `retry` or an unknown field: ignored.
  }

  function addData(value: string): void {
    data = dataLines === 0 ? value : `${data}\n${value}`;
    dataLines += 1;
  }

  function dispatch(): void {
    if (dataLines > 0) callbacks.onData(handedOnText(data), readEventName);
    dataLines = 0;
    data = '';
    eventName = undefined;
  }

  /**
   * Fails once the unfinished line and the unfinished event's data exceed the cap. The waiting
   * input is counted in full first; only when that is over the cap are its whole lines framed
   * (their `data` values then count as decoded text, their other lines not at all) before counting
   * again.
   */
  function checkBufferLimit(): void {
    if (textCarry.length + largeCarryLength + pendingLength + data.length <= limit) return;
    decodePending(completeUtf8Length(pending, pendingLength));
    collapseLargeCarry();
    const text = textCarry;
    const cut = lastLineEnd(text, text.length);
    if (cut > 0) {
      textCarry = '';
      scanText(text, 0, cut);
      textCarry = text.slice(cut);
    }
    if (textCarry.length + pendingLength + data.length <= limit) return;
    failed = true;
    textCarry = '';
    pendingLength = 0;
    dataLines = 0;
    data = '';
    dataPieces = undefined;
    callbacks.onBufferLimitExceeded(limit);
  }
  // No getter here (the cap is reported through `onBufferLimitExceeded`): V8 keeps an object
  // literal's accessor in a map, which lives in the old generation, so a getter closing over this
  // state would keep all of it (buffers, the reducer behind the callbacks, the items it holds)
  // alive through young-generation collections until the next full one — measured ~130 kB
  // promoted per stream and ~10 % of the parser's time in GC (see `young-generation-retention.node.test.ts`).
  return { feed, end: endInput };
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
