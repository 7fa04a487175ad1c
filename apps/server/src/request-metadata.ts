import { z } from 'zod';
import { echoed } from './conversation-item-input.js';
import { isRecord } from './is-record.js';
import { GatewayError } from './openai-error.js';

/** OpenAI's metadata limits: 16 pairs, keys of at most 64 characters, values of at most 512. */
export const METADATA_LIMITS = { maxPairs: 16, maxKeyLength: 64, maxValueLength: 512 } as const;

/**
 * Reads a request's `metadata` (a conversation's, a response's, a chat completion's): at most 16 string pairs, keys of at most 64 characters, values of
 * at most 512; `null` or absent is none.
 *
 * @param value - the body's `metadata`
 * @throws {GatewayError} 400 `invalid_value` naming `metadata` or the bad key
 */
export function readMetadata(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw invalid('metadata', "Invalid 'metadata': send an object of string pairs.");
  const entries = Object.entries(value);
  if (entries.length > METADATA_LIMITS.maxPairs)
    throw invalid(
      'metadata',
      `Invalid 'metadata': ${entries.length} pairs, at most ${METADATA_LIMITS.maxPairs} are allowed.`,
    );
  const pairs: [string, string][] = [];
  for (const [key, pairValue] of entries) {
    if (key.length > METADATA_LIMITS.maxKeyLength)
      throw invalid(
        'metadata',
        `Invalid 'metadata': the key ${echoed(key)} is ${key.length} characters long, at most ${METADATA_LIMITS.maxKeyLength} are allowed.`,
      );
    const param = `metadata.${key}`;
    if (typeof pairValue !== 'string')
      throw invalid(param, `Invalid '${param}': metadata values must be strings.`);
    if (pairValue.length > METADATA_LIMITS.maxValueLength)
      throw invalid(
        param,
        `Invalid '${param}': ${pairValue.length} characters, at most ${METADATA_LIMITS.maxValueLength} are allowed.`,
      );
    pairs.push([key, pairValue]);
  }
  // Not `metadata[key] = value`: for the key "__proto__" that would set the prototype (an object
  // value) or do nothing (a string), and the pair would be lost; `fromEntries` defines own properties.
  return Object.fromEntries(pairs);
}

function invalid(param: string, message: string): GatewayError {
  return new GatewayError(400, 'invalid_request_error', message, { param, code: 'invalid_value' });
}

/**
 * The shape of OpenAI's `metadata` for `/openapi.json` and the first check of a body (string pairs);
 * its limits are checked by {@link readMetadata}, whose errors say which one was passed.
 */
export const metadataSchema = z
  .record(z.string(), z.string())
  .describe('At most 16 string pairs; keys of at most 64 characters, values of at most 512.');
