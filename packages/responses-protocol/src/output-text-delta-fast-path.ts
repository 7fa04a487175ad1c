/**
 * Fast structural match of a `response.output_text.delta` event as the server serialises it:
 * `{"type":"response.output_text.delta","sequence_number":N,"item_id":"…","output_index":N,
 * "content_index":N,"delta":"…","logprobs":[],"obfuscation":"…"}` (sequence number, item id,
 * logprobs and obfuscation optional; no whitespace). Every string matched by this pattern is valid
 * JSON with each key once, so reading the fields from the match gives exactly what `JSON.parse`
 * would. Anything else (other field order, whitespace, other types) does not match and takes the
 * full `JSON.parse` path. The string body is written in the unrolled `normal*(escape normal*)*`
 * form, so a failing match backtracks in linear time.
 * Groups: 1 output index, 2 content index, 3 raw (still escaped) delta. (The item id is not read:
 * with an output index present the reducer keys text by output index.)
 */
const OUTPUT_TEXT_DELTA_PATTERN =
  /^\{"type":"response\.output_text\.delta"(?:,"sequence_number":(?:0|[1-9]\d{0,15}))?(?:,"item_id":"[^"\\\x00-\x1f]*")?,"output_index":(0|[1-9]\d{0,8}),"content_index":(0|[1-9]\d{0,8}),"delta":"([^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*)"(?:,"logprobs":\[\])?(?:,"obfuscation":"[^"\\\x00-\x1f]*")?\}$/;

/** The fields of a `response.output_text.delta` event read by {@link matchOutputTextDelta}. */
export interface OutputTextDeltaFields {
  /** The text (JSON escapes decoded). */
  delta: string;
  /** `output_index`. */
  outputIndex: number;
  /** `content_index`. */
  contentIndex: number;
}

const TYPE_PREFIX = '{"type":"response.output_text.delta"';

/**
 * Reads a `response.output_text.delta` event's fields from its JSON text into `into` without
 * `JSON.parse` when the text has the exact compact shape servers send, and returns `true`;
 * returns `false` otherwise (then parse it normally). Never accepts text that `JSON.parse` would
 * reject. `into` is reused from call to call to keep the hot path free of allocations.
 * @internal
 */
export function matchOutputTextDelta(data: string, into: OutputTextDeltaFields): boolean {
  if (!data.startsWith(TYPE_PREFIX)) return false;
  const match = OUTPUT_TEXT_DELTA_PATTERN.exec(data);
  if (match === null) return false;
  const raw = match[3]!;
  into.delta = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
  into.outputIndex = match[1] === '0' ? 0 : Number(match[1]);
  into.contentIndex = match[2] === '0' ? 0 : Number(match[2]);
  return true;
}
