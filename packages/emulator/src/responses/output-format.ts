import { valueForSchema } from './schema-values.js';

/** What a request's `text.format` asks the answer to be. */
export type OutputFormat =
  /** Plain text (`{type:"text"}`, absent, or a format the emulator does not know). */
  | { kind: 'text' }
  /** `{type:"json_schema", name, schema, strict}`: a JSON text valid against `schema`. */
  | { kind: 'json-schema'; schema: Record<string, unknown> }
  /** `{type:"json_object"}`: some JSON object. */
  | { kind: 'json-object' };

/**
 * Reads the `format` of a request's `text` (the Responses API's structured output setting).
 *
 * @param text - the request's `text` field
 */
export function readOutputFormat(text: unknown): OutputFormat {
  if (typeof text !== 'object' || text === null) return { kind: 'text' };
  const format = (text as Record<string, unknown>).format;
  if (typeof format !== 'object' || format === null) return { kind: 'text' };
  const { type, schema } = format as Record<string, unknown>;
  if (type === 'json_object') return { kind: 'json-object' };
  if (type !== 'json_schema') return { kind: 'text' };
  return {
    kind: 'json-schema',
    schema: typeof schema === 'object' && schema !== null ? (schema as Record<string, unknown>) : {},
  };
}

/**
 * The answer a content scenario gives in the requested format: `plainText` as is for text; for
 * `json_object` the object `{"answer": plainText}`; for `json_schema` a JSON value filled from the
 * schema (see {@link valueForSchema}). A `jsonAnswer` (the echo scenario's prompt, when it is
 * already a JSON object) is used as is for either JSON format.
 *
 * @param format - the requested format
 * @param plainText - the scenario's text answer
 * @param jsonAnswer - a ready JSON object text to answer instead, if any
 */
export function answerInFormat(format: OutputFormat, plainText: string, jsonAnswer?: string): string {
  if (format.kind === 'text') return plainText;
  if (jsonAnswer !== undefined) return jsonAnswer;
  if (format.kind === 'json-object') return JSON.stringify({ answer: plainText });
  return JSON.stringify(valueForSchema(format.schema, 0) ?? null);
}

/**
 * `text` when it is the JSON text of an object (what the echo scenario answers as is when JSON is
 * asked for), else `undefined`.
 *
 * @param text - a prompt
 */
export function jsonObjectText(text: string): string | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? trimmed : undefined;
  } catch {
    return undefined;
  }
}
