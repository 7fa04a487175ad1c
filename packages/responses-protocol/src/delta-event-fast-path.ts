import { binaryToText, hasNonAsciiByte } from './binary-text.js';

/** The body of a JSON string without escapes (ids and obfuscation padding never have any). */
const PLAIN_STRING_BODY = String.raw`[^"\\\x00-\x1f]*`;
/** A non-negative integer as JSON writes it (no sign, leading zero, fraction or exponent). */
const INTEGER = String.raw`(?:0|[1-9]\d{0,14})`;
/**
 * The head of a hot delta event exactly as the server serialises it, up to the opening quote of
 * its delta: compact, keys in this order, each optional one present or not — e.g.
 * `{"type":"response.output_text.delta","sequence_number":12,"item_id":"msg_…","output_index":1,
 * "content_index":0,"delta":"`. The delta and the fields after it (`"logprobs":[]`, `"obfuscation"`,
 * then `}`) are read by `DeltaEventReader` (its `readDelta` and {@link TAIL}). Every event they accept is valid
 * JSON with each key once, so the values read are exactly what `JSON.parse` gives. Anything else
 * (other key order, whitespace, other value types, extra keys, escapes in an id) does not match and
 * takes the `JSON.parse` path. Groups: 1 type name, 2 sequence number, 3 item id, 4 output index,
 * 5 content index, 6 summary index.
 */
const DELTA_EVENT_HEAD =
  String.raw`\{"type":"response\.(output_text|function_call_arguments|reasoning_summary_text|reasoning_text|refusal|custom_tool_call_input)\.delta"` +
  `(?:,"sequence_number":(${INTEGER}))?` +
  `(?:,"item_id":"(${PLAIN_STRING_BODY})")?` +
  `(?:,"output_index":(${INTEGER}))?` +
  `(?:,"content_index":(${INTEGER}))?` +
  `(?:,"summary_index":(${INTEGER}))?` +
  `,"delta":"`;

/** The `event:` line servers put before a delta event (its name is its type). */
const DELTA_EVENT_LINE = String.raw`event: ?response\.(?:output_text|function_call_arguments|reasoning_summary_text|reasoning_text|refusal|custom_tool_call_input)\.delta`;

/** The head of a whole text that is a delta event (a WebSocket frame, or one SSE event's data); sticky. */
const DELTA_EVENT_TEXT_HEAD = new RegExp(DELTA_EVENT_HEAD, 'y');

/**
 * The head of a whole SSE event carrying a delta event, as servers frame it: an optional `event:`
 * line naming a delta type, then the `data:` line up to the delta (the event goes on with one
 * `data:` line and the blank line that dispatches it, all ending in LF); sticky, tried at a line
 * start. When the whole event is read, line-by-line framing would have dispatched exactly that
 * JSON (the `event:` name is not read: the JSON has a `type`). An event with another `event:` line
 * is framed line by line up to its `data:` line, which is then read as a whole text.
 */
const DELTA_EVENT_SSE_HEAD = new RegExp(
  String.raw`(?:${DELTA_EVENT_LINE}\n)?data: ?${DELTA_EVENT_HEAD}`,
  'y',
);

/** The event types the fast path reads. */
export type DeltaEventType =
  | 'response.output_text.delta'
  | 'response.function_call_arguments.delta'
  | 'response.custom_tool_call_input.delta'
  | 'response.reasoning_summary_text.delta'
  | 'response.reasoning_text.delta'
  | 'response.refusal.delta';

/**
 * Where a delta event belongs: the fields the reducer reads besides `delta`, as `JSON.parse` would
 * give them; a field the event does not have is `undefined` (the reducer treats a missing field
 * and `undefined` alike).
 */
export interface DeltaEventHead {
  /** `type`. */
  readonly type: DeltaEventType;
  /** `item_id`. */
  readonly item_id: string | undefined;
  /** `output_index`. */
  readonly output_index: number | undefined;
  /** `content_index`. */
  readonly content_index: number | undefined;
  /** `summary_index`. */
  readonly summary_index: number | undefined;
}

/** The full type for a type name of group 1 (constants, so the reducer compares interned strings). */
function deltaEventType(name: string): DeltaEventType {
  switch (name.charCodeAt(0)) {
    case 0x6f /* o */:
      return 'response.output_text.delta';
    case 0x66 /* f */:
      return 'response.function_call_arguments.delta';
    case 0x63 /* c */:
      return 'response.custom_tool_call_input.delta';
    default:
      // refusal, reasoning_text or reasoning_summary_text
      if (name.length === 'refusal'.length) return 'response.refusal.delta';
      return name.length === 'reasoning_text'.length
        ? 'response.reasoning_text.delta'
        : 'response.reasoning_summary_text.delta';
  }
}

/** Whether `head` has these fields. */
function isHead(
  head: DeltaEventHead,
  type: DeltaEventType,
  itemId: string | undefined,
  outputIndex: number | undefined,
  contentIndex: number | undefined,
  summaryIndex: number | undefined,
): boolean {
  return (
    head.type === type &&
    head.item_id === itemId &&
    head.output_index === outputIndex &&
    head.content_index === contentIndex &&
    head.summary_index === summaryIndex
  );
}

/** A matched index: one digit in practice (read without `Number`), at most 15 (exact as a double). */
function readIndex(digits: string | undefined): number | undefined {
  if (digits === undefined) return undefined;
  return digits.length === 1 ? digits.charCodeAt(0) - 0x30 : Number(digits);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SLASH = 0x2f;
const OPENING_BRACE = 0x7b;
const FIRST_PRINTABLE = 0x20;
const ZERO = 0x30;
const NINE = 0x39;
const LOWERCASE_U = 0x75;

/** After the delta's closing quote: the optional fields that follow it and the end of the object. */
const TAIL = String.raw`(?:,"logprobs":\[\])?(?:,"obfuscation":"${PLAIN_STRING_BODY}")?\}`;
/** The rest of a whole text after its delta (sticky). */
const TEXT_TAIL = new RegExp(`${TAIL}$`, 'y');
/** The rest of an SSE event after its delta: ends with the blank line that dispatches it (sticky). */
const SSE_TAIL = new RegExp(String.raw`${TAIL}\n\n`, 'y');

/** The shortest text in which `readRun` matches an event's tail and the next head together. */
const RUN_PATTERN_MIN_TEXT_LENGTH = 4096;

/**
 * How many events in a row must have the same head before it becomes the frequent one, read with
 * its shape's patterns (deltas of one part come by the hundred, but interleaved calls could change
 * the head every event).
 */
const SAME_HEAD_STREAK = 16;

/** `text` as a regular expression source that matches exactly it. */
function literalPattern(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, String.raw`\$&`);
}

/**
 * The patterns of one head shape: a delta event type, whether it has a sequence number (any) and
 * whether an item id — at most 24 shapes, whatever a server sends. The patterns stop before the
 * item id's value, or after the sequence number without one; the rest of the head (the item id,
 * the indexes) is compared apart (see `FrequentDeltaHead.readRest`). Compiling a pattern takes V8
 * 0.05–0.5 ms (as long as reading a thousand events), so they name nothing that changes from one
 * response or item to the next: they are compiled once per shape and process and shared by every
 * parser.
 */
interface HeadShape {
  /**
   * Sticky, no groups: an optional SSE prefix (an `event:` line naming the type, `data:`), then
   * the JSON head up to the item id's value, or up to the end of the sequence number without one.
   */
  readonly pattern: RegExp;
  /**
   * Over SSE: the rest of an event after its delta's closing quote (see {@link TAIL}), the blank
   * line, and the next event's head as `pattern` reads it (sticky, no groups). One match per event
   * of a run instead of one for its tail and one for the next head.
   */
  readonly runPattern: RegExp;
  /** The fewest characters `runPattern` can match (it is not tried on fewer). */
  readonly runMinimumLength: number;
}

/** The shapes compiled so far, by their JSON head's source (at most 24). */
const headShapes = new Map<string, HeadShape>();

/** `head`'s fields after its item id, up to its delta, as the server writes them. */
function indexesText(head: DeltaEventHead): string {
  return (
    (head.output_index === undefined ? '' : `,"output_index":${head.output_index}`) +
    (head.content_index === undefined ? '' : `,"content_index":${head.content_index}`) +
    (head.summary_index === undefined ? '' : `,"summary_index":${head.summary_index}`) +
    ',"delta":"'
  );
}

/** The patterns of `head`'s shape (with a sequence number or not), compiled on first use. */
function headShapeOf(head: DeltaEventHead, hasSequenceNumber: boolean): HeadShape {
  const typeField = `{"type":"${head.type}"`;
  const itemIdKey = head.item_id === undefined ? '' : ',"item_id":"';
  const json =
    literalPattern(typeField) +
    (hasSequenceNumber ? `,"sequence_number":${INTEGER}` : '') +
    literalPattern(itemIdKey);
  const known = headShapes.get(json);
  if (known !== undefined) return known;
  const eventLine = String.raw`event: ?${literalPattern(head.type)}\n`;
  // What the pattern matches of the JSON head at its shortest: a one-digit sequence number.
  const shortestJson =
    typeField.length + (hasSequenceNumber ? ',"sequence_number":0'.length : 0) + itemIdKey.length;
  const shape: HeadShape = {
    pattern: new RegExp(`(?:(?:${eventLine})?data: ?)?${json}`, 'y'),
    runPattern: new RegExp(String.raw`${TAIL}\n\n(?:${eventLine})?data: ?${json}`, 'y'),
    // `}`, the blank line, `data:`, the shortest head.
    runMinimumLength: 8 + shortestJson,
  };
  headShapes.set(json, shape);
  return shape;
}

/**
 * What a JSON escape of a control character stands for, by the code of the character after `\\`
 * (`undefined` for an invalid escape; the escapes of a quote, a backslash and a slash, which stand
 * for the character after the backslash, are read where it is called). A switch: an object keyed by
 * character code is several times slower to look up.
 */
function unescapedControlCharacter(code: number): string | undefined {
  switch (code) {
    case 0x62:
      return '\b';
    case 0x66:
      return '\f';
    case 0x6e:
      return '\n';
    case 0x72:
      return '\r';
    case 0x74:
      return '\t';
    default:
      return undefined;
  }
}

/** The value of a hexadecimal digit's character code, or -1. */
function hexValue(code: number): number {
  if (code >= ZERO && code <= NINE) return code - ZERO;
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

/**
 * A delta read from binary text, given its JSON string body as binary text (checked: no raw quote or
 * control character, valid escapes) and whether it has escapes: its bytes decoded, then its escapes
 * (all ASCII, so decoding leaves them as they were).
 */
function decodedBinaryDelta(body: string, hasEscapes: boolean): string {
  const text = binaryToText(body);
  return hasEscapes ? (JSON.parse(`"${text}"`) as string) : text;
}

/**
 * The head that keeps coming, shared by the readers of one stream (its SSE events and the data of
 * events framed line by line have the same heads).
 * @internal
 */
export class FrequentDeltaHead {
  /** The head last read by the general pattern, and whether it had a sequence number. */
  last: DeltaEventHead | undefined;
  lastHadSequenceNumber = false;
  /** How many times in a row it was read. */
  count = 0;
  /** The frequent head (once one kept coming) and its shape's patterns. */
  head: DeltaEventHead | undefined;
  shape: HeadShape | undefined;
  /** What follows the shape's pattern in the frequent head: its item id's value (if any) and its indexes, up to the delta. */
  rest = '';

  /** Makes `head` the frequent head. */
  setHead(head: DeltaEventHead, hasSequenceNumber: boolean): void {
    const shape = headShapeOf(head, hasSequenceNumber);
    this.head = head;
    this.shape = shape;
    this.rest = head.item_id === undefined ? indexesText(head) : `${head.item_id}"${indexesText(head)}`;
  }

  /**
   * Where the delta starts when the text at `end` — where the shape's pattern (or run pattern)
   * matched up to — goes on with the frequent head's rest (its item id, its indexes); else -1.
   */
  readRest(text: string, end: number): number {
    const rest = this.rest;
    const restEnd = end + rest.length;
    // (The item id holds no quote: equal, the text's id ends where the frequent head's does; a
    // sequence number the pattern ended early, before more digits, is not followed by the rest.)
    return text.slice(end, restEnd) === rest ? restEnd : -1;
  }
}

/**
 * Reads hot delta events — `response.output_text.delta`, `function_call_arguments.delta`,
 * `reasoning_summary_text.delta`, `reasoning_text.delta`, `refusal.delta`,
 * `custom_tool_call_input.delta` — from their JSON text without `JSON.parse`, when it has the
 * compact shape servers send (see {@link DELTA_EVENT_HEAD}); anything else is left to the
 * `JSON.parse` path. What it reads is exactly what `JSON.parse` would give, and it never accepts
 * text `JSON.parse` rejects; only the fields the reducer reads are built.
 *
 * Deltas of one part or call come in a row, each with the same head but for its sequence number.
 * Once {@link SAME_HEAD_STREAK} events in a row had the same head, it is read with the patterns of
 * its shape (its type, any sequence number: compiled once per process, see `headShapeOf`) and one
 * comparison of the rest of the head (item id, indexes); its fields are not read again. The delta is
 * checked and decoded in one loop over its characters, the fields after it by a small pattern —
 * over SSE, in a run of events with that head (`readRun`), together with the head of the next
 * event, in one match. (Reading a delta event and reducing it takes 1.2–2.5× less time than
 * `JSON.parse` of it alone; the least for the argument deltas of tool calls, JSON inside JSON, with
 * the most escapes.)
 * @internal
 */
export class DeltaEventReader {
  /** Where the last event read belongs (valid after `read` returned a delta). */
  head: DeltaEventHead = {
    type: 'response.output_text.delta',
    item_id: undefined,
    output_index: undefined,
    content_index: undefined,
    summary_index: undefined,
  };
  /** Where the last event read ends in the text. */
  end = 0;
  /** Where the closing quote of the last delta read is. */
  deltaEnd = 0;
  /** The character codes of the last delta read outside its escapes, or'ed (above 0x7f: not all ASCII). */
  private deltaCodes = 0;
  /**
   * Set by `readRun`: it stopped in an event the text ends inside of (its head, or its delta, runs
   * to the end of the text), so the text holds no event end from where it stopped.
   */
  stoppedInUnfinishedEvent = false;
  /**
   * The text read is binary text (see `binary-text.ts`; set by the SSE framer's shortcut): item ids
   * and deltas holding bytes from 0x80 on are decoded as they are read.
   */
  binary = false;
  private readonly sticky: boolean;
  private readonly headPattern: RegExp;
  private readonly tailPattern: RegExp;
  private readonly frequent: FrequentDeltaHead;

  /**
   * Creates a reader of whole texts (`text`: a WebSocket frame, SSE data) or of whole SSE events
   * starting at a line start (`sse`).
   */
  constructor(framing: 'text' | 'sse', frequent = new FrequentDeltaHead()) {
    this.frequent = frequent;
    this.sticky = framing === 'sse';
    this.headPattern = this.sticky ? DELTA_EVENT_SSE_HEAD : DELTA_EVENT_TEXT_HEAD;
    this.tailPattern = this.sticky ? SSE_TAIL : TEXT_TAIL;
  }

  /**
   * Reads a delta event from `text` at `position` (for framing `text`, `position` is 0 and the
   * event must be all of the text). Returns its decoded delta and sets `head` and `end`, or
   * returns `undefined`.
   */
  read(text: string, position: number): string | undefined {
    const deltaStart = this.readEventHead(text, position);
    if (deltaStart === -1) return undefined;
    const delta = this.readDelta(text, deltaStart);
    if (delta === undefined) return undefined;
    const tail = this.tailPattern;
    tail.lastIndex = this.deltaEnd + 1;
    if (!tail.test(text)) return undefined;
    this.end = tail.lastIndex;
    return delta;
  }

  /**
   * Over SSE (`sse` framing): reads the whole delta events in a row from `position` (a line
   * start), handing each to `onDelta` with its head as it is read; returns where the last one ends,
   * or -1 when there was none. The same as calling `read` while it reads one, but in a run of
   * events with the frequent head, the tail of each and the head of the next are one match.
   */
  readRun(text: string, position: number, onDelta: (head: DeltaEventHead, delta: string) => void): number {
    let end = -1;
    /** Where the tail of the last event read starts, when its end was not needed yet (else -1). */
    let tailStart = -1;
    this.stoppedInUnfinishedEvent = false;
    let deltaStart = this.readEventHead(text, position);
    const frequent = this.frequent;
    const tail = this.tailPattern;
    while (deltaStart !== -1) {
      let delta = this.readDelta(text, deltaStart);
      if (delta === undefined) break;
      // From binary text, a delta with bytes from 0x80 on is decoded (escapes shorten it: it had some).
      if (this.deltaCodes > 0x7f && this.binary)
        delta = decodedBinaryDelta(
          text.slice(deltaStart, this.deltaEnd),
          delta.length !== this.deltaEnd - deltaStart,
        );
      const afterQuote = this.deltaEnd + 1;
      const shape = frequent.shape;
      // Only in long texts (large network chunks), whose runs are long: in a short one, the
      // pattern mostly fails at the last event (measured slower at 1 KiB chunks). Never at the end
      // of the text, where only the tail can follow.
      if (
        shape !== undefined &&
        text.length >= RUN_PATTERN_MIN_TEXT_LENGTH &&
        text.length - afterQuote >= shape.runMinimumLength
      ) {
        const run = shape.runPattern;
        run.lastIndex = afterQuote;
        if (run.test(text)) {
          // This event is whole, and the next one has the frequent head's shape.
          onDelta(this.head, delta);
          const nextDeltaStart = frequent.readRest(text, run.lastIndex);
          if (nextDeltaStart !== -1) {
            tailStart = afterQuote;
            deltaStart = nextDeltaStart;
            this.head = frequent.head as DeltaEventHead;
            continue;
          }
          // Another item's: read from its start. (The tail holds no line end before the blank line.)
          end = text.indexOf('\n', afterQuote) + 2;
          tailStart = -1;
          deltaStart = this.readEventHead(text, end);
          continue;
        }
      }
      tail.lastIndex = afterQuote;
      if (!tail.test(text)) break;
      end = tail.lastIndex;
      tailStart = -1;
      onDelta(this.head, delta);
      deltaStart = this.readEventHead(text, end);
    }
    // The tail holds no line end before the blank line that ends the event.
    return tailStart === -1 ? end : text.indexOf('\n', tailStart) + 2;
  }

  /**
   * Reads the head of a delta event at `position` (with the frequent pattern, else the general
   * one), sets `head`; returns where its delta starts, or -1.
   */
  private readEventHead(text: string, position: number): number {
    if (position >= text.length) return -1;
    const frequent = this.frequent;
    const shape = frequent.shape;
    // The pattern's SSE prefix is optional: a whole text must start with the JSON, an SSE event must not.
    if (shape !== undefined && (text.charCodeAt(position) === OPENING_BRACE) !== this.sticky) {
      const pattern = shape.pattern;
      pattern.lastIndex = position;
      if (pattern.test(text)) {
        const deltaStart = frequent.readRest(text, pattern.lastIndex);
        if (deltaStart !== -1) {
          this.head = frequent.head as DeltaEventHead;
          return deltaStart;
        }
      }
    }
    // Over SSE, an event not whole yet (the end of a network chunk) is left to line framing
    // without running the general pattern.
    if (this.sticky && text.indexOf('\n\n', position) === -1) {
      this.stoppedInUnfinishedEvent = true;
      return -1;
    }
    return this.readHead(text, position);
  }

  /**
   * Reads a head with the general pattern and sets `head`; returns where the delta starts, or -1.
   * A head that keeps coming becomes the frequent one.
   */
  private readHead(text: string, position: number): number {
    const pattern = this.headPattern;
    pattern.lastIndex = position;
    const match = pattern.exec(text);
    if (match === null) return -1;
    const deltaStart = pattern.lastIndex;
    const type = deltaEventType(match[1] as string);
    const sequenceNumber = match[2];
    let itemId = match[3];
    if (this.binary && itemId !== undefined && hasNonAsciiByte(itemId)) itemId = binaryToText(itemId);
    const outputIndex = readIndex(match[4]);
    const contentIndex = readIndex(match[5]);
    const summaryIndex = readIndex(match[6]);
    // Keep the same head object (and item id string, which the reducer then compares fastest)
    // when only the sequence number changed.
    if (!isHead(this.head, type, itemId, outputIndex, contentIndex, summaryIndex)) {
      this.head = {
        type,
        item_id: itemId,
        output_index: outputIndex,
        content_index: contentIndex,
        summary_index: summaryIndex,
      };
    }
    // A head that keeps coming (read by either reader of the stream) becomes the frequent one.
    // (The general pattern takes the fields in one order and form: the same fields are the same
    // text, but for the sequence number.)
    const frequent = this.frequent;
    const hasSequenceNumber = sequenceNumber !== undefined;
    const last = frequent.last;
    if (
      last === undefined ||
      hasSequenceNumber !== frequent.lastHadSequenceNumber ||
      !isHead(last, type, itemId, outputIndex, contentIndex, summaryIndex)
    ) {
      frequent.last = this.head;
      frequent.lastHadSequenceNumber = hasSequenceNumber;
      frequent.count = 1;
    } else if (++frequent.count === SAME_HEAD_STREAK) {
      frequent.setHead(this.head, hasSequenceNumber);
    }
    return deltaStart;
  }

  /**
   * Reads the delta starting at `deltaStart` — a JSON string body (no raw quote, backslash or
   * control character; only valid escapes) up to its closing quote. Returns the decoded delta and
   * sets `deltaEnd` to where that quote is, or returns `undefined`.
   */
  private readDelta(text: string, deltaStart: number): string | undefined {
    const length = text.length;
    let index = deltaStart;
    let decoded = '';
    let pieceStart = deltaStart;
    /** Every character code outside escapes, or'ed: above 0x7f when one is not ASCII. */
    let codes = 0;
    for (;;) {
      if (index >= length) {
        // The head and the delta so far hold no line end: the event goes on after the text.
        this.stoppedInUnfinishedEvent = true;
        return undefined;
      }
      const code = text.charCodeAt(index);
      if (code === QUOTE) break;
      if (code === BACKSLASH) {
        // An escape cut by the end of the text (a network chunk's) is not read past it: reading
        // out of bounds would make the optimised code of this hot loop start over.
        if (index + 1 >= length) {
          this.stoppedInUnfinishedEvent = true;
          return undefined;
        }
        const escaped = text.charCodeAt(index + 1);
        if (escaped === QUOTE || escaped === BACKSLASH || escaped === SLASH) {
          // An escape that stands for the character after the backslash (JSON inside JSON: the
          // arguments of tool calls are full of them): the text so far, then the next piece starts
          // at that character — one string operation instead of three.
          decoded += text.slice(pieceStart, index);
          pieceStart = index + 1;
          index += 2;
          continue;
        }
        let character: string | undefined;
        let next = index + 2;
        if (escaped === LOWERCASE_U) {
          if (index + 5 >= length) return undefined;
          const unit =
            (hexValue(text.charCodeAt(index + 2)) << 12) |
            (hexValue(text.charCodeAt(index + 3)) << 8) |
            (hexValue(text.charCodeAt(index + 4)) << 4) |
            hexValue(text.charCodeAt(index + 5));
          // A -1 (not a hex digit) sets every bit: the result is negative.
          if (unit < 0) return undefined;
          character = String.fromCharCode(unit);
          next = index + 6;
        } else {
          character = unescapedControlCharacter(escaped);
          if (character === undefined) return undefined;
        }
        decoded += text.slice(pieceStart, index) + character;
        index = next;
        pieceStart = next;
      } else if (code < FIRST_PRINTABLE) {
        return undefined;
      } else {
        codes |= code;
        index += 1;
      }
    }
    this.deltaEnd = index;
    this.deltaCodes = codes;
    return pieceStart === deltaStart
      ? text.slice(deltaStart, index)
      : decoded + text.slice(pieceStart, index);
  }
}
