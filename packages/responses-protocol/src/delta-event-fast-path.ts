/** The body of a JSON string: no raw quote, backslash or control character; valid escapes only. */
const JSON_STRING_BODY = String.raw`[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*`;
/** The body of a JSON string without escapes (ids and obfuscation padding never have any). */
const PLAIN_STRING_BODY = String.raw`[^"\\\x00-\x1f]*`;
/** A non-negative integer as JSON writes it (no sign, leading zero, fraction or exponent). */
const INTEGER = String.raw`(?:0|[1-9]\d{0,14})`;

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
  `,"delta":"(${JSON_STRING_BODY})"` +
  String.raw`(?:,"logprobs":\[\])?` +
  `(?:,"obfuscation":"${PLAIN_STRING_BODY}")?` +
  String.raw`\}`;

/** A whole text that is a delta event (see {@link DELTA_EVENT_JSON}). */
const DELTA_EVENT_PATTERN = new RegExp(`^${DELTA_EVENT_JSON}$`);

/**
 * A whole SSE event carrying a delta event, as servers frame it: an optional `event:` line, one
 * `data:` line holding the compact JSON, and the blank line that dispatches it, all ending in LF.
 * It is sticky (it matches at `lastIndex` only): the SSE framer tries it at the start of a line
 * when no event is being assembled. When it matches, line-by-line framing would have dispatched
 * exactly that JSON (the `event:` name is not read: the JSON has a `type`), so the fields go to the
 * reducer without the data being cut out of the text first. Same groups as the JSON pattern.
 * @internal
 */
export const SSE_DELTA_EVENT_PATTERN = new RegExp(
  String.raw`(?:event: ?[^\r\n]*\n)?data: ?${DELTA_EVENT_JSON}\n\n`,
  'y',
);

const PREFIX = '{"type":"response.';

/** The event types the fast path reads. */
export type DeltaEventType =
  | 'response.output_text.delta'
  | 'response.function_call_arguments.delta'
  | 'response.custom_tool_call_input.delta'
  | 'response.reasoning_summary_text.delta'
  | 'response.reasoning_text.delta'
  | 'response.refusal.delta';

/**
 * The fields of a delta event that the reducer reads, as `JSON.parse` would give them; a field the
 * event does not have is `undefined` (the reducer treats a missing field and `undefined` alike).
 */
export interface DeltaEventFields {
  /** `type`. */
  type: DeltaEventType;
  /** `item_id`. */
  item_id: string | undefined;
  /** `output_index`. */
  output_index: number | undefined;
  /** `content_index`. */
  content_index: number | undefined;
  /** `summary_index`. */
  summary_index: number | undefined;
  /** `delta`, JSON escapes decoded. */
  delta: string;
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

/**
 * The fields of a match of {@link SSE_DELTA_EVENT_PATTERN} (or of the whole-text pattern).
 * @internal
 */
export function deltaEventFields(match: RegExpExecArray): DeltaEventFields {
  const delta = match[6] as string;
  return {
    type: deltaEventType(match[1] as string),
    item_id: match[2],
    output_index: readIndex(match[3]),
    content_index: readIndex(match[4]),
    summary_index: readIndex(match[5]),
    // The quotes make the body a JSON string literal, which JSON.parse decodes exactly.
    delta: delta.includes('\\') ? (JSON.parse(`"${delta}"`) as string) : delta,
  };
}

/**
 * Reads the JSON text of a hot delta event — `response.output_text.delta`,
 * `function_call_arguments.delta`, `reasoning_summary_text.delta`, `reasoning_text.delta`,
 * `refusal.delta`, `custom_tool_call_input.delta` — without `JSON.parse` when it has the compact
 * shape servers send, and returns the fields the reducer reads (exactly what `JSON.parse` would
 * give); returns `undefined` for any other text (then parse it normally). Never accepts text
 * `JSON.parse` rejects.
 * @internal
 */
export function readDeltaEvent(text: string): DeltaEventFields | undefined {
  if (!text.startsWith(PREFIX)) return undefined;
  const match = DELTA_EVENT_PATTERN.exec(text);
  return match === null ? undefined : deltaEventFields(match);
}
