import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from './context.js';
import { type ParsedBody, sendJson } from './http-utilities.js';
import { apiError } from './responses/error-bodies.js';
import { acceptOpenAiJsonRequest } from './responses/request-validation.js';

/** The embeddings endpoint of the OpenAI API (the ChatGPT backend has none). */
export const EMBEDDINGS_PATH = '/v1/embeddings';

/** The most inputs one request may embed (OpenAI's limit). */
const MAX_INPUTS = 2048;

/** How long each model's vectors are (`dimensions` may ask for fewer). */
function modelDimensions(model: string): number {
  return model === 'text-embedding-3-large' ? 3072 : 1536;
}

/**
 * A deterministic unit vector for a text: its FNV-1a hash seeds a linear congruential generator, so the
 * same text always embeds the same and different texts differently.
 */
function vectorOf(text: string, dimensions: number): number[] {
  let state = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    state ^= text.charCodeAt(index);
    state = Math.imul(state, 0x01000193) >>> 0;
  }
  const vector: number[] = [];
  let norm = 0;
  for (let index = 0; index < dimensions; index += 1) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const value = (state / 0xffffffff) * 2 - 1;
    vector.push(value);
    norm += value * value;
  }
  const length = Math.sqrt(norm) || 1;
  return vector.map((value) => Math.fround(value / length));
}

/** A vector as the API sends it with `encoding_format: "base64"`: its float32 bytes, little-endian. */
function base64Of(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, index) => {
    bytes.writeFloatLE(value, index * 4);
  });
  return bytes.toString('base64');
}

/** The texts of an `input`: a string, strings, or token arrays (embedded by their numbers); else `undefined`. */
function textsOf(input: unknown): string[] | undefined {
  if (typeof input === 'string') return input === '' ? undefined : [input];
  if (!Array.isArray(input) || input.length === 0 || input.length > MAX_INPUTS) return undefined;
  if (input.every((item) => typeof item === 'number')) return [input.join(' ')];
  const texts: string[] = [];
  for (const item of input) {
    if (typeof item === 'string' && item !== '') texts.push(item);
    else if (Array.isArray(item) && item.length > 0 && item.every((token) => typeof token === 'number'))
      texts.push(item.join(' '));
    else return undefined;
  }
  return texts;
}

/** An Embeddings body read: what to embed, or what is wrong with it as the 400 names it. */
type ReadEmbeddingsBody =
  | { kind: 'valid'; model: string; texts: string[]; dimensions: number; base64: boolean }
  | { kind: 'invalid'; message: string; param: string; code: string };

function readEmbeddingsBody(fields: Record<string, unknown>): ReadEmbeddingsBody {
  const { model, input, dimensions, encoding_format: encodingFormat } = fields;
  if (typeof model !== 'string' || model === '')
    return {
      kind: 'invalid',
      message: "Missing required parameter: 'model'.",
      param: 'model',
      code: 'missing_required_parameter',
    };
  const texts = textsOf(input);
  if (texts === undefined)
    return {
      kind: 'invalid',
      message: `'$.input' is invalid: send a non-empty string, or an array of 1 to ${MAX_INPUTS} non-empty strings or token arrays.`,
      param: 'input',
      code: 'invalid_value',
    };
  const largest = modelDimensions(model);
  if (
    dimensions !== undefined &&
    (typeof dimensions !== 'number' ||
      !Number.isInteger(dimensions) ||
      dimensions < 1 ||
      dimensions > largest)
  )
    return {
      kind: 'invalid',
      message: `Invalid 'dimensions': send an integer from 1 to ${largest}.`,
      param: 'dimensions',
      code: 'invalid_value',
    };
  if (encodingFormat !== undefined && encodingFormat !== 'float' && encodingFormat !== 'base64')
    return {
      kind: 'invalid',
      message: "Invalid 'encoding_format': send float or base64.",
      param: 'encoding_format',
      code: 'invalid_value',
    };
  return {
    kind: 'valid',
    model,
    texts,
    dimensions: typeof dimensions === 'number' ? dimensions : largest,
    base64: encodingFormat === 'base64',
  };
}

/**
 * `POST /v1/embeddings` (the OpenAI API, an API key): `{object:"list", data:[{object:"embedding", index,
 * embedding}], model, usage}` — deterministic unit vectors (1536 numbers, 3072 for
 * `text-embedding-3-large`, or `dimensions`), as numbers or, with `encoding_format: "base64"` (what the
 * openai SDKs ask for), as base64 float32 bytes; a token per 4 characters. No `model`, an empty or
 * invalid `input`, a bad `dimensions` or `encoding_format`: a 400 naming it.
 *
 * @param context - emulator state
 * @param request - the incoming request
 * @param response - the server response
 * @param body - the parsed body
 */
export function handleEmbeddingsHttp(
  context: EmulatorContext,
  request: IncomingMessage,
  response: ServerResponse,
  body: ParsedBody,
): void {
  const accepted = acceptOpenAiJsonRequest(context, request, response, body);
  if (accepted === undefined) return;
  const { fields, headers } = accepted;
  const read = readEmbeddingsBody(fields);
  if (read.kind === 'invalid') {
    sendJson(response, 400, apiError(read.message, 'invalid_request_error', read.code, read.param), headers);
    return;
  }
  const { model, texts } = read;
  const tokens = texts.reduce((sum, text) => sum + Math.max(1, Math.ceil(text.length / 4)), 0);
  sendJson(
    response,
    200,
    {
      object: 'list',
      data: texts.map((text, index) => {
        const vector = vectorOf(text, read.dimensions);
        return {
          object: 'embedding',
          index,
          embedding: read.base64 ? base64Of(vector) : vector,
        };
      }),
      model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    },
    headers,
  );
}
