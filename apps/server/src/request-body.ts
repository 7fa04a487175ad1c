import type { Context } from 'hono';
import { jsonNestingError } from './json-nesting-limit.js';
import { GatewayError } from './openai-error.js';

/**
 * Reads the request body as JSON; malformed JSON, a non-object body or one nested deeper than
 * `maxDepth` is a 400 `invalid_request_error` (the last with `param` naming the field).
 *
 * @param c - the Hono context
 * @param maxDepth - the deepest JSON nesting accepted
 * @param options - `emptyIsObject`: an empty body reads as `{}` (for requests whose every field is optional)
 */
export async function readJsonBody(
  c: Context,
  maxDepth: number,
  options: { emptyIsObject?: boolean } = {},
): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await c.req.text();
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    throw new GatewayError(400, 'invalid_request_error', 'The request body could not be read.', {
      cause: error,
    });
  }
  if (options.emptyIsObject === true && text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new GatewayError(
      400,
      'invalid_request_error',
      'We could not parse the JSON body of your request. Send a JSON object with `Content-Type: application/json`.',
      { cause: error, code: 'invalid_json' },
    );
  }
  const nestingError = jsonNestingError(text, value, maxDepth);
  if (nestingError !== undefined) throw nestingError;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GatewayError(400, 'invalid_request_error', 'The request body must be a JSON object.', {
      code: 'invalid_json',
    });
  }
  return value as Record<string, unknown>;
}
