/** The body of a JSON string: no raw quote, backslash or control character; valid escapes only. */
const JSON_STRING_BODY = String.raw`[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*`;
/** The body of a JSON string without escapes (ids and obfuscation padding never have any). */
const PLAIN_STRING_BODY = String.raw`[^"\\\x00-\x1f]*`;
/** A non-negative integer as JSON writes it (no sign, leading zero, fraction or exponent). */
const INTEGER = String.raw`(?:0|[1-9]\d{0,14})`;
/** Everything after the head: the delta (group), then the optional fields that follow it. */
const DELTA_AND_TAIL =
  `,"delta":"(${JSON_STRING_BODY})"` +
  String.raw`(?:,"logprobs":\[\])?` +
  `(?:,"obfuscation":"${PLAIN_STRING_BODY}")?` +
  String.raw`\}`;

/**
 * A hot delta event exactly as the server serialises it: compact, keys in this order, each
 * optional one present or not — e.g. `{"type":"response.output_text.delta","sequence_number":12,
 * "item_id":"msg_…","output_index":1,"content_index":0,"delta":"…","logprobs":[],
 * "obfuscation":"…"}`. Every text this matches is valid JSON with each key once, so the values read
 * from the groups are exactly what `JSON.parse` gives. Anything else (other key order, whitespace,
 * other value types, extra keys, escapes in an id) does not match and takes the `JSON.parse` path.
 * String bodies are written in the unrolled `normal*(escape normal*)*` form, so a failing match
 * backtracks in linear time. Groups: 1 type name, 2 item id, 3 output index, 4 content index,
 * 5 summary index, 6 delta (still escaped). Only what the reducer reads is captured.
 */
const DELTA_EVENT_JSON =
  String.raw`\{"type":"response\.(output_text|function_call_arguments|reasoning_summary_text|reasoning_text|refusal|custom_tool_call_input)\.delta"` +
  `(?:,"sequence_number":${INTEGER})?` +
  `(?:,"item_id":"(${PLAIN_STRING_BODY})")?` +
  `(?:,"output_index":(${INTEGER}))?` +
  `(?:,"content_index":(${INTEGER}))?` +
  `(?:,"summary_index":(${INTEGER}))?` +
  DELTA_AND_TAIL;

/** The `event:` line servers put before a delta event (its name is its type). */
const DELTA_EVENT_LINE = String.raw`event: ?response\.(?:output_text|function_call_arguments|reasoning_summary_text|reasoning_text|refusal|custom_tool_call_input)\.delta`;

/** A whole text that is a delta event: a WebSocket frame, or the data of one SSE event. */
const DELTA_EVENT_TEXT_PATTERN = new RegExp(`^${DELTA_EVENT_JSON}$`);

/**
 * A whole SSE event carrying a delta event, as servers frame it: an optional `event:` line naming
 * a delta type, one `data:` line holding the JSON, and the blank line that dispatches it, all
 * ending in LF; sticky (it matches at `lastIndex` only), tried at a line start. When it matches,
 * line-by-line framing would have dispatched exactly that JSON (the `event:` name is not read: the
 * JSON has a `type`). An event with another `event:` line is framed line by line up to its `data:`
 * line, which this then reads.
 */
const DELTA_EVENT_SSE_PATTERN = new RegExp(
  String.raw`(?:${DELTA_EVENT_LINE}\n)?data: ?${DELTA_EVENT_JSON}\n\n`,
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

/** A matched index: one digit in practice (read without `Number`), at most 15 (exact as a double). */
function readIndex(digits: string | undefined): number | undefined {
  if (digits === undefined) return undefined;
  return digits.length === 1 ? digits.charCodeAt(0) - 0x30 : Number(digits);
}

/** What each single-character JSON escape stands for, by the code of the character after `\\`. */
const ESCAPED: Readonly<Record<number, string>> = {
  34: '"',
  92: '\\',
  47: '/',
  98: '\b',
  102: '\f',
  110: '\n',
  114: '\r',
  116: '\t',
};

/**
 * A matched delta body, decoded. The pattern only lets valid escapes through, so each one is read
 * as JSON reads it: `\uXXXX` as that UTF-16 code unit (a lone surrogate included), the others by
 * {@link ESCAPED}. (Twice as fast as `JSON.parse` of the body in quotes.)
 */
function decodeDelta(body: string): string {
  let backslash = body.indexOf('\\');
  if (backslash === -1) return body;
  let decoded = '';
  let start = 0;
  do {
    const code = body.charCodeAt(backslash + 1);
    if (code === 0x75 /* u */) {
      decoded +=
        body.slice(start, backslash) +
        String.fromCharCode(Number.parseInt(body.slice(backslash + 2, backslash + 6), 16));
      start = backslash + 6;
    } else {
      decoded += body.slice(start, backslash) + ESCAPED[code];
      start = backslash + 2;
    }
    backslash = body.indexOf('\\', start);
  } while (backslash !== -1);
  return decoded + body.slice(start);
}

/**
 * Reads hot delta events — `response.output_text.delta`, `function_call_arguments.delta`,
 * `reasoning_summary_text.delta`, `reasoning_text.delta`, `refusal.delta`,
 * `custom_tool_call_input.delta` — from their JSON text without `JSON.parse`, when it has the
 * compact shape servers send (see {@link DELTA_EVENT_JSON}); anything else is left to the
 * `JSON.parse` path. What it reads is exactly what `JSON.parse` would give, and it never accepts
 * text `JSON.parse` rejects. A regular expression checks and reads an event in about half the time
 * `JSON.parse` takes, and only the fields the reducer reads are built.
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
  private readonly pattern: RegExp;
  private readonly sticky: boolean;

  /**
   * Creates a reader of whole texts (`text`: a WebSocket frame, SSE data) or of whole SSE events
   * starting at a line start (`sse`).
   */
  constructor(framing: 'text' | 'sse') {
    this.sticky = framing === 'sse';
    this.pattern = this.sticky ? DELTA_EVENT_SSE_PATTERN : DELTA_EVENT_TEXT_PATTERN;
  }

  /**
   * Reads a delta event from `text` at `position` (for framing `text`, `position` is 0 and the
   * event must be all of the text). Returns its decoded delta and sets `head` and `end`, or
   * returns `undefined`.
   */
  read(text: string, position: number): string | undefined {
    const pattern = this.pattern;
    pattern.lastIndex = position;
    const match = pattern.exec(text);
    if (match === null) return undefined;
    this.end = this.sticky ? pattern.lastIndex : text.length;
    const type = deltaEventType(match[1] as string);
    const itemId = match[2];
    const outputIndex = readIndex(match[3]);
    const contentIndex = readIndex(match[4]);
    const summaryIndex = readIndex(match[5]);
    const head = this.head;
    // Deltas of one part or call come in a row: keep the same head (and the same item id string,
    // which the reducer then compares and looks up fastest).
    if (
      type !== head.type ||
      itemId !== head.item_id ||
      outputIndex !== head.output_index ||
      contentIndex !== head.content_index ||
      summaryIndex !== head.summary_index
    ) {
      this.head = {
        type,
        item_id: itemId,
        output_index: outputIndex,
        content_index: contentIndex,
        summary_index: summaryIndex,
      };
    }
    return decodeDelta(match[6] as string);
  }
}
