/**
 * Fast structural match of a `response.output_text.delta` event as the server serialises it:
 * `{"type":"response.output_text.delta","sequence_number":N,"item_id":"…","output_index":N,
 * "content_index":N,"delta":"…","logprobs":[],"obfuscation":"…"}` (sequence number, item id,
 * logprobs and obfuscation optional; no whitespace). Every string matched by this pattern is valid
 * JSON with each key once, so reading the fields from the match gives exactly what `JSON.parse`
 * would. Anything else (other field order, whitespace, other types) does not match and takes the
 * full `JSON.parse` path. The string body is written in the unrolled `normal*(escape normal*)*`
 * form, so a failing match backtracks in linear time.
 * Groups: 1 item id, 2 output index, 3 content index, 4 raw (still escaped) delta.
 */
const OUTPUT_TEXT_DELTA_PATTERN =
  /^\{"type":"response\.output_text\.delta"(?:,"sequence_number":(?:0|[1-9]\d{0,15}))?(?:,"item_id":"([^"\\\x00-\x1f]*)")?,"output_index":(0|[1-9]\d{0,8}),"content_index":(0|[1-9]\d{0,8}),"delta":"([^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*)"(?:,"logprobs":\[\])?(?:,"obfuscation":"[^"\\\x00-\x1f]*")?\}$/;

/** The fields of a `response.output_text.delta` event read by {@link matchOutputTextDelta}. */
export interface OutputTextDeltaFields {
  /** The text (JSON escapes decoded). */
  delta: string;
  /** `output_index`. */
  outputIndex: number;
  /** `content_index`. */
  contentIndex: number;
  /** `item_id`, when present. */
  itemId: string | undefined;
}

const TYPE_PREFIX = '{"type":"response.output_text.delta"';

/**
 * Reads a `response.output_text.delta` event's fields from its JSON text without `JSON.parse`
 * when the text has the exact compact shape servers send; `undefined` otherwise (then parse it
 * normally). Never accepts text that `JSON.parse` would reject.
 * @internal
 */
export function matchOutputTextDelta(data: string): OutputTextDeltaFields | undefined {
  if (!data.startsWith(TYPE_PREFIX)) return undefined;
  const match = OUTPUT_TEXT_DELTA_PATTERN.exec(data);
  if (match === null) return undefined;
  const raw = match[4]!;
  return {
    delta: raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw,
    outputIndex: Number(match[2]),
    contentIndex: Number(match[3]),
    itemId: match[1],
  };
}
